"""Fixtures of the integration-events tests (webhooks, outside identities, clearances)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from events_kit import EventsSystem, IdentityProvider, Receiver, events_system

from wenping_shared._settings import ExternalIssuer
from wenping_shared.demo import org_id

#: How the throwaway provider's claim values map to this platform (the same on all three services).
ROLE_MAP = {"WP_FILER": "filer", "WP_REVIEWER": "reviewer"}
ORG_MAP = {"JX-FGW": org_id("嘉兴市发展和改革委员会"), "JX-ZFW": org_id("嘉兴市委政法委")}
REGION_MAP = {"JX": "330400"}


@pytest.fixture(scope="session")
def idp() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
async def events(tmp_path_factory: pytest.TempPathFactory, idp: IdentityProvider) -> AsyncIterator[EventsSystem]:
    trusted = ExternalIssuer(
        issuer=idp.issuer, jwks_url=idp.jwks_url, audience="wenping", name="测试统一身份认证",
        role_map=ROLE_MAP, org_map=ORG_MAP, region_map=REGION_MAP,
    )
    async with events_system(tmp_path_factory.mktemp("events"), {"external_issuers": [trusted]}) as system:
        yield system


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()
