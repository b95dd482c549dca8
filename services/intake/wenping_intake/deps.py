"""FastAPI dependency aliases for the intake service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import OutboxRelay, Principal, ServiceClient, authenticate, db_session

from .config import IntakeSettings


def _settings(request: Request) -> IntakeSettings:
    return request.app.state.settings


def _peers(request: Request) -> ServiceClient:
    return request.app.state.peers


def _outbox(request: Request) -> OutboxRelay:
    return request.app.state.outbox


SessionDep = Annotated[AsyncSession, Depends(db_session, scope="function")]
SettingsDep = Annotated[IntakeSettings, Depends(_settings)]
PeersDep = Annotated[ServiceClient, Depends(_peers)]
OutboxDep = Annotated[OutboxRelay, Depends(_outbox)]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
