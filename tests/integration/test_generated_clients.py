"""Clients generated from the live /openapi.json of each service work (issue 9 point 1).

openapi-python-client (pinned in the dev lock) generates one package per service with zero
warnings; the packages are installed with pip into a scratch directory, and a walkthrough script
run with that directory first on its path drives the real services on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
from system_kit import docx_bytes

from wenping_shared.contracts.samples import complete_report

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "docs" / "openapi-python-client.yaml"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
WALKTHROUGH = Path(__file__).with_name("client_walkthrough.py")


def test_generated_clients_file_upload_submit_review_and_read_problems(
    live_services: dict[str, str], tmp_path: Path, artefacts: Path
) -> None:
    log: list[str] = []
    projects = []
    for name in ("registry", "intake", "review"):
        spec = httpx.get(live_services[name] + "/openapi.json", timeout=10).json()
        (tmp_path / f"{name}.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        generated = subprocess.run(
            [str(GENERATOR), "generate", "--path", str(tmp_path / f"{name}.json"), "--config", str(CONFIG),
             "--meta", "setup", "--output-path", str(tmp_path / f"wenping-{name}-client")],
            capture_output=True, text=True, timeout=120, cwd=tmp_path,
        )
        output = generated.stdout + generated.stderr
        warnings = output.count("WARNING") + output.count("Warning(s)")
        log.append(f"$ openapi-python-client generate ({name}): exit {generated.returncode}, {warnings} warnings")
        log.extend("    " + line for line in output.strip().splitlines())
        assert generated.returncode == 0 and warnings == 0, output
        projects.append(str(tmp_path / f"wenping-{name}-client"))

    site = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--no-index", "--target", str(site), *projects],
        capture_output=True, text=True, timeout=180,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    log.append(f"$ pip install --no-deps --target {site.name}: " + ", ".join(sorted(p.name for p in site.glob("wenping_*_client"))))

    report = tmp_path / "report.json"
    report.write_text(json.dumps(complete_report(), ensure_ascii=False), encoding="utf-8")
    document = tmp_path / "report.docx"
    document.write_bytes(docx_bytes())
    run = subprocess.run(
        [sys.executable, str(WALKTHROUGH), live_services["registry"], live_services["intake"], live_services["review"],
         str(report), str(document)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    log.append("$ python client_walkthrough.py")
    log.extend("    " + line for line in (run.stdout + run.stderr).strip().splitlines())
    (artefacts / "generated-clients.txt").write_text("\n".join(log) + "\n", encoding="utf-8")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "feedbackDocx: 200" in run.stdout and "Problem code=request.validation_failed" in run.stdout
