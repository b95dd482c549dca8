"""FastAPI dependency aliases for the intake service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import OutboxRelay, Principal, ServiceClient, authenticate, db_session

from .config import IntakeSettings


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
