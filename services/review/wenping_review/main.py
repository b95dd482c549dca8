"""The review service: checklists, prechecks, reviews, verdicts, feedback letters, return-reason statistics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from wenping_shared import audit_router, configure_logging, install_conventions, running_service

from .checklist import endpoints as checklists
from .config import ReviewSettings
from .database import AuditRecord, OutboxMessage
from .precheck import endpoints as precheck
from .region_configs import endpoints as region_configs
from .region_configs.service import RegionConfigCache
from .reviews import endpoints as reviews
from .sources import IntakeSource, RegistrySource
from .stats import endpoints as stats

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ReviewSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or ReviewSettings()
    configure_logging("review", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_service(
            app, settings, name="review", transport=transport, outbox_model=OutboxMessage, audit_model=AuditRecord
        ) as runtime:
            app.state.registry_source = RegistrySource(runtime.peers)
            app.state.intake_source = IntakeSource(runtime.peers)
            app.state.region_configs = RegionConfigCache(runtime.sessionmaker)
            yield

    app = FastAPI(
        title="稳评 · 审查服务（review）",
        version="1.0.0",
        description="审查标准（45 项）、预审、审查、结论与书面反馈意见。",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_conventions(app, settings, MIGRATIONS)
    for module in (checklists, precheck, reviews, region_configs, stats):
        app.include_router(module.router)
    app.include_router(audit_router("review"))
    return app
