"""The intake service: projects, decision lists, reports as submitted, tracking, reminders, statistics, ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from wenping_shared import configure_logging, install_conventions, running_service

from .config import IntakeSettings
from .database import OutboxMessage
from .decision_lists.endpoints import router as decision_lists_router
from .exports.endpoints import router as exports_router
from .files.endpoints import router as files_router
from .ledger.endpoints import router as ledger_router
from .projects.endpoints import router as projects_router
from .reminders.endpoints import router as reminders_router
from .reports.endpoints import router as reports_router
from .stats.endpoints import router as stats_router
from .tracking.endpoints import router as tracking_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: IntakeSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    configure_logging("intake", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_service(app, settings, name="intake", transport=transport, outbox_model=OutboxMessage):
            yield

    app = FastAPI(
        title="稳评 · 受理服务（intake）",
        version="1.0.0",
        description="稳评项目报备、生命周期、评估报告报送、决策清单、跟踪问效、提醒、统计与电子台账。",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_conventions(app, settings, MIGRATIONS)
    app.include_router(exports_router)  # before projects: /projects/export.xlsx is not a project id
    app.include_router(projects_router)
    app.include_router(reports_router)
    app.include_router(files_router)
    app.include_router(ledger_router)
    app.include_router(decision_lists_router)
    app.include_router(tracking_router)
    app.include_router(reminders_router)
    app.include_router(stats_router)
    return app
