"""F3: the address the login limit is keyed on is the peer's, unless the peer is a configured proxy.

A real uvicorn server (127.0.0.1, a free port) started with the options of the ``serve`` command
and a tiny app that answers the client address it was given."""

from __future__ import annotations

import contextlib
from typing import Any

import httpx
from apps_kit import served

from wenping_registry.config import RegistrySettings
from wenping_shared.cli import serve_options


async def _echo_client(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    client = scope.get("client") or ("", 0)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": client[0].encode()})


def serving(settings: RegistrySettings) -> contextlib.AbstractAsyncContextManager[str]:
    return served(_echo_client, **serve_options(settings))


async def test_forwarded_for_is_ignored_by_default() -> None:
    settings = RegistrySettings(environment="test")
    assert settings.forwarded_allow_ips == ""
    async with serving(settings) as url, httpx.AsyncClient(base_url=url) as client:
        for spoofed in ("203.0.113.7", "198.51.100.1"):
            response = await client.get("/", headers={"X-Forwarded-For": spoofed})
            assert response.text == "127.0.0.1"


async def test_forwarded_for_is_believed_from_a_configured_proxy() -> None:
    settings = RegistrySettings(environment="test", forwarded_allow_ips="127.0.0.1")
    async with serving(settings) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/", headers={"X-Forwarded-For": "203.0.113.7"})
        assert response.text == "203.0.113.7"


async def test_forwarded_for_from_an_unlisted_peer_is_ignored() -> None:
    settings = RegistrySettings(environment="test", forwarded_allow_ips="10.0.0.5")
    async with serving(settings) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/", headers={"X-Forwarded-For": "203.0.113.7"})
        assert response.text == "127.0.0.1"
