"""Per-principal rate limits on the expensive operations (expert draws, exports, precheck, report
submission), kept in the service's own database so every process of a service spends from the
same allowance (an in-process counter would give each replica its own).

One row per (principal, operation): a fixed window that starts with the first request after the
previous window ended, and how much of the allowance it has spent. The row is read ``FOR UPDATE``
(PostgreSQL) or under SQLite's write lock, so two processes never both take the last request. The
count commits in a transaction of its own, before the work: a request that then fails still
counted, and a refusal is final (``TooManyRequests``, 429 with Retry-After, the seconds until the window ends)
and audited in every service (``_audit``: action ``rate_limit.<operation>``).

Limits are settings (``rate_limit_<operation>`` per ``rate_limit_window_seconds``; 0 turns one
off). Service tokens are our own services relaying work and are not limited.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Literal

from fastapi import Depends, Request
from sqlalchemy import Float
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ._audit import note_refusal
from ._auth import Principal, authenticate
from ._errors import TooManyRequests

logger = logging.getLogger("wenping.rate_limit")

#: The limited operations; each has a ``rate_limit_<name>`` setting.
LimitedOperation = Literal["expert_draws", "exports", "prechecks", "report_submissions"]

_LABELS: dict[str, str] = {
    "expert_draws": "抽取专家",
    "exports": "导出",
    "prechecks": "预审",
    "report_submissions": "报送报告",
}


class RateWindowFields(SQLModel):
    """Columns of a service's ``rate_window`` table."""

    principal: str = Field(primary_key=True, max_length=200)
    operation: str = Field(primary_key=True, max_length=40)
    #: Seconds since the epoch (UTC) when the current window began.
    started: float = Field(sa_type=Float, nullable=False)
    spent: int = Field(default=0, nullable=False)


def rate_window_table(base: type[SQLModel]) -> type[RateWindowFields]:
    """The ``rate_window`` table on a service's own metadata (``base``, its ``TableBase``)."""
    return type("RateWindow", (RateWindowFields, base), {"__tablename__": "rate_window"}, table=True)


async def spend(
    sessionmaker: async_sessionmaker[AsyncSession],
    table: type[RateWindowFields],
    principal: Principal,
    operation: str,
    *,
    limit: int,
    window_seconds: float,
) -> None:
    """Take one request from ``principal``'s allowance for ``operation``, or raise ``TooManyRequests``
    (429 with Retry-After)."""
    if limit <= 0:
        return
    now = time.time()
    async with sessionmaker() as session:
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        row_values = {"principal": principal.subject[:200], "operation": operation, "started": now, "spent": 0}
        await session.exec(insert(table).values(**row_values).on_conflict_do_nothing())  # type: ignore[call-overload]
        query = select(table).where(table.principal == row_values["principal"], table.operation == operation)
        window = (await session.exec(query.with_for_update())).one()
        if now - window.started >= window_seconds:
            window.started, window.spent = now, 0
        if window.spent >= limit:
            retry_after = max(1, math.ceil(window.started + window_seconds - now))
            await session.commit()
            # The refusal's audit record (written centrally, apart) says which allowance ran out.
            note_refusal(f"rate_limit.{operation}", {"operation": operation, "retry_after": retry_after})
            logger.warning("rate limited", extra={"principal": principal.subject, "operation": operation,
                                                  "retry_after": retry_after})
            label = _LABELS.get(operation, operation)
            raise TooManyRequests(f"{label}过于频繁，请 {retry_after} 秒后再试", headers={"Retry-After": str(retry_after)})
        window.spent += 1
        session.add(window)
        await session.commit()


def rate_limited(table: type[RateWindowFields], operation: LimitedOperation) -> Any:
    """A route dependency (``dependencies=[rate_limited(...)]``) spending one request of the
    caller's allowance before anything else runs. Users and integration clients are limited."""

    async def dependency(request: Request, principal: Principal = Depends(authenticate)) -> None:
        if principal.kind == "service":
            return
        settings = request.app.state.settings
        await spend(
            request.app.state.sessionmaker, table, principal, operation,
            limit=getattr(settings, f"rate_limit_{operation}"),
            window_seconds=settings.rate_limit_window_seconds,
        )

    dependency.rate_limited = True  # type: ignore[attr-defined]  # read by the OpenAPI completion (429)
    return Depends(dependency)
