"""The test system: the three real apps wired together over in-process ASGI transports
(tests/apps_kit.py).

The database backend is chosen by WENPING_TEST_DB (sqlite, the default, or postgresql). On
PostgreSQL each test run gets fresh databases that are dropped afterwards; when CI=true and
PostgreSQL cannot be reached, every test fails instead of skipping.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from apps_kit import SUITE, clients, databases, migrate_and_seed, service_settings, started
from system_kit import PeerDown, RoutingTransport, WenpingSystem

from wenping_registry import passwords

# Tests hash many passwords; the production cost is for production.
passwords.configure(memory_cost_kib=8192, time_cost=1)


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
async def system(tmp_path_factory: pytest.TempPathFactory, run_id: str) -> AsyncIterator[WenpingSystem]:
    tmp = tmp_path_factory.mktemp("wenping")
    async with databases("wp_test", run_id) as urls:
        settings = service_settings(tmp, urls, SUITE)
        await migrate_and_seed(settings)
        transport = RoutingTransport()
        async with started(settings, transport, transport.apps) as apps, clients(transport) as service_clients:
            yield WenpingSystem(apps=apps, transport=transport, settings=settings, clients=service_clients)


@pytest.fixture
def peer_down(system: WenpingSystem) -> Iterator[PeerDown]:
    """Take a peer service off the network for one test: ``peer_down("review")``."""

    def take_down(name: str) -> None:
        system.transport.down.add(name)

    yield take_down
    system.transport.down.clear()
