"""FastAPI dependency aliases for the review service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import OutboxRelay, Principal, ServiceClient, authenticate, db_session

from .config import ReviewSettings
from .sources import IntakeSource, RegistrySource


async def _settings(request: Request) -> ReviewSettings:
    return request.app.state.settings


async def _peers(request: Request) -> ServiceClient:
    return request.app.state.peers


async def _outbox(request: Request) -> OutboxRelay:
    return request.app.state.outbox


SessionDep = Annotated[AsyncSession, Depends(db_session, scope="function")]
SettingsDep = Annotated[ReviewSettings, Depends(_settings)]
PeersDep = Annotated[ServiceClient, Depends(_peers)]
OutboxDep = Annotated[OutboxRelay, Depends(_outbox)]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


async def _registry_source(request: Request) -> RegistrySource:
    return request.app.state.registry_source


async def _intake_source(request: Request) -> IntakeSource:
    return request.app.state.intake_source


RegistrySourceDep = Annotated[RegistrySource, Depends(_registry_source)]
IntakeSourceDep = Annotated[IntakeSource, Depends(_intake_source)]
