"""FastAPI dependency aliases for the review service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import LimitedOperation, Principal, authenticate, db_session, rate_limited

from .database import RateWindow
from .sources import IntakeSource, RegistrySource

SessionDep = Annotated[AsyncSession, Depends(db_session, scope="function")]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


async def _registry_source(request: Request) -> RegistrySource:
    source: RegistrySource = request.app.state.registry_source
    return source


async def _intake_source(request: Request) -> IntakeSource:
    source: IntakeSource = request.app.state.intake_source
    return source


RegistrySourceDep = Annotated[RegistrySource, Depends(_registry_source)]
IntakeSourceDep = Annotated[IntakeSource, Depends(_intake_source)]


def limited(operation: LimitedOperation) -> Any:
    """The caller's allowance of an expensive operation, spent before the route runs
    (``dependencies=[limited("exports")]``): 429 with Retry-After once it is used up."""
    return rate_limited(RateWindow, operation)
