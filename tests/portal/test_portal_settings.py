"""The portal refuses production mode with the development signing secret or a clear-text cookie."""

from __future__ import annotations

import os
import subprocess
import sys

from wenping_portal.config import PortalSettings


def test_production_needs_its_own_secret_and_a_secure_cookie() -> None:
    problems = PortalSettings(environment="production").production_problems()
    assert any("WENPING_PORTAL_SECRET_KEY" in p for p in problems)
    assert any("COOKIE_SECURE" in p for p in problems)
    fixed = PortalSettings(environment="production", secret_key="x" * 40, cookie_secure=True)
    assert fixed.production_problems() == []


def test_serve_refuses_to_start_and_says_why() -> None:
    env = {**os.environ, "WENPING_PORTAL_ENVIRONMENT": "production", "WENPING_PORTAL_PORT": "0"}
    result = subprocess.run([sys.executable, "-m", "wenping_portal", "serve"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "portal 拒绝以生产模式启动" in result.stderr and "会话签名密钥" in result.stderr
