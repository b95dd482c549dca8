"""The portal, in process, in front of the three real apps of the test system."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from portal_kit import Browser
from wenping_portal.config import PortalSettings
from wenping_portal.main import create_app as create_portal


@pytest.fixture(scope="session")
async def portal_app(system: Any, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    peers = system.settings["intake"]
    settings = PortalSettings(
        environment="test", data_dir=tmp_path_factory.mktemp("portal"), registry_url=peers.registry_url,
        intake_url=peers.intake_url, review_url=peers.review_url, http_timeout_seconds=10, log_level="WARNING",
    )
    app = create_portal(settings, transport=system.transport)
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def person(portal_app: Any) -> AsyncIterator[Callable[[str], Awaitable[Browser]]]:
    """``await person("jx.fgw.filer")``: a browser signed in as that demo user."""
    opened: list[Browser] = []

    async def sign_in(username: str) -> Browser:
        browser = Browser(portal_app)
        opened.append(browser)
        response = await browser.sign_in(username)
        assert response.status_code == 200, response.text
        return browser

    yield sign_in
    for browser in opened:
        await browser.aclose()


@pytest.fixture
async def browser(portal_app: Any) -> AsyncIterator[Browser]:
    anonymous = Browser(portal_app)
    yield anonymous
    await anonymous.aclose()
