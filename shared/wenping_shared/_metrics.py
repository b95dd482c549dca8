"""Prometheus metrics: requests by route template and status, latency, the outbox backlog, review
verdicts, expert draws, login failures and database pool use, on ``GET /metrics``.

Several workers (``WEB_CONCURRENCY``) share one set of numbers through prometheus-client's
multiprocess mode: with ``PROMETHEUS_MULTIPROC_DIR`` set (the images set it), every worker writes
its counters to files there and ``/metrics``, whichever worker answers, reads them all. ``serve``
empties the folder before the workers start. Without it (development, tests) the numbers are the
one process's own. The outbox figures are read from the database at scrape time, so they are the
same whoever answers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROCESS_DIR_ENV)
    return Path(value) if value else None


def reset_multiprocess_dir() -> None:
    """Before the workers start: numbers of an earlier run must not be added to this one's."""
    folder = multiprocess_dir()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


if (_folder := multiprocess_dir()) is not None:
    _folder.mkdir(parents=True, exist_ok=True)

REQUESTS = Counter(
    "wenping_http_requests_total", "HTTP requests by method, route template and status", ["method", "route", "status"]
)
LATENCY = Histogram(
    "wenping_http_request_duration_seconds",
    "HTTP request latency by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REVIEW_VERDICTS = Counter("wenping_review_verdicts_total", "Reviews decided, by verdict", ["verdict"])
EXPERT_DRAWS = Counter("wenping_expert_draws_total", "Expert draws, by outcome", ["outcome"])
LOGIN_FAILURES = Counter("wenping_login_failures_total", "Failed logins and client authentications, by reason", ["reason"])
DB_POOL_IN_USE = Gauge(
    "wenping_db_pool_connections_in_use",
    "Database connections checked out of the pool (all workers)",
    ["pool"],
    multiprocess_mode="livesum",
)


def watch_pool(engine: AsyncEngine, name: str = "write") -> None:
    """Count connections in use through the pool's own checkout/checkin events."""
    gauge = DB_POOL_IN_USE.labels(pool=name)

    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(*_: Any) -> None:
        gauge.inc()

    @event.listens_for(engine.sync_engine, "checkin")
    def _checkin(*_: Any) -> None:
        gauge.dec()


def record_request(scope: Scope, status: int, seconds: float) -> None:
    """Count and time a finished request under its route template (``/api/v1/projects/{project_id}``),
    so ids never become label values; requests that match no route count as ``unmatched``.
    ``RequestContextMiddleware`` calls it for every HTTP request."""
    template = getattr(scope.get("route"), "path", None) or "unmatched"
    if template != "/metrics":
        method = scope["method"]
        REQUESTS.labels(method, template, str(status)).inc()
        LATENCY.labels(method, template).observe(seconds)


class _Snapshot:
    """Figures read at scrape time, exposed as gauges."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


def outbox_families(pending: int, oldest_age_seconds: float | None, dead: int) -> list[Metric]:
    return [
        GaugeMetricFamily("wenping_outbox_pending_messages", "Outbox messages not yet delivered", value=pending),
        GaugeMetricFamily(
            "wenping_outbox_oldest_pending_age_seconds",
            "Age of the oldest undelivered outbox message (0 when none)",
            value=oldest_age_seconds or 0.0,
        ),
        GaugeMetricFamily("wenping_outbox_dead_messages", "Outbox messages given up after rejections", value=dead),
    ]


def exposition(extra: list[Metric]) -> tuple[bytes, str]:
    """The text format of this process's (or all workers') metrics plus ``extra``."""
    registry = CollectorRegistry()
    if multiprocess_dir() is not None:
        MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        body = generate_latest(REGISTRY)
    snapshot = CollectorRegistry()
    snapshot.register(_Snapshot(extra))
    return body + generate_latest(snapshot), CONTENT_TYPE_LATEST
