"""The test system: the three real apps wired together over in-process ASGI transports.

The database backend is chosen by WENPING_TEST_DB (sqlite, the default, or postgresql). On
PostgreSQL each test run gets fresh databases that are dropped afterwards; when CI=true and
PostgreSQL cannot be reached, every test fails instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from system_kit import PeerDown, RoutingTransport, WenpingSystem

from wenping_intake.config import IntakeSettings
from wenping_intake.main import MIGRATIONS as INTAKE_MIGRATIONS
from wenping_intake.main import create_app as create_intake
from wenping_registry import passwords
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

# Tests hash many passwords; the production cost is for production.
passwords.configure(memory_cost_kib=8192, time_cost=1)


def backend() -> str:
    return os.environ.get("WENPING_TEST_DB", "sqlite")


async def _create_pg_databases(run_id: str) -> dict[str, str]:
    import asyncpg

    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        message = f"PostgreSQL 不可达（{PG_ADMIN_DSN}）：{exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "；CI 要求在 PostgreSQL 上运行测试", pytrace=False)
        pytest.skip(message)
    urls = {}
    try:
        for name in SERVICES:
            db = f"wp_test_{run_id}_{name}"
            await conn.execute(f'CREATE DATABASE "{db}"')
            urls[name] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
    finally:
        await conn.close()
    return urls


async def _drop_pg_databases(run_id: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        for name in SERVICES:
            await conn.execute(f'DROP DATABASE IF EXISTS "wp_test_{run_id}_{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _settings(tmp: Path, urls: dict[str, str]) -> dict[str, Any]:
    common: dict[str, Any] = {
        "environment": "test",
        "registry_url": HOSTS["registry"],
        "intake_url": HOSTS["intake"],
        "review_url": HOSTS["review"],
        "log_json": True,
        "log_level": "WARNING",
        "outbox_poll_seconds": 0.2,
        "http_retries": 1,
        # The suite shares demo principals across thousands of requests; the limits' own tests
        # lower these (tests/security_faults/test_rate_limits.py).
        "rate_limit_expert_draws": 100_000,
        "rate_limit_exports": 100_000,
        "rate_limit_prechecks": 100_000,
        "rate_limit_report_submissions": 100_000,
    }
    return {
        "registry": RegistrySettings(data_dir=tmp / "registry", database_url=urls.get("registry", ""), **common),
        "intake": IntakeSettings(data_dir=tmp / "intake", database_url=urls.get("intake", ""), **common),
        "review": ReviewSettings(data_dir=tmp / "review", database_url=urls.get("review", ""), **common),
    }


async def _migrate_and_seed(settings: dict[str, Any]) -> None:
    from wenping_intake.seed import seed_demo as seed_intake
    from wenping_registry.seed import seed_demo as seed_registry
    from wenping_review.seed import seed_demo as seed_review

    for name, migrations in (("registry", REGISTRY_MIGRATIONS), ("intake", INTAKE_MIGRATIONS), ("review", REVIEW_MIGRATIONS)):
        await asyncio.to_thread(upgrade_to_head, migrations, settings[name].resolved_database_url)
    await seed_registry(settings["registry"])
    await seed_intake(settings["intake"])
    await seed_review(settings["review"])


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
async def system(tmp_path_factory: pytest.TempPathFactory, run_id: str) -> AsyncIterator[WenpingSystem]:
    tmp = tmp_path_factory.mktemp("wenping")
    urls = await _create_pg_databases(run_id) if backend() == "postgresql" else {}
    try:
        settings = _settings(tmp, urls)
        await _migrate_and_seed(settings)
        transport = RoutingTransport()
        apps = {
            "registry": create_registry(settings["registry"], transport=transport),
            "intake": create_intake(settings["intake"], transport=transport),
            "review": create_review(settings["review"], transport=transport),
        }
        async with (
            LifespanManager(apps["registry"]) as registry,
            LifespanManager(apps["intake"]) as intake,
            LifespanManager(apps["review"]) as review,
        ):
            managed = {"registry": registry.app, "intake": intake.app, "review": review.app}
            for name, app in managed.items():
                transport.apps[name] = httpx.ASGITransport(app=app)
            system = WenpingSystem(apps=apps, transport=transport, settings=settings)
            for name in SERVICES:
                system.clients[name] = httpx.AsyncClient(transport=transport, base_url=HOSTS[name], timeout=30)
            try:
                yield system
            finally:
                for c in system.clients.values():
                    await c.aclose()
    finally:
        if urls:
            await _drop_pg_databases(run_id)


@pytest.fixture
def peer_down(system: WenpingSystem) -> Iterator[PeerDown]:
    """Take a peer service off the network for one test: ``peer_down("review")``."""

    def take_down(name: str) -> None:
        system.transport.down.add(name)

    yield take_down
    system.transport.down.clear()
