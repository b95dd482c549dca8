"""The intake service: projects, decision lists, reports as submitted, tracking, reminders, statistics, ledger."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from wenping_shared import ServiceRuntime, service_app

from .accountability.endpoints import router as accountability_router
from .appraisals.endpoints import router as appraisals_router
from .clearances.endpoints import router as clearances_router
from .clearances.keys import load_clearance_key
from .config import IntakeSettings
from .database import AuditRecord, OutboxMessage
from .decision_lists.endpoints import router as decision_lists_router
from .expert_opinions.endpoints import router as expert_opinions_router
from .exports.endpoints import router as exports_router
from .files.endpoints import router as files_router
from .inspections.endpoints import router as inspections_router
from .ledger.endpoints import router as ledger_router
from .models import metadata as _every_table  # noqa: F401  # every table, and the statistics tallies' flush hook
from .projects.endpoints import router as projects_router
from .reminders.endpoints import router as reminders_router
from .reports.endpoints import router as reports_router
from .risk_watch.endpoints import router as risk_watch_router
from .stats.endpoints import router as stats_router
from .stats.expert_opinions import router as expert_opinion_stats_router
from .targets.endpoints import router as targets_router
from .tracking.endpoints import router as tracking_router
from .webhooks.delivery import DeliveryPolicy, WebhookSender
from .webhooks.endpoints import router as webhooks_router
from .webhooks.events import WEBHOOK_DESTINATION
from .webhooks.reminders import ReminderSweep

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: IntakeSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    return service_app(
        settings or IntakeSettings(),
        title="稳评 · 受理服务（intake）",
        description="稳评项目报备、生命周期、评估报告报送、决策清单、跟踪问效、提醒、统计与电子台账。",
        migrations=MIGRATIONS,
        routers=[
            exports_router,  # before projects: /projects/export.xlsx is not a project id
            projects_router,
            reports_router,
            expert_opinions_router,
            files_router,
            ledger_router,
            decision_lists_router,
            tracking_router,
            reminders_router,
            stats_router,
            expert_opinion_stats_router,
            webhooks_router,
            clearances_router,
            targets_router,
            appraisals_router,
            inspections_router,
            accountability_router,
            risk_watch_router,
        ],
        transport=transport,
        outbox_model=OutboxMessage,
        audit_model=AuditRecord,
        while_running=_webhooks_and_reminders,
    )


@asynccontextmanager
async def _webhooks_and_reminders(
    app: FastAPI, runtime: ServiceRuntime, settings: IntakeSettings
) -> AsyncIterator[None]:
    # Registered before the relay's first pass (no await in between).
    sender = WebhookSender(runtime.sessionmaker, lambda: runtime.http, _delivery_policy(settings))
    app.state.outbox.register(WEBHOOK_DESTINATION, sender)
    app.state.webhook_sender = sender
    app.state.clearance_key = await asyncio.to_thread(load_clearance_key, settings)
    sweep = ReminderSweep(runtime.sessionmaker, settings.webhook_reminder_sweep_seconds)
    app.state.reminder_sweep = sweep
    sweep.start()
    try:
        yield
    finally:
        await sweep.stop()


def _delivery_policy(settings: IntakeSettings) -> DeliveryPolicy:
    return DeliveryPolicy(
        timeout_seconds=settings.webhook_timeout_seconds,
        retry_base_seconds=settings.webhook_retry_base_seconds,
        retry_max_seconds=settings.webhook_retry_max_seconds,
        max_attempts=settings.webhook_max_attempts,
        disable_after_failures=settings.webhook_disable_after_failures,
    )
