"""docs/integration.md's examples run as written (issue 9 point 8): every ```sh block, in order,
in one shell session against the real services on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "integration.md"


def _blocks() -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_guide_has_the_sections_integrators_need() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for heading in ("password 授权", "client_credentials 授权", "分页", "Idempotency-Key", "If-Match", "错误处理",
                    "接收并验证 Webhook", "核验稳评备案证明"):
        assert re.search(rf"^#+ .*{re.escape(heading)}", text, flags=re.M), heading
    assert "(error-codes.md)" in text and len(_blocks()) >= 8


def test_guide_examples_run_against_the_real_services(live_services: dict[str, str], artefacts: Path) -> None:
    if not (shutil.which("curl") and shutil.which("jq")):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("curl 与 jq 是运行对接指南示例所需的工具", pytrace=False)
        pytest.skip("curl or jq missing")
    script = ["set -euo pipefail"]
    for number, block in enumerate(_blocks(), 1):
        script += [f"echo '### {number}'", block]
    env = {**os.environ, "REGISTRY": live_services["registry"], "INTAKE": live_services["intake"],
           "REVIEW": live_services["review"]}
    run = subprocess.run(["bash", "-c", "\n".join(script)], capture_output=True, text=True, timeout=120, env=env)
    (artefacts / "integration-guide.txt").write_text(run.stdout + run.stderr, encoding="utf-8")
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert '"roles":["filer"]' in out and '"audience":["intake"]' in out
    assert '"kind":"client"' in out and '"scopes":["projects:read"]' in out
    assert re.search(r"读取了 \d+ 页，共 \d+ 个项目", out) and "\n400\n" in out
    assert "重试得到同一个项目" in out
    assert "\nfiled\n" in out and "\n412\n" in out
    assert "事项名称（title）" in out and "拆迁（demolition）" in out and "日期不存在" in out
    assert '"status":401' in out
