"""docs/operations.md stays true: its settings tables are the settings classes' (regenerated and
compared), the README links to it, and its "Scaling out" replica counts are the production
overlay's."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from deploy_kit import DEPLOY, ROOT, once_per_suite, render

DOC = ROOT / "docs" / "operations.md"


@pytest.fixture(autouse=True)
def _once() -> None:
    once_per_suite()


def test_settings_tables_match_the_settings_classes() -> None:
    result = subprocess.run([sys.executable, str(DEPLOY / "scripts" / "settings_table.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_every_setting_is_documented_with_default_and_secrecy() -> None:
    from wenping_intake.config import IntakeSettings
    from wenping_registry.config import RegistrySettings
    from wenping_review.config import ReviewSettings

    text = DOC.read_text(encoding="utf-8")
    for cls, prefix in ((IntakeSettings, "WENPING_INTAKE_"), (ReviewSettings, "WENPING_REVIEW_"),
                        (RegistrySettings, "WENPING_REGISTRY_")):
        for name in cls.model_fields:
            assert f"`{prefix}{name.upper()}" in text, f"{prefix}{name.upper()} is not documented"
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([A-Z_]+)` \| [^|]* \| (是|否) \|", text, re.M)}
    for secret in ("WENPING_INTAKE_CLIENT_SECRET", "WENPING_REGISTRY_JWT_PRIVATE_KEY", "WENPING_REVIEW_DATABASE_URL"):
        assert rows[secret] == "是", secret
    assert rows["WENPING_INTAKE_PORT"] == "否"


def test_readme_links_the_operations_guide() -> None:
    assert "docs/operations.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_scaling_table_is_what_the_production_overlay_ships() -> None:
    text = DOC.read_text(encoding="utf-8").split("## Scaling out", 1)[1]
    shipped = {m.group(1): (int(m.group(2)), int(m.group(3)))
               for m in re.finditer(r"^\| (intake|review|registry|portal) \|.*\| (\d+) \| (\d+) \|$", text, re.M)}
    docs = render("overlays/production")
    replicas = {d["metadata"]["name"].removeprefix("wenping-"): d["spec"]["replicas"]
                for d in docs if d["kind"] == "Deployment"}
    ceilings = {d["metadata"]["name"].removeprefix("wenping-"): d["spec"]["maxReplicas"]
                for d in docs if d["kind"] == "HorizontalPodAutoscaler"}
    assert shipped == {name: (replicas[name], ceilings[name]) for name in replicas}
