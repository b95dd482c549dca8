"""Who is calling: token verification against the registry's JWKS, and the auth dependencies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import httpx
from fastapi import Depends, Request

from . import _jwt
from ._errors import MissingToken, RoleRequired, ServiceOnly, UnknownKey

if TYPE_CHECKING:
    from ._external import ExternalIssuers

PrincipalKind = Literal["user", "service", "client"]

#: Audience values (binding: domain.md "Tokens").
AUDIENCES: tuple[str, ...] = ("intake", "review", "registry")


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller. ``region_code`` scopes everything it may see."""

    subject: str
    kind: PrincipalKind
    roles: frozenset[str] = frozenset()
    org_id: str | None = None
    region_code: str | None = None
    scopes: frozenset[str] = frozenset()
    token_id: str | None = None
    name: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def is_service(self, name: str) -> bool:
        return self.kind == "service" and self.subject == f"service:{name}"

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        sub = str(claims["sub"])
        kind: PrincipalKind = "user"
        if sub.startswith("service:"):
            kind = "service"
        elif sub.startswith("client:"):
            kind = "client"
        scope = claims.get("scope") or ""
        return cls(
            subject=sub,
            kind=kind,
            roles=frozenset(claims.get("roles") or ()),
            org_id=claims.get("org_id"),
            region_code=claims.get("region_code"),
            scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(scope),
            token_id=claims.get("jti"),
            name=claims.get("name"),
            claims=claims,
        )


def region_contains(ancestor: str, code: str) -> bool:
    """GB/T 2260: 330000 contains 3304xx and 330421; 330400 contains 330421; a county only itself."""
    if ancestor == code:
        return True
    if len(ancestor) != 6 or len(code) != 6:
        return False
    if ancestor.endswith("0000"):
        return code[:2] == ancestor[:2]
    if ancestor.endswith("00"):
        return code[:4] == ancestor[:4]
    return False


def region_prefix(code: str) -> str:
    """The code prefix shared by a region's whole subtree (for indexed LIKE queries)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


KeyLookup = Callable[[str], Awaitable[dict[str, Any] | None]]


class RemoteJWKS:
    """The registry's public keys, fetched over HTTP and cached.

    An unknown ``kid`` triggers a refresh, but at most once per ``min_refresh_seconds`` so a
    flood of forged kids cannot turn into a flood of requests to the registry.
    """

    def __init__(self, client: httpx.AsyncClient, url: str, min_refresh_seconds: float = 60.0) -> None:
        self._client = client
        self._url = url
        self._min_refresh = min_refresh_seconds
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = float("-inf")
        self._fetching: asyncio.Task[None] | None = None

    async def refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            response = await self._client.get(self._url, timeout=5.0)
            response.raise_for_status()
            keys = response.json().get("keys", [])
        except (httpx.HTTPError, ValueError):
            return
        self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and "kid" in k}

    async def __call__(self, kid: str) -> dict[str, Any] | None:
        if kid in self._keys:
            return self._keys[kid]
        if self._fetching is None and time.monotonic() - self._fetched_at >= self._min_refresh:
            self._fetching = asyncio.create_task(self.refresh())
            self._fetching.add_done_callback(self._fetched)
        if self._fetching is not None:
            # Every caller waits on the one fetch and wakes with it. Behind a lock they went on one
            # per turn of the event loop: the 64 first requests of a process under load waited up
            # to 0.5 s for keys fetched long before. Shielded: a caller that gives up leaves the
            # fetch to the others.
            await asyncio.shield(self._fetching)
        return self._keys.get(kid)

    def _fetched(self, _: asyncio.Task[None]) -> None:
        self._fetching = None


class _Verified(NamedTuple):
    """A token already verified by this process: the key it was verified with and its expiry."""

    kid: str
    key: dict[str, Any]
    expires_at: float
    principal: Principal


class TokenVerifier:
    """The registry's tokens, and those of the outside issuers trusted by configuration (``external``).

    A token of our own issuer that verified once is remembered by its exact string until its
    ``exp`` (at most ``remembered`` tokens): the signature check (ES256, about 0.3 ms of CPU) is the
    larger part of a request's fixed cost. This cannot serve one caller another's identity or a
    stale decision: the entry is found only by the very same signed string, its principal is what
    that string's signed claims say (they cannot change), the key it verified with must still be
    the one published under its ``kid`` (a rotated or withdrawn key makes it verify afresh, and
    fail), and its ``exp`` is checked on every use. Only identity is remembered: roles, tenant and
    every visibility or state check are still decided per request from the principal.
    """

    def __init__(
        self,
        keys: KeyLookup,
        *,
        issuer: str,
        audience: str,
        external: ExternalIssuers | None = None,
        remembered: int = 4096,
    ) -> None:
        self._keys = keys
        self.issuer = issuer
        self.audience = audience
        self.external = external
        self._remembered = remembered
        self._verified: dict[str, _Verified] = {}

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            if time.time() < known.expires_at and await self._keys(known.kid) == known.key:
                return known.principal
            self._verified.pop(token, None)
        try:
            header = _jwt.unverified_header(token)
            if header.get("alg") not in _jwt.ALLOWED_ALGORITHMS:
                raise _jwt.TokenRejected(f"不接受的签名算法：{header.get('alg')}")
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise _jwt.TokenRejected("令牌缺少密钥标识（kid）")
            if self.external is not None:
                issuer = _jwt.unverified_issuer(token)
                if issuer != self.issuer and self.external.trusts(issuer):
                    assert issuer is not None
                    return await self.external.verify(token, kid, issuer)
            key = await self._keys(kid)
            if key is None:
                raise _jwt.TokenRejected("未知的签名密钥（kid）", UnknownKey)
            claims = _jwt.verify(token, key, issuer=self.issuer, audience=self.audience)
        except _jwt.TokenRejected as exc:
            raise exc.problem(exc.reason) from exc
        principal = Principal.from_claims(claims)
        self._remember(token, _Verified(kid, dict(key), float(claims["exp"]), principal))
        return principal

    def _remember(self, token: str, verified: _Verified) -> None:
        if len(self._verified) >= self._remembered:
            now = time.time()
            for stale in [t for t, v in self._verified.items() if v.expires_at <= now]:
                del self._verified[stale]
            while len(self._verified) >= self._remembered:  # still full: forget the oldest
                del self._verified[next(iter(self._verified))]
        self._verified[token] = verified


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise MissingToken()
    return token.strip()


async def authenticate(request: Request) -> Principal:
    """FastAPI dependency: the verified principal (401 problem+json otherwise)."""
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(_bearer(request))
    request.state.principal = principal
    from ._audit import note_principal  # _audit imports this module

    note_principal(principal)  # the request's audit record names who it was
    return principal


# The factories below take the principal as ``Depends(authenticate)`` rather than calling it, so
# FastAPI resolves it once per request even when a route also has ``limited(...)`` (which depends
# on ``authenticate`` too): calling it directly verified the token twice (pyinstrument of precheck).


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: the caller must hold one of ``roles`` (403 otherwise)."""

    async def dependency(principal: Principal = Depends(authenticate)) -> Principal:
        if not principal.has_role(*roles):
            raise RoleRequired()
        return principal

    return dependency


def require_service(*names: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: only the named peer services' tokens."""

    async def dependency(principal: Principal = Depends(authenticate)) -> Principal:
        if not any(principal.is_service(n) for n in names):
            raise ServiceOnly()
        return principal

    return dependency
