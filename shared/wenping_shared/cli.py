"""The command line every service shares: ``python -m wenping_<service> migrate|seed|serve|audit-purge|audit-verify``."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

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
    parser = argparse.ArgumentParser(prog=f"wenping-{service}")
    parser.add_argument("command", choices=["migrate", "seed", "serve", *(AUDIT_COMMANDS if audit_model else ())])
    args = parser.parse_args()
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


def serve_options(settings: ServiceSettings) -> dict[str, Any]:
    """uvicorn's options for ``serve``."""
    trusted = settings.forwarded_allow_ips.strip()
    return {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        # uvloop and httptools (both pinned): the C event loop and HTTP parser, not uvicorn's pure-Python fallbacks.
        # Longer than any proxy in front keeps an idle connection (ingress-nginx: 60 s), so the proxy,
        # not the service, closes it: never a POST sent on a connection the service is closing (502).
        "timeout_keep_alive": 75,
        "loop": "uvloop",
        "http": "httptools",
        # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise; only configured
        # proxies may name the client.
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or "",
    }
