"""Fixtures of the integration-events tests (webhooks, outside identities, clearances)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from events_kit import EventsSystem, IdentityProvider, Receiver, events_system


@pytest.fixture(scope="session")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
async def events(tmp_path_factory: pytest.TempPathFactory, idp: IdentityProvider) -> AsyncIterator[EventsSystem]:
    async with events_system(tmp_path_factory.mktemp("events"), {}) as system:
        yield system


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()
