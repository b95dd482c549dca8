"""The command line every service shares: ``python -m wenping_<service> migrate|seed|serve|audit-purge|audit-verify``."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

import uvicorn

from ._app import audit_trail
from ._audit import AuditRecordFields
from ._db import create_engine, create_sessionmaker
from ._metrics import reset_multiprocess_dir
from ._migrations import upgrade_to_head
from ._settings import ServiceSettings, check_production


def run_cli(
    service: str,
    settings_factory: Callable[[], ServiceSettings],
    app_factory: str,
    migrations: Path,
    seed: Callable[[ServiceSettings], Coroutine[Any, Any, Any]] | None = None,
    audit_model: type[AuditRecordFields] | None = None,
) -> None:
    """A service's ``__main__`` calls this with the collector off (``gc.disable()`` before its
    imports): while the modules load, the collector would walk the growing heap again and again,
    about a fifth of start-up's CPU (import and ``create_app``, 4.0 -> 3.0 s on a slow core)."""
    parser = argparse.ArgumentParser(prog=f"wenping-{service}")
    parser.add_argument("command", choices=["migrate", "seed", "serve", *(AUDIT_COMMANDS if audit_model else ())])
    args = parser.parse_args()
    if args.command != "serve":
        gc.enable()  # serve's lifespan turns it on (running_service), after freezing start-up's heap
    settings = settings_factory()
    if args.command in AUDIT_COMMANDS and audit_model is not None:
        outcome = asyncio.run(audit_command(args.command, settings, audit_model))
        print(f"{service}: {json.dumps(outcome, ensure_ascii=False, default=str)}")
        if outcome.get("intact") is False:
            raise SystemExit(1)
    elif args.command == "migrate":
        upgrade_to_head(migrations, settings.resolved_database_url)
        print(f"{service}: migrations applied")
    elif args.command == "seed":
        if settings.environment == "production":
            raise SystemExit(f"{service}: 生产模式下不得加载演示数据")
        if seed is not None:
            asyncio.run(seed(settings))
        print(f"{service}: demo data seeded")
    else:
        check_production(service, settings.production_problems())
        reset_multiprocess_dir()  # before the workers (WEB_CONCURRENCY) start writing their metrics
        uvicorn.run(app_factory, factory=True, **serve_options(settings))


AUDIT_COMMANDS = ("audit-purge", "audit-verify")


async def audit_command(command: str, settings: ServiceSettings, audit_model: type[AuditRecordFields]) -> dict[str, Any]:
    """``audit-purge``: remove the records older than ``audit_retention_days`` (leaving a signed
    checkpoint); ``audit-verify``: check the chain. For cron or an operator; the service need not run."""
    # Verifying only reads: on SQLite its transaction begins deferred and never waits for the write lock.
    engine = create_engine(settings.resolved_database_url, read_only=command == "audit-verify")
    try:
        trail = audit_trail(audit_model, settings)
        sessionmaker = create_sessionmaker(engine)
        if command == "audit-purge":
            return dataclasses.asdict(await trail.purge(sessionmaker, settings.audit_retention_days))
        async with sessionmaker() as session:
            return dataclasses.asdict(await trail.verify(session))
    finally:
        await engine.dispose()


class ServedSettings(Protocol):
    """What ``serve_options`` reads: a service's settings, or the portal's."""

    host: str
    port: int
    forwarded_allow_ips: str


def serve_options(settings: ServedSettings) -> dict[str, Any]:
    """uvicorn's options for ``serve``, the services' and the portal's."""
    trusted = settings.forwarded_allow_ips.strip()
    return {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        # httptools (pinned): the C HTTP parser, not uvicorn's pure-Python h11. Python's own event
        # loop, not uvloop: libuv accepts one connection per turn of its loop (libuv#3696), so when
        # 64 clients connect to a busy service the last waits 64 turns, each as long as the work
        # ready then: in a packet capture of GET by id under wrk -c64, the first requests of a run
        # were answered up to 0.5-0.9 s after they arrived, every run (p99 3-5x the bare app's).
        # asyncio accepts all that are waiting at once; steady throughput is the same here (a
        # service's time goes to its own Python, not the loop): p99 100-106 ms against 520 ms.
        "loop": "asyncio",
        "http": "httptools",
        # Longer than any proxy in front keeps an idle connection (ingress-nginx: 60 s), so the proxy,
        # not the service, closes it: never a POST sent on a connection the service is closing (502).
        "timeout_keep_alive": 75,
        # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise; only configured
        # proxies may name the client.
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or "",
    }
