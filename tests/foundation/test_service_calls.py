"""Service-to-service calls: client-credentials tokens per audience, one shared client, request ids,
retries only where a repeat is harmless, and a JWKS refreshed at most once a minute."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from wenping_shared import RemoteJWKS, ServiceClient, ServiceUnavailable
from wenping_shared._context import request_id_var


async def test_intake_calls_registry_with_its_own_service_token(system: Any) -> None:
    peers = system.apps["intake"].state.peers
    response = await peers.request("registry", "GET", "/api/v1/whoami")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["subject"] == "service:intake"
    assert body["audience"] == ["registry"]
    assert body["kind"] == "service"


async def test_service_token_is_cached_and_audience_specific(system: Any) -> None:
    tokens = system.apps["review"].state.peers.tokens
    first = await tokens.token_for("registry")
    assert await tokens.token_for("registry") == first
    intake_token = await tokens.token_for("intake")
    assert intake_token != first
    # The review service's registry token is refused by intake: wrong audience.
    response = await system.intake.get("/api/v1/whoami", headers={"Authorization": f"Bearer {first}"})
    assert response.status_code == 401 and response.json()["code"] == "auth.wrong_audience"


async def test_service_client_must_name_one_allowed_audience(system: Any) -> None:
    data = {"grant_type": "client_credentials", "client_id": "intake-service", "client_secret": "wenping-dev-intake-secret"}
    missing = await system.registry.post("/api/v1/auth/token", data=data)
    assert missing.status_code == 400 and missing.json()["code"] == "oauth.invalid_target"
    not_a_peer = await system.registry.post("/api/v1/auth/token", data={**data, "resource": "intake"})
    assert not_a_peer.status_code == 400
    wrong_secret = await system.registry.post(
        "/api/v1/auth/token", data={**data, "client_secret": "nope", "resource": "registry"}
    )
    assert wrong_secret.status_code == 401 and wrong_secret.json()["code"] == "oauth.invalid_client"


async def test_integration_client_gets_the_services_its_scopes_cover(system: Any) -> None:
    token = await system.client_token("demo-platform", "wenping-demo-secret")
    headers = {"Authorization": f"Bearer {token}"}
    who = await system.intake.get("/api/v1/whoami", headers=headers)
    assert who.status_code == 200
    assert who.json()["scopes"] == ["clearances:read", "projects:read", "webhooks:manage"]
    assert who.json()["region_code"] == "330400"
    assert (await system.registry.get("/api/v1/whoami", headers=headers)).status_code == 401
    refused = await system.registry.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": "demo-platform", "client_secret": "wenping-demo-secret",
              "scope": "experts:write"},
    )
    assert refused.status_code == 400 and refused.json()["code"] == "oauth.invalid_scope"


async def test_request_id_crosses_services(system: Any) -> None:
    token = request_id_var.set("trace-abc-123")
    try:
        response = await system.apps["intake"].state.peers.request("registry", "GET", "/api/v1/whoami")
    finally:
        request_id_var.reset(token)
    assert response.headers["x-request-id"] == "trace-abc-123"


async def test_incoming_request_id_is_echoed_and_a_new_one_made_otherwise(system: Any) -> None:
    echoed = await system.intake.get("/healthz", headers={"X-Request-ID": "client-req-42"})
    assert echoed.headers["x-request-id"] == "client-req-42"
    fresh = await system.intake.get("/healthz")
    assert len(fresh.headers["x-request-id"]) == 32
    unsafe = await system.intake.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


class _Flaky(httpx.AsyncBaseTransport):
    """Fails the first ``failures`` requests with a connection error, then answers 200."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.seen_headers: list[httpx.Headers] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        self.seen_headers.append(request.headers)
        if self.calls <= self.failures:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"ok": True})


@pytest.mark.parametrize(
    ("method", "headers", "expect_calls"),
    [
        ("GET", {}, 3),
        ("PUT", {}, 3),
        ("POST", {"Idempotency-Key": "k-1"}, 3),
        ("POST", {}, 1),
    ],
)
async def test_retries_only_idempotent_requests(method: str, headers: dict[str, str], expect_calls: int) -> None:
    transport = _Flaky(failures=2)
    async with httpx.AsyncClient(transport=transport) as http:
        client = ServiceClient(http, {"registry": "http://registry.test"}, None, retries=3, backoff=0.001)
        if expect_calls == 1:
            with pytest.raises(ServiceUnavailable):
                await client.request("registry", method, "/x", headers=headers)
        else:
            response = await client.request("registry", method, "/x", headers=headers)
            assert response.status_code == 200
    assert transport.calls == expect_calls


async def test_jwks_refresh_on_unknown_kid_is_rate_limited() -> None:
    fetches = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal fetches
        fetches += 1
        return httpx.Response(200, json={"keys": [{"kid": "known", "kty": "EC"}]})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        jwks = RemoteJWKS(http, "http://registry.test/.well-known/jwks.json", min_refresh_seconds=60)
        assert await jwks("known") is not None
        for _ in range(50):  # a flood of forged kids
            assert await jwks("forged") is None
        assert fetches == 1


async def test_callers_waiting_for_the_keys_all_wake_with_the_one_fetch() -> None:
    """64 first requests of a fresh process need the keys at once: one fetch, and all of them go
    on in the same turn of the event loop when it lands (counted in turns, not time)."""
    fetches = 0
    arrived = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal fetches
        fetches += 1
        await arrived.wait()
        return httpx.Response(200, json={"keys": [{"kid": "k1", "kty": "EC"}]})

    turns = 0

    async def count_turns() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    woke: list[int] = []

    async def caller(jwks: RemoteJWKS) -> None:
        assert await jwks("k1") is not None
        woke.append(turns)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        jwks = RemoteJWKS(http, "http://registry.test/.well-known/jwks.json")
        counter = asyncio.create_task(count_turns())
        callers = [asyncio.create_task(caller(jwks)) for _ in range(64)]
        for _ in range(20):
            await asyncio.sleep(0)
        arrived.set()
        await asyncio.gather(*callers)
        counter.cancel()
    assert fetches == 1
    assert max(woke) - min(woke) <= 1, f"woken over {max(woke) - min(woke)} turns"
