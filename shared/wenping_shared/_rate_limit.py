"""Per-principal rate limits on the expensive operations (expert draws, exports, precheck, report
submission), kept in the service's own database so every process of a service spends from the
same allowance (an in-process counter would give each replica its own).

One row per (principal, operation): a fixed window that starts with the first request after the
previous window ended, and how much of the allowance it has spent. One upsert reads and counts it
(the row locked on PostgreSQL, SQLite's write lock held), so two processes never both take the last
request. The count commits on its own, before the work: a request that then fails still counted, and a refusal is final (``TooManyRequests``, 429 with Retry-After, the seconds until the window ends)
and audited in every service (``_audit``: action ``rate_limit.<operation>``).

Limits are settings (``rate_limit_<operation>`` per ``rate_limit_window_seconds``; 0 turns one
off). Service tokens are our own services relaying work and are not limited.
"""

from __future__ import annotations

import logging
import math
import time
from functools import cache
from typing import Any, Literal

from fastapi import Depends, Request
from sqlalchemy import Float, Integer, String, bindparam, case
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from ._audit import note_refusal
from ._auth import Principal, authenticate
from ._errors import TooManyRequests
from ._reader import driver_write

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


@cache
def _spend_statement(table: type[RateWindowFields], dialect: str) -> Any:
    """One statement takes a request from the allowance: it inserts the window's row, or starts a
    new window, or counts one more request while ``spent`` is under ``limit``, else marks the
    refusal (``spent`` = ``limit`` + 1), and returns the row (``started``, ``spent``). SET sees the
    row as it was, and the row is locked (PostgreSQL) or the database is (SQLite) while it runs."""
    columns: Any = table.__table__.c  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    now = bindparam("now", type_=Float)
    limit = bindparam("limit", type_=Integer)
    expired = now - columns.started >= bindparam("window_seconds", type_=Float)
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table.__table__).values(  # type: ignore[attr-defined]
        principal=bindparam("principal", type_=String), operation=bindparam("operation", type_=String), started=now, spent=1
    )
    return statement.on_conflict_do_update(
        index_elements=[columns.principal, columns.operation],
        set_={
            "started": case((expired, now), else_=columns.started),
            "spent": case((expired, 1), (columns.spent < limit, columns.spent + 1), else_=limit + 1),
        },
    ).returning(columns.started, columns.spent)


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
    engine: AsyncEngine = sessionmaker.kw["bind"]
    # One statement by the driver, outside any transaction (it commits on its own): as a session's
    # insert, locked read, update and commit it cost a precheck with its allowance 5.5 ms, now 2.3.
    rows = await driver_write(engine, _spend_statement(table, engine.dialect.name), {
        "principal": principal.subject[:200], "operation": operation, "now": now,
        "window_seconds": float(window_seconds), "limit": limit,
    })
    started, spent = float(rows[0][0]), int(rows[0][1])
    if spent > limit:
        retry_after = max(1, math.ceil(started + window_seconds - now))
        # The refusal's audit record (written centrally, apart) says which allowance ran out.
        note_refusal(f"rate_limit.{operation}", {"operation": operation, "retry_after": retry_after})
        logger.warning("rate limited", extra={"principal": principal.subject, "operation": operation,
                                              "retry_after": retry_after})
        label = _LABELS.get(operation, operation)
        raise TooManyRequests(f"{label}过于频繁，请 {retry_after} 秒后再试", headers={"Retry-After": str(retry_after)})


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
