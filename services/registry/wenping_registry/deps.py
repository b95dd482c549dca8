"""FastAPI dependency aliases for the registry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    LimitedOperation,
    Principal,
    authenticate,
    db_session,
    rate_limited,
    require_roles,
    require_service,
)

from .config import RegistrySettings
from .database import RateWindow
from .keys import SigningKey


# async def, each of them: FastAPI runs a plain-def dependency in the thread pool (a thread hop per
# request for an attribute read).
async def _settings(request: Request) -> RegistrySettings:
    return request.app.state.settings


async def _signing_key(request: Request) -> SigningKey:
    return request.app.state.signing_key


async def _sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessionmaker


SessionDep = Annotated[AsyncSession, Depends(db_session, scope="function")]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessionmaker)]
SettingsDep = Annotated[RegistrySettings, Depends(_settings)]
SigningKeyDep = Annotated[SigningKey, Depends(_signing_key)]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]
ReviewService = Annotated[Principal, Depends(require_service("review"))]
#: Intake or review (e.g. linking an outside identity they verified).
PeerService = Annotated[Principal, Depends(require_service("intake", "review"))]


def limited(operation: LimitedOperation) -> Any:
    """The caller's allowance of an expensive operation, spent before the route runs
    (``dependencies=[limited("exports")]``): 429 with Retry-After once it is used up (audited)."""
    return rate_limited(RateWindow, operation)
