"""Verified tokens remembered by their exact string: the signature is checked once per token, yet a
token past its exp, one whose key was withdrawn or replaced, and any other token still get the
full check; and a route that also spends a rate allowance verifies the token once, not twice."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from wenping_shared import TokenVerifier, WenpingError, _jwt
from wenping_shared.contracts import samples
from wenping_shared.tokens import generate_private_key_pem, public_jwk, sign

ISSUER = "https://registry.test"


class Keys:
    """A JWKS as a plain dict, so a test can withdraw or replace a key."""

    def __init__(self) -> None:
        self.pem = generate_private_key_pem()
        self.jwk = public_jwk(self.pem)
        self.published: dict[str, dict[str, Any]] = {self.jwk["kid"]: self.jwk}

    async def __call__(self, kid: str) -> dict[str, Any] | None:
        return self.published.get(kid)

    def token(self, org_id: str, *, exp: int | None = None) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": "intake", "sub": f"user:{org_id}", "iat": now, "exp": exp or now + 600,
                  "org_id": org_id, "region_code": "330400", "roles": ["filer"]}
        return sign(claims, self.pem, self.jwk["kid"])


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every full verification (`_jwt.verify`) the code under test makes, by token."""
    seen: list[str] = []
    real = _jwt.verify

    def counting(token: str, key: dict[str, Any], *, issuer: str, audience: str) -> dict[str, Any]:
        seen.append(token)
        return real(token, key, issuer=issuer, audience=audience)

    monkeypatch.setattr(_jwt, "verify", counting)
    return seen


async def test_each_token_is_verified_once_and_answers_its_own_identity(signature_checks: list[str]) -> None:
    keys = Keys()
    verifier = TokenVerifier(keys, issuer=ISSUER, audience="intake")
    mine, theirs = keys.token("org-a"), keys.token("org-b")
    for _ in range(3):
        assert (await verifier.verify(mine)).org_id == "org-a"
        assert (await verifier.verify(theirs)).org_id == "org-b"
    assert signature_checks == [mine, theirs]
    # One character changed is another string: checked in full, and refused.
    forged = mine[:-2] + ("A" if mine[-2] != "A" else "B") + mine[-1]
    with pytest.raises(WenpingError):
        await verifier.verify(forged)
    assert signature_checks[-1] == forged


async def test_a_remembered_token_is_refused_once_it_expires(signature_checks: list[str]) -> None:
    keys = Keys()
    verifier = TokenVerifier(keys, issuer=ISSUER, audience="intake")
    exp = int(time.time()) + 1
    token = keys.token("org-a", exp=exp)
    await verifier.verify(token)
    await verifier.verify(token)
    assert len(signature_checks) == 1
    # python-jose counts whole seconds, so the token is refused from second exp + 1 on.
    await asyncio.sleep(exp + 1 - time.time() + 0.05)
    with pytest.raises(WenpingError) as refused:
        await verifier.verify(token)
    assert refused.value.code == "auth.token_expired"


async def test_a_withdrawn_or_replaced_key_refuses_a_remembered_token(signature_checks: list[str]) -> None:
    keys = Keys()
    verifier = TokenVerifier(keys, issuer=ISSUER, audience="intake")
    token = keys.token("org-a")
    await verifier.verify(token)
    kid = keys.jwk["kid"]

    withdrawn = keys.published.pop(kid)
    with pytest.raises(WenpingError) as refused:
        await verifier.verify(token)
    assert refused.value.code == "auth.unknown_key"

    # Another key published under the same kid: the token's signature no longer verifies.
    keys.published[kid] = {**public_jwk(generate_private_key_pem()), "kid": kid}
    with pytest.raises(WenpingError):
        await verifier.verify(token)

    keys.published[kid] = withdrawn
    assert (await verifier.verify(token)).org_id == "org-a"
    assert len(signature_checks) == 3  # first, against the replaced key, and after the restore


async def test_a_rate_limited_route_verifies_the_token_once_per_request(
    system: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """POST /api/v1/precheck depends on the role check and on `limited("prechecks")`, both of
    which need the principal: FastAPI resolves `authenticate` once for both."""
    seen: list[str] = []
    real = TokenVerifier.verify

    async def counting(self: TokenVerifier, token: str) -> Any:
        seen.append(token)
        return await real(self, token)

    monkeypatch.setattr(TokenVerifier, "verify", counting)
    token = await system.token("agency.jx", "review")
    headers = {"Authorization": f"Bearer {token}"}
    r = await system.review.post("/api/v1/precheck", json={"report": samples.complete_report()}, headers=headers)
    assert r.status_code == 200, r.text
    assert seen.count(token) == 1  # (the apps verify each other's service tokens too)
