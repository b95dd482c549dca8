"""Outside identities: tokens of issuers trusted by configuration (``settings.external_issuers``).

Verified under the registry's rules (ES256 allow-list; iss, aud, exp, sub required) with the
issuer's own JWKS, fetched and cached like the registry's. Claim values map to a local role,
organisation and region; a value the mapping does not name is refused with 401. The outside
subject is linked to a local user (the registry keeps the link), and the principal is that local
user, so every audit entry and ledger row names it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from . import _jwt
from ._auth import Principal, RemoteJWKS
from ._errors import ServiceUnavailable, Unauthorized
from ._http import ServiceClient
from ._settings import ExternalIssuer

#: The registry endpoint that links an outside subject to a local user (service tokens only).
LINK_PATH = "/api/v1/external-identities"


class UnmappedClaim(Unauthorized, code="auth.unmapped_claim", message="外部身份的角色、单位或行政区划未在本平台配置映射，拒绝访问"): ...


class UnknownExternalKey(Unauthorized, code="auth.unknown_external_key", message="外部身份提供方的签名密钥（kid）未在其公开密钥中找到"): ...


class IdentityLinkUnavailable(ServiceUnavailable, code="auth.identity_link_unavailable", message="注册服务暂时无法登记外部身份，请稍后重试"): ...


@dataclass(frozen=True, slots=True)
class ExternalIdentity:
    """An outside subject as mapped to this platform's terms."""

    issuer: str
    subject: str
    name: str | None
    roles: tuple[str, ...]
    org_id: str
    region_code: str

    def as_json(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "subject": self.subject, "display_name": self.name, "roles": list(self.roles),
                "org_id": self.org_id, "region_code": self.region_code}


#: Links an outside identity to a local user; returns the local user's id.
SubjectLinker = Callable[[ExternalIdentity], Awaitable[str]]


class RegistryLinker:
    """How intake and review link: ask the registry with their service token."""

    def __init__(self, peers: ServiceClient) -> None:
        self._peers = peers

    async def __call__(self, identity: ExternalIdentity) -> str:
        response = await self._peers.request("registry", "POST", LINK_PATH, json=identity.as_json())
        if response.status_code != 200:
            raise IdentityLinkUnavailable()
        return str(response.json()["user_id"])


def _values(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def map_claims(config: ExternalIssuer, claims: dict[str, Any]) -> ExternalIdentity:
    """The local role(s), organisation and region of an outside token (401 for an unmapped value)."""
    role_values = _values(claims, config.role_claim)
    roles = tuple(sorted({config.role_map[v] for v in role_values if v in config.role_map}))
    if not roles:
        raise UnmappedClaim(f"外部身份的角色（{config.role_claim}：{'、'.join(role_values) or '无'}）未配置映射，拒绝访问")
    org_values = _values(claims, config.org_claim)
    org_id = config.org_map.get(org_values[0]) if org_values else None
    if org_id is None:
        raise UnmappedClaim(f"外部身份的单位（{config.org_claim}：{'、'.join(org_values) or '无'}）未配置映射，拒绝访问")
    region_values = _values(claims, config.region_claim)
    region_code = config.region_map.get(region_values[0]) if region_values else None
    if region_code is None:
        raise UnmappedClaim(
            f"外部身份的行政区划（{config.region_claim}：{'、'.join(region_values) or '无'}）未配置映射，拒绝访问"
        )
    name = claims.get(config.name_claim)
    return ExternalIdentity(
        issuer=config.issuer, subject=str(claims["sub"]), name=name if isinstance(name, str) else None,
        roles=roles, org_id=org_id, region_code=region_code,
    )


class ExternalIssuers:
    """The trusted outside issuers of one service, each with its cached JWKS."""

    #: A link is asked of the registry again after this many seconds (so a changed mapping takes effect).
    LINK_TTL_SECONDS = 300.0

    def __init__(
        self, issuers: list[ExternalIssuer], http: httpx.AsyncClient, linker: SubjectLinker, min_refresh_seconds: float
    ) -> None:
        self._issuers = {i.issuer: (i, RemoteJWKS(http, i.jwks_url, min_refresh_seconds)) for i in issuers}
        self._linker = linker
        self._links: dict[ExternalIdentity, tuple[str, float]] = {}

    def trusts(self, issuer: str | None) -> bool:
        return issuer is not None and issuer in self._issuers

    async def verify(self, token: str, kid: str, issuer: str) -> Principal:
        """Raises ``_jwt.TokenRejected`` (bad signature or claims) or an ``Unauthorized`` subclass."""
        config, keys = self._issuers[issuer]
        key = await keys(kid)
        if key is None:
            raise UnknownExternalKey()
        claims = _jwt.verify(token, key, issuer=config.issuer, audience=config.audience)
        identity = map_claims(config, claims)
        user_id = await self._local_user(identity)
        return Principal(
            subject=user_id,
            kind="user",
            roles=frozenset(identity.roles),
            org_id=identity.org_id,
            region_code=identity.region_code,
            token_id=claims.get("jti"),
            name=identity.name,
            claims={**claims, "external_issuer": identity.issuer, "external_subject": identity.subject},
        )

    async def _local_user(self, identity: ExternalIdentity) -> str:
        cached = self._links.get(identity)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        user_id = await self._linker(identity)
        self._links[identity] = (user_id, time.monotonic() + self.LINK_TTL_SECONDS)
        return user_id
