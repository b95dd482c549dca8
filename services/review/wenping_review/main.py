"""The review service: projects, decision lists, reports as submitted, tracking, reminders, statistics, ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from wenping_shared import OutboxRelay, check_production, configure_logging, install_conventions, open_runtime

from .config import ReviewSettings
from .database import OutboxMessage

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ReviewSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or ReviewSettings()
    configure_logging("review", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_production("review", settings.production_problems())
        runtime = await open_runtime(app, settings, audience="review", transport=transport)
        relay = OutboxRelay(runtime.sessionmaker, OutboxMessage, runtime.peers, settings.outbox_poll_seconds)
        app.state.outbox = relay
        relay.start()
        try:
            yield
        finally:
            await relay.stop()
            await runtime.close()

    app = FastAPI(
        title="稳评 · 审查服务（review）",
        version="1.0.0",
        description="审查标准（45 项）、预审、审查、结论与书面反馈意见。",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_conventions(app, settings, MIGRATIONS)
    return app
