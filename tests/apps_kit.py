"""The three real apps in process, wired over in-process ASGI transports: the run's databases
(SQLite files, or with WENPING_TEST_DB=postgresql scratch PostgreSQL databases dropped afterwards),
migrated and seeded, and the apps' lifespans. One way for every in-process system: the suite's
(tests/conftest.py), the integration-events system and the fuzzer's.

When CI=true and PostgreSQL cannot be reached, a test fails instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from wenping_intake.config import IntakeSettings
from wenping_intake.main import MIGRATIONS as INTAKE_MIGRATIONS
from wenping_intake.main import create_app as create_intake
from wenping_registry.config import RegistrySettings
from wenping_registry.main import MIGRATIONS as REGISTRY_MIGRATIONS
from wenping_registry.main import create_app as create_registry
from wenping_review.config import ReviewSettings
from wenping_review.main import MIGRATIONS as REVIEW_MIGRATIONS
from wenping_review.main import create_app as create_review
from wenping_shared import upgrade_to_head

SERVICES = ("intake", "review", "registry")
HOSTS = {name: f"http://{name}.test" for name in SERVICES}
PG_ADMIN_DSN = os.environ.get("WENPING_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")

#: What every in-process system sets: peers at their .test hosts, quiet logs, one retry.
COMMON: dict[str, Any] = {
    "environment": "test",
    "registry_url": HOSTS["registry"],
    "intake_url": HOSTS["intake"],
    "review_url": HOSTS["review"],
    "log_level": "WARNING",
    "http_retries": 1,
}

#: The suite's settings (tests/conftest.py's system, the fuzzer's).
SUITE: dict[str, Any] = {
    **COMMON,
    "log_json": True,
    "outbox_poll_seconds": 0.2,
    # The suite shares demo principals across thousands of requests; the limits' own tests
    # lower these (tests/security_faults/test_rate_limits.py).
    "rate_limit_expert_draws": 100_000,
    "rate_limit_exports": 100_000,
    "rate_limit_prechecks": 100_000,
    "rate_limit_report_submissions": 100_000,
}


def backend() -> str:
    return os.environ.get("WENPING_TEST_DB", "sqlite")


async def _admin() -> Any:
    import asyncpg

    try:
        return await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        message = f"PostgreSQL 不可达（{PG_ADMIN_DSN}）：{exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "；CI 要求在 PostgreSQL 上运行测试", pytrace=False)
        pytest.skip(message)


@asynccontextmanager
async def databases(prefix: str, run_id: str) -> AsyncIterator[dict[str, str]]:
    """``{service: database URL}`` of fresh PostgreSQL databases named ``<prefix>_<run_id>_<service>``,
    dropped afterwards; on SQLite ``{}`` (each service's file in its data directory)."""
    if backend() != "postgresql":
        yield {}
        return
    names = {name: f"{prefix}_{run_id}_{name}" for name in SERVICES}

    async def each(statement: str) -> None:
        conn = await _admin()
        try:
            for database in names.values():
                await conn.execute(statement.format(database))
        finally:
            await conn.close()

    await each('CREATE DATABASE "{}"')
    try:
        yield {name: f"postgresql+asyncpg://postgres@127.0.0.1:5432/{db}" for name, db in names.items()}
    finally:
        await each('DROP DATABASE IF EXISTS "{}" WITH (FORCE)')


@asynccontextmanager
async def served(app: Any, **options: Any) -> AsyncIterator[str]:
    """``app`` served by a real uvicorn in this process on a free port (no lifespan: the app is
    started already), stopped afterwards. Yields its base URL."""
    config = uvicorn.Config(app, **{"host": "127.0.0.1", **options, "port": 0, "loop": "asyncio", "lifespan": "off",
                                    "log_level": "warning"})
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(250):
            if server.started:
                break
            await asyncio.sleep(0.02)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


def service_settings(
    tmp: Path, urls: dict[str, str], common: dict[str, Any], intake: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Each service's settings: its data directory under ``tmp``, its database, ``common`` (and
    ``intake`` for intake alone)."""
    return {
        "registry": RegistrySettings(data_dir=tmp / "registry", database_url=urls.get("registry", ""), **common),
        "intake": IntakeSettings(data_dir=tmp / "intake", database_url=urls.get("intake", ""), **(intake or {}),
                                 **common),
        "review": ReviewSettings(data_dir=tmp / "review", database_url=urls.get("review", ""), **common),
    }


async def migrate_and_seed(settings: dict[str, Any]) -> None:
    from wenping_intake.seed import seed_demo as seed_intake
    from wenping_registry.seed import seed_demo as seed_registry
    from wenping_review.seed import seed_demo as seed_review

    for name, migrations in (("registry", REGISTRY_MIGRATIONS), ("intake", INTAKE_MIGRATIONS), ("review", REVIEW_MIGRATIONS)):
        await asyncio.to_thread(upgrade_to_head, migrations, settings[name].resolved_database_url)
    await seed_registry(settings["registry"])
    await seed_intake(settings["intake"])
    await seed_review(settings["review"])


@asynccontextmanager
async def started(
    settings: dict[str, Any], transport: httpx.AsyncBaseTransport, routes: dict[str, httpx.ASGITransport]
) -> AsyncIterator[dict[str, FastAPI]]:
    """The three apps (calling their peers through ``transport``), started; ``routes`` gets each
    started app's ASGI transport. Yields the apps; stops them afterwards (review, intake, registry)."""
    apps = {
        "registry": create_registry(settings["registry"], transport=transport),
        "intake": create_intake(settings["intake"], transport=transport),
        "review": create_review(settings["review"], transport=transport),
    }
    async with AsyncExitStack() as stack:
        managed = {name: await stack.enter_async_context(LifespanManager(app)) for name, app in apps.items()}
        for name, manager in managed.items():  # routed once all three have started
            routes[name] = httpx.ASGITransport(app=manager.app)
        yield apps


@asynccontextmanager
async def clients(transport: httpx.AsyncBaseTransport) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A client per service at its .test host, closed afterwards."""
    async with AsyncExitStack() as stack:
        yield {
            name: await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url=HOSTS[name], timeout=30))
            for name in SERVICES
        }
