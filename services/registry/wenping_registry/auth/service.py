"""Issuing tokens: people by password, services and integration clients by client credentials.

Audience rules (binding, domain.md "Tokens"): a person's token carries all three services unless
the request names one with ``resource``; a service client must name exactly the one it will call;
an integration client may, and otherwise gets the services its scopes cover.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import AUDIENCES, utcnow
from wenping_shared.metrics import LOGIN_FAILURES
from wenping_shared.tokens import sign

from ..audit import service as audit
from ..config import RegistrySettings
from ..errors import InvalidClient, InvalidGrant, InvalidOAuthRequest, InvalidScope, InvalidTarget, TooManyFailures
from ..identity.models import ApiClient, LoginFailure, User
from ..keys import SigningKey
from ..passwords import verify_password

#: Which service each integration scope is for (scope ``projects:read`` -> ``intake``).
SCOPE_AUDIENCE = {
    "projects": "intake",
    "decision-lists": "intake",
    "stats": "intake",
    "webhooks": "intake",
    "clearances": "intake",
    "reviews": "review",
    "checklists": "review",
    "experts": "registry",
    "agencies": "registry",
    "regions": "registry",
}

#: Which peer each service may call.
SERVICE_PEERS = {
    "intake": {"registry", "review"},
    "review": {"registry", "intake"},
    # Expert draws read the project (decision body, implementing unit) from intake.
    "registry": {"intake"},
}


def _audiences(resource: str | None) -> list[str]:
    if resource is None:
        return list(AUDIENCES)
    if resource not in AUDIENCES:
        raise InvalidTarget(f"resource 须为 {'、'.join(AUDIENCES)} 之一")
    return [resource]


class TokenIssuer:
    def __init__(
        self,
        session: AsyncSession,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: RegistrySettings,
        key: SigningKey,
    ) -> None:
        self.session = session
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.key = key

    def _mint(self, sub: str, aud: list[str], ttl: int, extra: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.settings.jwt_issuer,
            "sub": sub,
            "aud": aud,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": str(uuid.uuid4()),
            **extra,
        }
        return {
            "access_token": sign(claims, self.key.private_pem, self.key.kid),
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": extra.get("scope", ""),
        }

    async def _throttled(self, username: str, address: str) -> bool:
        since = utcnow() - timedelta(seconds=self.settings.login_window_seconds)
        per_account = await self.session.exec(
            select(func.count()).select_from(LoginFailure).where(LoginFailure.username == username, col(LoginFailure.at) >= since)
        )
        per_address = await self.session.exec(
            select(func.count()).select_from(LoginFailure).where(LoginFailure.address == address, col(LoginFailure.at) >= since)
        )
        return (per_account.one() >= self.settings.login_max_failures_per_account
                or per_address.one() >= self.settings.login_max_failures_per_address)

    async def _record_failure(self, username: str, address: str, reason: str) -> None:
        # Kept although the error that follows rolls the request back: it counts towards the limit.
        await audit.record_refusal(self.session, self.sessionmaker, f"login:{username[:64]}", "auth.login", "user",
                                   None, changes={"address": address, "reason": reason}, status=InvalidGrant.status,
                                   also=(LoginFailure(username=username[:64], address=address[:64]),))
        LOGIN_FAILURES.labels(reason).inc()

    async def password_grant(self, username: str, password: str, resource: str | None, address: str) -> dict[str, Any]:
        if not username or not password:
            raise InvalidOAuthRequest("缺少用户名或密码")
        if await self._throttled(username, address):
            raise TooManyFailures(
                "登录失败次数过多，请稍后再试",
                headers={"Retry-After": str(self.settings.login_window_seconds)},
            )
        aud = _audiences(resource)
        user = (await self.session.exec(select(User).where(User.username == username))).first()
        ok = await verify_password(user.password_hash if user else None, password)
        if user is None or not ok or not user.is_active:
            await self._record_failure(username, address, "bad_credentials" if ok is False else "inactive")
            raise InvalidGrant()
        # A successful login clears the account's failure streak.
        await self.session.exec(delete(LoginFailure).where(col(LoginFailure.username) == username))
        audit.record(self.session, user.id, "auth.login", "user", user.id, region_code=user.region_code,
                     changes={"address": address, "audience": aud})
        return self._mint(
            user.id,
            aud,
            self.settings.access_token_ttl_seconds,
            {
                "roles": list(user.roles),
                "org_id": user.org_id,
                "region_code": user.region_code,
                "scope": "",
                "name": user.display_name,
                "preferred_username": user.username,
            },
        )

    async def client_credentials_grant(
        self, client_id: str, client_secret: str, resource: str | None, scope: str | None, address: str
    ) -> dict[str, Any]:
        if not client_id or not client_secret:
            raise InvalidClient("缺少 client_id 或 client_secret")
        if await self._throttled(f"client:{client_id}", address):
            raise TooManyFailures("认证失败次数过多，请稍后再试",
                                  headers={"Retry-After": str(self.settings.login_window_seconds)})
        client = await self.session.get(ApiClient, client_id)
        ok = await verify_password(client.secret_hash if client else None, client_secret)
        if client is None or not ok or not client.is_active:
            await self._record_failure(f"client:{client_id}", address, "bad_client_credentials")
            raise InvalidClient("客户端认证失败")
        if client.kind == "service":
            assert client.service_name is not None
            if resource is None:
                raise InvalidTarget("服务客户端须用 resource 参数指明要调用的服务")
            if resource not in SERVICE_PEERS.get(client.service_name, set()):
                raise InvalidTarget(f"服务 {client.service_name} 无权调用 {resource}")
            return self._mint(f"service:{client.service_name}", [resource], self.settings.service_token_ttl_seconds,
                              {"roles": ["service"], "scope": "service", "org_id": None, "region_code": None})
        granted = set(client.scopes)
        if scope:
            requested = set(scope.split())
            if not requested <= granted:
                raise InvalidScope(f"未授权的 scope：{' '.join(sorted(requested - granted))}")
            granted = requested
        covered = sorted({SCOPE_AUDIENCE[s.split(":")[0]] for s in granted if s.split(":")[0] in SCOPE_AUDIENCE})
        if resource is not None:
            if resource not in covered:
                raise InvalidTarget(f"客户端的 scope 不包含服务 {resource}")
            covered = [resource]
        if not covered:
            raise InvalidScope("客户端没有可用的 scope")
        return self._mint(f"client:{client.client_id}", covered, self.settings.service_token_ttl_seconds,
                          {"roles": ["integration"], "scope": " ".join(sorted(granted)), "org_id": None,
                           "region_code": client.region_code, "name": client.name})
