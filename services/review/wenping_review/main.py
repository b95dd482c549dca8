"""The review service: checklists, prechecks, reviews, verdicts, feedback letters, return-reason statistics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from wenping_shared import ServiceRuntime, service_app

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
    return service_app(
        settings or ReviewSettings(),
        title="稳评 · 审查服务（review）",
        description="审查标准（45 项）、预审、审查、结论与书面反馈意见。",
        migrations=MIGRATIONS,
        routers=[module.router for module in (checklists, precheck, reviews, region_configs, stats)],
        transport=transport,
        outbox_model=OutboxMessage,
        audit_model=AuditRecord,
        while_running=_sources_and_configs,
    )


@asynccontextmanager
async def _sources_and_configs(app: FastAPI, runtime: ServiceRuntime, settings: ReviewSettings) -> AsyncIterator[None]:
    app.state.registry_source = RegistrySource(runtime.peers)
    app.state.intake_source = IntakeSource(runtime.peers)
    app.state.region_configs = RegionConfigCache(runtime.sessionmaker)
    yield
