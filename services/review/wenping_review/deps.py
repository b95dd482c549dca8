"""FastAPI dependency aliases for the review service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import OutboxRelay, Principal, ServiceClient, authenticate, db_session

from .config import ReviewSettings
from .sources import IntakeSource, RegistrySource


async def _settings(request: Request) -> ReviewSettings:
    settings: ReviewSettings = request.app.state.settings
    return settings


async def _peers(request: Request) -> ServiceClient:
    peers: ServiceClient = request.app.state.peers
    return peers


async def _outbox(request: Request) -> OutboxRelay:
    relay: OutboxRelay = request.app.state.outbox
    return relay


SessionDep = Annotated[AsyncSession, Depends(db_session, scope="function")]
SettingsDep = Annotated[ReviewSettings, Depends(_settings)]
PeersDep = Annotated[ServiceClient, Depends(_peers)]
OutboxDep = Annotated[OutboxRelay, Depends(_outbox)]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


async def _registry_source(request: Request) -> RegistrySource:
    source: RegistrySource = request.app.state.registry_source
    return source


async def _intake_source(request: Request) -> IntakeSource:
    source: IntakeSource = request.app.state.intake_source
    return source


RegistrySourceDep = Annotated[RegistrySource, Depends(_registry_source)]
IntakeSourceDep = Annotated[IntakeSource, Depends(_intake_source)]
