"""Every service verifies tokens against the registry's JWKS and refuses each kind of bad token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest

from wenping_shared.tokens import generate_private_key_pem, public_jwk, sign

SERVICES = ("intake", "review", "registry")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(system: Any, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": system.settings["registry"].jwt_issuer,
        "sub": str(uuid.uuid4()),
        "aud": list(SERVICES),
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
        "roles": ["reviewer"],
        "org_id": None,
        "region_code": "330400",
        "scope": "",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not ...}


def _registry_sign(system: Any, claims: dict[str, Any]) -> str:
    key = system.apps["registry"].state.signing_key
    return sign(claims, key.private_pem, key.kid)


def _unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{head}.{body}.{_b64(signature)}"


async def _forge(system: Any, case: str) -> str:
    key = system.apps["registry"].state.signing_key
    if case == "alg_none":
        return _unsigned({"alg": "none", "typ": "JWT", "kid": key.kid}, _claims(system))
    if case == "hs256_with_public_key":
        # The classic algorithm-confusion attack: HMAC keyed with the published public key.
        header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}
        head = _b64(json.dumps(header).encode())
        body = _b64(json.dumps(_claims(system)).encode())
        secret = json.dumps(key.jwk, sort_keys=True).encode()
        mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}.{_b64(mac)}"
    if case == "expired":
        now = int(time.time())
        return _registry_sign(system, _claims(system, iat=now - 3600, nbf=now - 3600, exp=now - 60))
    if case == "wrong_audience":
        return _registry_sign(system, _claims(system, aud=["elsewhere"]))
    if case == "wrong_issuer":
        return _registry_sign(system, _claims(system, iss="https://evil.example"))
    if case == "unknown_kid":
        pem = generate_private_key_pem()
        return sign(_claims(system), pem, public_jwk(pem)["kid"])
    if case == "tampered_payload":
        head, _, signature = _registry_sign(system, _claims(system)).split(".")
        body = _b64(json.dumps(_claims(system, roles=["admin"], region_code="330000")).encode())
        return f"{head}.{body}.{signature}"
    if case == "missing_sub":
        return _registry_sign(system, _claims(system, sub=...))
    if case == "garbage":
        return "not-a-jwt"
    raise AssertionError(case)


BAD_TOKENS = (
    "alg_none",
    "hs256_with_public_key",
    "expired",
    "wrong_audience",
    "wrong_issuer",
    "unknown_kid",
    "tampered_payload",
    "missing_sub",
    "garbage",
)


@pytest.mark.parametrize("service", SERVICES)
async def test_no_token_is_401_problem(system: Any, service: str) -> None:
    response = await system.client(service).get("/api/v1/whoami")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "auth.missing_token"
    assert "Bearer" in response.headers["www-authenticate"]


@pytest.mark.parametrize("case", BAD_TOKENS)
@pytest.mark.parametrize("service", SERVICES)
async def test_bad_token_is_401_problem(system: Any, service: str, case: str) -> None:
    token = await _forge(system, case)
    response = await system.client(service).get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["status"] == 401 and problem["code"].startswith("auth.")
    assert problem["detail"] and not problem["detail"].isascii()  # a Chinese sentence, no internals


@pytest.mark.parametrize("service", SERVICES)
async def test_a_good_token_is_accepted_by_each_service(system: Any, service: str) -> None:
    token = _registry_sign(system, _claims(system))
    response = await system.client(service).get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["reviewer"]


async def test_person_token_carries_all_audiences_unless_resource_names_one(system: Any) -> None:
    everywhere = await system.auth("jx.reviewer")
    for service in SERVICES:
        response = await system.client(service).get("/api/v1/whoami", headers=everywhere)
        assert response.status_code == 200
        assert sorted(response.json()["audience"]) == sorted(SERVICES)
    intake_only = await system.auth("jx.reviewer", resource="intake")
    assert (await system.intake.get("/api/v1/whoami", headers=intake_only)).status_code == 200
    for service in ("review", "registry"):
        refused = await system.client(service).get("/api/v1/whoami", headers=intake_only)
        assert refused.status_code == 401
        assert refused.json()["code"] == "auth.wrong_audience"


async def test_token_claims_are_complete(system: Any) -> None:
    response = await system.registry.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": "jx.fgw.filer", "password": "wenping-demo"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    head, payload, _ = body["access_token"].split(".")
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert header["alg"] == "ES256" and header["kid"]
    for claim in ("iss", "sub", "aud", "exp", "iat", "jti", "roles", "org_id", "region_code", "scope"):
        assert claim in claims, claim
    assert claims["roles"] == ["filer"] and claims["region_code"] == "330400"


async def test_jwks_publishes_only_public_es256_keys(system: Any) -> None:
    response = await system.registry.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys and all(k["kty"] == "EC" and k["alg"] == "ES256" and "d" not in k for k in keys)
