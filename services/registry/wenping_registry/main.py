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

from wenping_shared import (
    ProductionConfigError,
    audit_router,
    check_production,
    configure_logging,
    install_conventions,
    running_service,
)
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
from .keys import load_signing_key

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegistrySettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    configure_logging("registry", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Refuse a production misconfiguration before a development key could be generated.
        check_production("registry", settings.production_problems())
        key = await asyncio.to_thread(load_signing_key, settings)
        app.state.signing_key = key

        async def own_key(kid: str) -> dict[str, Any] | None:
            # The registry verifies its own tokens without an HTTP round trip to itself.
            return key.public_jwk_for(kid)

        async def link_here(identity: ExternalIdentity) -> str:
            # The registry links an outside subject in its own database (no call to itself).
            async with app.state.sessionmaker() as session:
                linked = await ExternalIdentityService(session, settings.external_issuers).link(
                    "service:registry", ExternalIdentityIn.model_validate(identity.as_json())
                )
                await session.commit()
            return linked.user_id

        async with running_service(
            app, settings, name="registry", transport=transport, key_lookup=own_key, subject_linker=link_here,
            audit_model=AuditEntry, outbox_model=OutboxMessage,
        ):
            if settings.environment == "production":
                await _refuse_demo_accounts(app)
            yield

    app = FastAPI(
        title="稳评 · 注册服务（registry）",
        version="1.0.0",
        description="行政区划、单位、用户、令牌与密钥、专家库与抽取、第三方稳评机构与等级。",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_conventions(app, settings, MIGRATIONS)
    app.include_router(auth_router)
    app.include_router(identity_router)
    app.include_router(experts_router)
    app.include_router(draws_router)
    app.include_router(agencies_router)
    app.include_router(audit_router("registry"))
    return app


async def _refuse_demo_accounts(app: FastAPI) -> None:
    async with app.state.sessionmaker() as session:
        demo = (await session.exec(select(User.username).where(col(User.username).in_([a[0] for a in ACCOUNTS])))).first()
    if demo is not None:
        raise ProductionConfigError("registry", [f"数据库中存在演示账号（{demo}），生产模式不得使用演示数据"])
