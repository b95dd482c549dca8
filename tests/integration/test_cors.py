"""CORS per environment (issue 9 point 6): off by default, explicit origins when configured,
and production refuses a wildcard."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from wenping_intake.config import IntakeSettings
from wenping_intake.main import create_app
from wenping_shared import ProductionConfigError, check_production

PREFLIGHT = {
    "Origin": "https://app.example.gov.cn",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


def _client(**settings: Any) -> httpx.AsyncClient:
    app = create_app(IntakeSettings(log_level="WARNING", **settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake.test")


async def test_cors_is_off_by_default() -> None:
    async with _client() as client:
        preflight = await client.options("/api/v1/projects", headers=PREFLIGHT)
        assert preflight.status_code == 405
        assert "access-control-allow-origin" not in preflight.headers
        plain = await client.get("/healthz", headers={"Origin": "https://app.example.gov.cn"})
        assert "access-control-allow-origin" not in plain.headers


async def test_configured_origins_get_preflight_and_exposed_headers() -> None:
    async with _client(cors_origins=["https://app.example.gov.cn"]) as client:
        preflight = await client.options("/api/v1/projects", headers=PREFLIGHT)
        assert preflight.status_code == 200, preflight.text
        assert preflight.headers["access-control-allow-origin"] == "https://app.example.gov.cn"
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert "idempotency-key" in allowed and "authorization" in allowed
        assert "POST" in preflight.headers["access-control-allow-methods"]
        plain = await client.get("/healthz", headers={"Origin": "https://app.example.gov.cn"})
        assert plain.headers["access-control-allow-origin"] == "https://app.example.gov.cn"
        assert "etag" in plain.headers["access-control-expose-headers"].lower()
        stranger = await client.options("/api/v1/projects", headers={**PREFLIGHT, "Origin": "https://evil.example"})
        assert stranger.status_code == 400 and "access-control-allow-origin" not in stranger.headers


def test_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENPING_INTAKE_CORS_ORIGINS", "https://a.example.gov.cn, https://b.example.gov.cn")
    assert IntakeSettings().cors_origins == ["https://a.example.gov.cn", "https://b.example.gov.cn"]
    monkeypatch.setenv("WENPING_INTAKE_CORS_ORIGINS", '["https://c.example.gov.cn"]')
    assert IntakeSettings().cors_origins == ["https://c.example.gov.cn"]


def test_production_refuses_a_wildcard_origin() -> None:
    settings = IntakeSettings(environment="production", cors_origins=["*"],
                              database_url="postgresql+asyncpg://u@127.0.0.1/x")
    problems = settings.production_problems()
    assert any("cors_origins" in p for p in problems)
    with pytest.raises(ProductionConfigError):
        check_production("intake", problems)
    named = IntakeSettings(environment="production", cors_origins=["https://app.example.gov.cn"],
                           database_url="postgresql+asyncpg://u@127.0.0.1/x")
    assert not any("cors_origins" in p for p in named.production_problems())
