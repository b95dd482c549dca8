"""Sessions every portal process shares, and the registry's sign-in limit counting the person's
address (which the portal names in X-Forwarded-For), not the portal's."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from apps_kit import served
from asgi_lifespan import LifespanManager
from portal_kit import COOKIE, Browser
from wenping_portal.config import PortalSettings
from wenping_portal.main import create_app as create_portal

from wenping_registry.config import RegistrySettings
from wenping_shared.cli import serve_options


def _settings(system: Any, data_dir: Path, **changes: Any) -> PortalSettings:
    peers = system.settings["intake"]
    values: dict[str, Any] = {
        "environment": "test", "data_dir": data_dir, "registry_url": peers.registry_url, "intake_url": peers.intake_url,
        "review_url": peers.review_url, "http_timeout_seconds": 10, "log_level": "WARNING",
        "secret_key": "a-key-both-portal-processes-share",
    }
    return PortalSettings(**{**values, **changes})


@contextlib.asynccontextmanager
async def _portal(settings: PortalSettings, transport: Any = None) -> AsyncIterator[Any]:
    app = create_portal(settings, transport=transport)
    async with LifespanManager(app):
        yield app


async def test_two_portal_processes_share_sessions_and_a_sign_out_ends_it_in_both(
    system: Any, tmp_path: Path
) -> None:
    settings = _settings(system, tmp_path)
    async with _portal(settings, system.transport) as first, _portal(settings, system.transport) as second:
        on_first = Browser(first)
        assert (await on_first.sign_in("jx.fgw.filer")).url.path == "/projects"
        on_second = Browser(second)
        on_second.client.cookies.set(COOKIE, on_first.client.cookies[COOKIE])
        page = await on_second.get("/projects")
        assert page.url.path == "/projects" and "我的项目" in page.text  # the other process knows the session
        # A message set by one process is shown once, by whichever serves the next page.
        refused = await on_second.post("/projects/new", {"title": "缺少子类", "category": "project"})
        assert "工程子类" in refused.text
        assert (await on_first.get("/projects")).status_code == 200
        # Signing out on the second ends the session on the first too.
        stolen = on_first.client.cookies[COOKIE]
        await on_second.post("/sign-out")
        on_first.client.cookies.set(COOKIE, stolen)
        assert (await on_first.get("/projects")).url.path == "/"
        # A cookie signed with another key is nobody's session.
        async with _portal(_settings(system, tmp_path, secret_key="another-portal-secret-key")) as other:
            outsider = Browser(other)
            signed_in = Browser(first)
            await signed_in.sign_in("jx.fgw.filer")
            outsider.client.cookies.set(COOKIE, signed_in.client.cookies[COOKIE])
            assert (await outsider.get("/projects")).url.path == "/"
            await outsider.aclose()
            await signed_in.aclose()
        await on_first.aclose()
        await on_second.aclose()


async def test_failed_sign_ins_through_the_portal_are_counted_per_person(system: Any, tmp_path: Path) -> None:
    """The registry trusts the portal's address (as ``make run`` configures it): one person's
    failures lock that person's address, not everybody signing in through the portal."""
    limit = system.apps["registry"].state.settings.login_max_failures_per_address
    mallory = f"198.51.100.{random.randint(1, 254)}"
    alice = f"203.0.113.{random.randint(1, 254)}"
    # The registry behind a real uvicorn with the ``serve`` command's options.
    serving = serve_options(RegistrySettings(environment="test", forwarded_allow_ips="127.0.0.1"))
    async with served(system.apps["registry"], **serving) as registry:
        async with _portal(_settings(system, tmp_path, registry_url=registry)) as portal:
            guesser = Browser(portal, address=mallory)
            for attempt in range(limit):
                # A different name each time: the per-account limit never trips, only the per-address one.
                wrong = await guesser.sign_in(f"nobody-{attempt}", "guess")
                assert wrong.status_code == 400 and "用户名或密码错误" in wrong.text
            locked = await guesser.sign_in("jx.fgw.filer")
            assert locked.status_code == 429 and "Retry-After" in locked.headers
            assert "过多" in locked.text
            other = Browser(portal, address=alice)
            answer = await other.sign_in("jx.fgw.filer")
            assert answer.url.path == "/projects", answer.text[-2000:]
            await guesser.aclose()
            await other.aclose()
