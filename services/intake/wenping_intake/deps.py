"""FastAPI dependency aliases for the intake service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    LimitedOperation,
    OutboxRelay,
    Principal,
    ServiceClient,
    authenticate,
    db_session,
    rate_limited,
)

from .config import IntakeSettings
from .database import RateWindow


# async def, each of them: FastAPI runs a plain-def dependency in the thread pool (a thread hop per
# request for an attribute read; pyinstrument showed it under load).
async def _settings(request: Request) -> IntakeSettings:
    return request.app.state.settings


async def _peers(request: Request) -> ServiceClient:
    return request.app.state.peers


async def _outbox(request: Request) -> OutboxRelay:
    return request.app.state.outbox


SessionDep = Annotated[AsyncSession, Depends(db_session, scope="function")]
SettingsDep = Annotated[IntakeSettings, Depends(_settings)]
PeersDep = Annotated[ServiceClient, Depends(_peers)]
OutboxDep = Annotated[OutboxRelay, Depends(_outbox)]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def limited(operation: LimitedOperation) -> Any:
    """The caller's allowance of an expensive operation, spent before the route runs
    (``dependencies=[limited("exports")]``): 429 with Retry-After once it is used up."""
    return rate_limited(RateWindow, operation)
