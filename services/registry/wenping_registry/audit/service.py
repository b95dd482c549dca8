"""The audit trail: who did what, and who tried what and was refused.

A change is audited in the request's transaction (both commit or neither). A refusal is audited
with ``record_refusal`` (or the ``refusals_audited`` block), which commits the entry apart from
the request's transaction, since the refusal rolls that back (``wenping_shared.record_apart``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict, Unpack

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Conflict, Forbidden, Principal, current_request_id, record_apart

from .models import AuditEntry


class Details(TypedDict, total=False):
    """What an entry says besides who did what to which object."""

    region_code: str | None
    changes: dict[str, Any] | None
    result: str


def entry(actor: Principal | str, action: str, object_type: str, object_id: str | None, **details: Unpack[Details]) -> AuditEntry:
    return AuditEntry(
        actor=actor.subject if isinstance(actor, Principal) else actor,
        actor_roles=sorted(actor.roles) if isinstance(actor, Principal) else [],
        action=action,
        object_type=object_type,
        object_id=object_id,
        region_code=details.get("region_code"),
        changes=details.get("changes") or {},
        result=details.get("result", "success"),
        request_id=current_request_id(),
    )


def record(
    session: AsyncSession, actor: Principal | str, action: str, object_type: str, object_id: str | None,
    **details: Unpack[Details],
) -> AuditEntry:
    """Audit a change in the request's transaction."""
    audited = entry(actor, action, object_type, object_id, **details)
    session.add(audited)
    return audited


async def record_refusal(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    actor: Principal | str,
    action: str,
    object_type: str,
    object_id: str | None,
    *,
    changes: dict[str, Any],
    result: str = "denied",
    region_code: str | None = None,
    also: tuple[SQLModel, ...] = (),
) -> None:
    """Audit a refused (``denied``) or failed action durably; the caller raises the refusal next.
    ``also``: other rows that must outlive the rollback with it (a login failure)."""
    audited = entry(actor, action, object_type, object_id, region_code=region_code, changes=changes, result=result)
    await record_apart(session, sessionmaker, *also, audited)


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
        await record_refusal(
            session, sessionmaker, principal, action, object_type, object_id, region_code=region_code,
            changes={"reason": error.detail, "code": error.code},
            result="denied" if isinstance(error, Forbidden) else "failed",
        )
        raise
