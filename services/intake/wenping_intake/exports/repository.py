"""Export queries: the project list's query (same filters, same visibility) read in keyset
batches, and each batch's key ledger dates in one GROUP BY; on SQLite, read without the memory map
and with a small page cache (``scanning``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal
from wenping_shared.contracts.vocab import ProjectStatus

from ..ledger.models import LedgerEntry
from ..projects.models import Project
from ..projects.repository import ProjectFilters, ProjectRepository

S = ProjectStatus
DECIDED = (S.implement, S.implement_with_measures, S.deferred, S.rejected)
#: Ledger states whose dates the export shows.
KEY_STATES = (S.filed, S.report_submitted, S.approved, *DECIDED, S.closed)

Key = tuple[dt.datetime, str]
#: SQLite page cache while an export scans (KiB): a one-pass scan reuses no page.
SCAN_CACHE_KIB = 1024


@asynccontextmanager
async def scanning(session: AsyncSession) -> AsyncIterator[None]:
    """On SQLite, this session's connection reads without its memory map and with a small page
    cache, restored after. A read connection maps up to 256 MB of the database and caches 64 MB:
    kept for lists, but an export touches every page once, and the mapped pages stay in the
    process's resident memory (a 100,000-project export: +85 MB of mapped file, measured)."""
    connection = await session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    mmap_size = int((await connection.exec_driver_sql("PRAGMA mmap_size")).scalar_one())
    cache_size = int((await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one())
    await connection.exec_driver_sql("PRAGMA mmap_size=0")
    await connection.exec_driver_sql(f"PRAGMA cache_size=-{SCAN_CACHE_KIB}")
    try:
        yield
    finally:
        await connection.exec_driver_sql(f"PRAGMA mmap_size={mmap_size}")
        await connection.exec_driver_sql(f"PRAGMA cache_size={cache_size}")


async def project_batch(
    session: AsyncSession, principal: Principal, filters: ProjectFilters, today: dt.date, after: Key | None, size: int
) -> Sequence[Project]:
    """The next ``size`` projects of the list's order (newest first) after ``after``."""
    query = ProjectRepository(session).select_visible(principal, filters, today)
    if after is not None:
        # One row-value comparison, which PostgreSQL takes as an index condition (the OR form of
        # it scanned from the top for every batch: an export's cost grew with its square).
        query = query.where(tuple_(col(Project.created_at), col(Project.id)) < tuple_(*after))
    query = query.order_by(col(Project.created_at).desc(), col(Project.id).desc()).limit(size)
    return (await session.exec(query)).all()


async def ledger_dates(session: AsyncSession, project_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """{project id: {to_status: (first, last) time}} for the key states."""
    if not project_ids:
        return {}
    query = (
        select(
            col(LedgerEntry.project_id),
            col(LedgerEntry.to_status),
            func.min(col(LedgerEntry.recorded_at)),
            func.max(col(LedgerEntry.recorded_at)),
        )
        .where(col(LedgerEntry.project_id).in_(list(project_ids)), col(LedgerEntry.to_status).in_(list(KEY_STATES)))
        .group_by(col(LedgerEntry.project_id), col(LedgerEntry.to_status))
    )
    out: dict[str, dict[str, Any]] = {}
    # sqlmodel's exec() has no overload for a select of columns mixed with SQL functions.
    for project_id, status, first, last in (await session.exec(query)).all():
        if status is not None:  # always: the query keeps the key states only
            out.setdefault(project_id, {})[status] = (first, last)
    return out
