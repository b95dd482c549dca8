"""FastAPI dependency aliases for the registry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    LimitedOperation,
    Principal,
    app_state,
    authenticate,
    db_session,
    rate_limited,
    require_roles,
    require_service,
)

from .config import RegistrySettings
from .database import RateWindow
from .keys import SigningKey

SessionDep = Annotated[AsyncSession, Depends(db_session, scope="function")]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(app_state("sessionmaker"))]
SettingsDep = Annotated[RegistrySettings, Depends(app_state("settings"))]
SigningKeyDep = Annotated[SigningKey, Depends(app_state("signing_key"))]
CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]
ReviewService = Annotated[Principal, Depends(require_service("review"))]
#: Intake or review (e.g. linking an outside identity they verified).
PeerService = Annotated[Principal, Depends(require_service("intake", "review"))]


def limited(operation: LimitedOperation) -> Any:
    """The caller's allowance of an expensive operation, spent before the route runs
    (``dependencies=[limited("exports")]``): 429 with Retry-After once it is used up (audited)."""
    return rate_limited(RateWindow, operation)
