"""With CI=true an unreachable PostgreSQL fails the run; locally it skips the PostgreSQL pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("ci", "expect_failure"), [("true", True), ("", False)])
def test_unreachable_postgresql(ci: str, expect_failure: bool) -> None:
    env = {**os.environ, "CI": ci, "WENPING_TEST_DB": "postgresql",
           "WENPING_TEST_PG_DSN": "postgresql://postgres@127.0.0.1:9/postgres"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/foundation/test_smoke.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    if expect_failure:
        assert result.returncode != 0
        assert "CI 要求在 PostgreSQL 上运行测试" in result.stdout
    else:
        assert result.returncode == 0
        assert "1 skipped" in result.stdout
