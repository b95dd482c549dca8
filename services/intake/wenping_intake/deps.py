"""FastAPI dependency aliases for the intake service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    LimitedOperation,
    OutboxRelay,
    Principal,
    Reader,
    ServiceClient,
    app_state,
    authenticate,
    db_session,
    rate_limited,
    read_session,
)

from .config import IntakeSettings
from .database import RateWindow

SessionDep = Annotated[AsyncSession, Depends(db_session, scope="function")]
#: For GET routes that only read: no transaction to open and commit, a session that refuses to write.
ReadSessionDep = Annotated[AsyncSession, Depends(read_session, scope="function")]
#: For the reads clients poll (a project, the list): one statement at a time, no session.
ReaderDep = Annotated[Reader, Depends(app_state("reader"))]
SettingsDep = Annotated[IntakeSettings, Depends(app_state("settings"))]
PeersDep = Annotated[ServiceClient, Depends(app_state("peers"))]
OutboxDep = Annotated[OutboxRelay, Depends(app_state("outbox"))]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def limited(operation: LimitedOperation) -> Any:
    """The caller's allowance of an expensive operation, spent before the route runs
    (``dependencies=[limited("exports")]``): 429 with Retry-After once it is used up."""
    return rate_limited(RateWindow, operation)
