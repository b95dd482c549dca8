"""The registry's own records in the service's security audit trail (``wenping_shared._audit``):
who did what, and who tried what and was refused, with the details only the registry knows
(``changes``, ``region_code``, kept in the record's ``detail``). A request that writes such records
gets no generic one besides.

A change is audited in the request's transaction (staged, chained just before the commit: both
commit or neither). A refusal is audited with ``record_refusal`` (or the ``refusals_audited``
block), which commits the record apart from the request's transaction, since the refusal rolls
that back (``wenping_shared.record_apart``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict, Unpack

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    AuditRecordFields,
    Conflict,
    Forbidden,
    Principal,
    new_audit_record,
    record_apart,
    stage_audit_record,
)

from .models import AuditEntry


class Details(TypedDict, total=False):
    """What an entry says besides who did what to which object."""

    region_code: str | None
    changes: dict[str, Any] | None
    result: str
    #: The HTTP status the refusal answers (a change's is its route's, filled in when it commits).
    status: int | None


def entry(
    actor: Principal | str, action: str, object_type: str, object_id: str | None, **details: Unpack[Details]
) -> AuditRecordFields:
    detail = {"changes": details.get("changes") or {}, "region_code": details.get("region_code")}
    return new_audit_record(AuditEntry, actor, action, object_type, object_id,
                            result=details.get("result", "success"), status=details.get("status"), detail=detail)


def record(
    session: AsyncSession, actor: Principal | str, action: str, object_type: str, object_id: str | None,
    **details: Unpack[Details],
) -> AuditRecordFields:
    """Audit a change in the request's transaction."""
    return stage_audit_record(session, entry(actor, action, object_type, object_id, **details))


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
    status: int | None = None,
    also: tuple[SQLModel, ...] = (),
) -> None:
    """Audit a refused (``denied``) or failed action durably; the caller raises the refusal next.
    ``also``: other rows that must outlive the rollback with it (a login failure)."""
    audited = entry(actor, action, object_type, object_id, region_code=region_code, changes=changes, result=result,
                    status=status)
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
            result="denied" if isinstance(error, Forbidden) else "failed", status=error.status,
        )
        raise
