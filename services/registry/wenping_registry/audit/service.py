"""The audit trail. A successful change is audited in its own transaction (so both commit or neither);
a refusal is audited in a separate one (the request's transaction is rolled back)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, current_request_id

from .models import AuditEntry


def record(
    session: AsyncSession,
    actor: Principal | str,
    action: str,
    object_type: str,
    object_id: str | None,
    *,
    region_code: str | None = None,
    changes: dict[str, Any] | None = None,
    result: str = "success",
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor.subject if isinstance(actor, Principal) else actor,
        actor_roles=sorted(actor.roles) if isinstance(actor, Principal) else [],
        action=action,
        object_type=object_type,
        object_id=object_id,
        region_code=region_code,
        changes=changes or {},
        result=result,
        request_id=current_request_id(),
    )
    session.add(entry)
    return entry


async def record_refusal(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    actor: Principal | str,
    action: str,
    object_type: str,
    object_id: str | None,
    *,
    reason: str,
    region_code: str | None = None,
) -> None:
    # The request's transaction is abandoned anyway; end it first so it holds no write lock.
    await session.rollback()
    async with sessionmaker() as own:
        record(own, actor, action, object_type, object_id, region_code=region_code,
               changes={"reason": reason}, result="denied")
        await own.commit()
