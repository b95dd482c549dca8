"""The registry service: regions, organisations, users, tokens and keys, experts, agencies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import col, select

from wenping_shared import ProductionConfigError, ServiceRuntime, service_app
from wenping_shared._external import ExternalIdentity
from wenping_shared.demo import ACCOUNTS

from .agencies.endpoints import router as agencies_router
from .audit.models import AuditEntry
from .auth.endpoints import router as auth_router
from .config import RegistrySettings
from .database import OutboxMessage
from .draws.endpoints import router as draws_router
from .experts.endpoints import router as experts_router
from .identity.endpoints import router as identity_router
from .identity.external import ExternalIdentityIn, ExternalIdentityService
from .identity.models import User
from .keys import SigningKey, load_signing_key

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegistrySettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or RegistrySettings()

    # Both read ``app`` (bound below) only once it serves, after start-up.
    async def own_key(kid: str) -> dict[str, Any] | None:
        # The registry verifies its own tokens without an HTTP round trip to itself.
        key: SigningKey = app.state.signing_key
        return key.public_jwk_for(kid)

    async def link_here(identity: ExternalIdentity) -> str:
        # The registry links an outside subject in its own database (no call to itself).
        async with app.state.sessionmaker() as session:
            linked = await ExternalIdentityService(session, settings.external_issuers).link(
                "service:registry", ExternalIdentityIn.model_validate(identity.as_json())
            )
            await session.commit()
        return linked.user_id

    app = service_app(
        settings,
        title="稳评 · 注册服务（registry）",
        description="行政区划、单位、用户、令牌与密钥、专家库与抽取、第三方稳评机构与等级。",
        migrations=MIGRATIONS,
        routers=[auth_router, identity_router, experts_router, draws_router, agencies_router],
        transport=transport,
        outbox_model=OutboxMessage,
        audit_model=AuditEntry,
        key_lookup=own_key,
        subject_linker=link_here,
        while_running=_signing_key_and_demo_refusal,
    )
    return app


@asynccontextmanager
async def _signing_key_and_demo_refusal(
    app: FastAPI, runtime: ServiceRuntime, settings: RegistrySettings
) -> AsyncIterator[None]:
    # Loaded once running_service has refused a production misconfiguration, so a development key is
    # never generated for one; tokens are verified only once the app serves, after this.
    app.state.signing_key = await asyncio.to_thread(load_signing_key, settings)
    if settings.environment == "production":
        await _refuse_demo_accounts(app)
    yield


async def _refuse_demo_accounts(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session:
        demo = (await session.exec(select(User.username).where(col(User.username).in_([a[0] for a in ACCOUNTS])))).first()
    if demo is not None:
        raise ProductionConfigError("registry", [f"数据库中存在演示账号（{demo}），生产模式不得使用演示数据"])
