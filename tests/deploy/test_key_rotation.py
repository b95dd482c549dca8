"""Rotating the registry's signing key: during the overlap the JWKS publishes both keys, tokens
of the old key keep working until they expire, new tokens use the new key; once the previous key
is dropped, what it signed no longer verifies."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from wenping_registry.main import create_app as create_registry
from wenping_shared import RemoteJWKS, TokenVerifier, WenpingError
from wenping_shared._jwt import unverified_header
from wenping_shared.demo import DEMO_PASSWORD
from wenping_shared.tokens import generate_private_key_pem, public_jwk, sign


async def _token(client: httpx.AsyncClient, resource: str = "intake") -> str:
    r = await client.post("/api/v1/auth/token", data={"grant_type": "password", "username": "jx.reviewer",
                                                      "password": DEMO_PASSWORD, "resource": resource})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


async def test_rotation_keeps_old_tokens_until_they_expire(system: Any, tmp_path: Path) -> None:
    settings = system.settings["registry"]
    old_pem = settings.dev_key_path.read_bytes()  # the key the running registry signs with
    old_kid = public_jwk(old_pem)["kid"]
    old_token = await _token(system.registry)
    old_registry_token = await _token(system.registry, "registry")
    assert unverified_header(old_token)["kid"] == old_kid

    previous = tmp_path / "previous.pem"
    previous.write_bytes(old_pem)
    new_pem = generate_private_key_pem()
    rotated = settings.model_copy(update={"jwt_private_key": new_pem.decode(), "jwt_previous_key_file": previous})
    app = create_registry(rotated, transport=system.transport)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry.test") as client:
            jwks = (await client.get("/.well-known/jwks.json")).json()
            new_kid = public_jwk(new_pem)["kid"]
            assert [k["kid"] for k in jwks["keys"]] == [new_kid, old_kid]
            new_token = await _token(client)
            assert unverified_header(new_token)["kid"] == new_kid

            # Another service (intake's audience) verifies both through the JWKS.
            verifier = TokenVerifier(RemoteJWKS(client, "http://registry.test/.well-known/jwks.json", 0),
                                     issuer=settings.jwt_issuer, audience="intake")
            assert (await verifier.verify(new_token)).subject == (await verifier.verify(old_token)).subject
            # The registry itself accepts both too.
            for token in (old_registry_token, await _token(client, "registry")):
                r = await client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
                assert r.status_code == 200, r.text

            # ... but an old-key token past its expiry does not.
            claims = {"iss": settings.jwt_issuer, "aud": "intake", "sub": "user:x", "iat": int(time.time()) - 7200,
                      "exp": int(time.time()) - 3600}
            with pytest.raises(WenpingError):
                await verifier.verify(sign(claims, old_pem, old_kid))

    # The overlap is over (previous key removed): the old key's tokens are refused.
    previous.unlink()
    app = create_registry(rotated, transport=system.transport)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registry.test") as client:
            assert [k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]] == [new_kid]
            verifier = TokenVerifier(RemoteJWKS(client, "http://registry.test/.well-known/jwks.json", 0),
                                     issuer=settings.jwt_issuer, audience="intake")
            with pytest.raises(WenpingError):
                await verifier.verify(old_token)
            assert (await verifier.verify(await _token(client))).subject
