"""A service's app, built one way: its logging, the shared lifespan (``running_service``) around what
the service itself starts, the conventions, its routers and its audit trail's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import TypeVar

import httpx
from fastapi import APIRouter, FastAPI

from ._app import ServiceRuntime, install_conventions, running_service
from ._audit import AuditRecordFields, audit_router
from ._auth import KeyLookup
from ._external import SubjectLinker
from ._logging import configure_logging
from ._outbox import OutboxMessageFields
from ._settings import ServiceSettings

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)

#: What a service runs while it serves, beside the shared runtime: entered once the runtime is open
#: (and the outbox relay started), left before the runtime closes.
WhileRunning = Callable[[FastAPI, ServiceRuntime, SettingsT], AbstractAsyncContextManager[None]]


def service_app(
    settings: SettingsT,
    *,
    title: str,
    description: str,
    migrations: Path,
    routers: Iterable[APIRouter],
    transport: httpx.AsyncBaseTransport | None = None,
    outbox_model: type[OutboxMessageFields] | None = None,
    audit_model: type[AuditRecordFields] | None = None,
    key_lookup: KeyLookup | None = None,
    subject_linker: SubjectLinker | None = None,
    while_running: WhileRunning[SettingsT] | None = None,
) -> FastAPI:
    """The service's FastAPI app, named by its settings (``settings.service_name``); ``routers`` are
    included in the order given, the audit trail's last."""
    name = settings.service_name
    configure_logging(name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_service(
            app, settings, name=name, transport=transport, key_lookup=key_lookup, outbox_model=outbox_model,
            subject_linker=subject_linker, audit_model=audit_model,
        ) as runtime:
            async with while_running(app, runtime, settings) if while_running else nullcontext():
                yield

    app = FastAPI(title=title, version="1.0.0", description=description, lifespan=lifespan)
    app.state.settings = settings
    install_conventions(app, settings, migrations)
    for router in routers:
        app.include_router(router)
    app.include_router(audit_router(name))
    return app
