"""Refused changes go into the audit trail too (who tried what, and why it was refused).

Used by the expert and agency endpoints: the request's transaction is abandoned, so the entry is
written in its own transaction (audit.record_refusal rolls the request's back first).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Conflict, Forbidden, Principal

from ..audit import service as audit


@asynccontextmanager
async def refusals_audited(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    action: str,
    object_type: str,
    object_id: str | None,
    region_code: str | None = None,
) -> AsyncIterator[None]:
    """Audit a 403 (denied) or a business 409 (failed) raised inside the block, then re-raise."""
    try:
        yield
    except (Forbidden, Conflict) as error:
        await session.rollback()
        async with sessionmaker() as own:
            audit.record(own, principal, action, object_type, object_id, region_code=region_code,
                         changes={"reason": error.detail, "code": error.code},
                         result="denied" if isinstance(error, Forbidden) else "failed")
            await own.commit()
        raise
