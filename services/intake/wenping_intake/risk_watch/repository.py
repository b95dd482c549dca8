"""Risk-watch queries: the board's two aggregates, the register, the flags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, func, union_all
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import PageParams, Principal, Reader

from ..projects.access import in_region_subtree, visible_filter
from ..projects.models import Project
from ..projects.repository import PUBLIC_COLUMNS
from .models import WarningEntry, WarningFlag

#: The filing comparison reads at most this many of a province's newest entries (Jiaxing enters
#: about 14 a year: the bound only keeps a pathological register from slowing every filing).
COMPARED_ENTRIES = 5000
UNKNOWN_LEVEL = "unknown"
#: One statement object for every read of a project by id: SQLAlchemy memoizes a statement's
#: cache key on the object, and building the key of a fresh 50-column select cost more CPU
#: than the rest of the statement's execution (cProfile of GET /api/v1/projects/{id}). The
#: project's public columns of the table (Core: a row, no ORM object, no identity map; the read
#: session never writes) and whether it has flags.
_PROJECT = Project.__table__  # type: ignore[attr-defined]
_FLAGGED = exists().where(WarningFlag.__table__.c.project_id == _PROJECT.c.id).label("flagged")  # type: ignore[attr-defined]
PROJECT_FLAGGED = select(*(*PUBLIC_COLUMNS, _FLAGGED)).where(_PROJECT.c.id == bindparam("project_id"))


def _board_clauses(principal: Principal, region_code: str, year: int | None) -> list[ColumnElement[bool]]:
    clauses = [visible_filter(principal), in_region_subtree(col(Project.region_code), region_code),
               col(Project.status) != "draft"]
    if year is not None:
        clauses.append(col(Project.year) == year)
    return clauses


async def project_flagged(reader: Reader, project_id: str) -> Any | None:
    """The project's public columns and ``flagged`` (whether it has flags), in one statement
    (the flags' unique index on (project_id, warning_id) answers the EXISTS): most projects
    have none, and their read then costs no second statement. Through the ``Reader``: the
    GET by id that every client polls holds no session."""
    return await reader.first(PROJECT_FLAGGED, {"project_id": project_id})


class RiskWatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Any) -> None:
        self.session.add(row)

    # --- the board -------------------------------------------------------------------------------

    async def board_counts(self, principal: Principal, region_code: str, year: int | None) -> Sequence[Any]:
        """(risk level or 'unknown', status, count) of the subtree's filed projects."""
        level = func.coalesce(col(Project.risk_level), UNKNOWN_LEVEL)
        query = (
            select(level, col(Project.status), func.count())
            .where(*_board_clauses(principal, region_code, year))
            .group_by(level, col(Project.status))
        )
        return (await self.session.exec(query)).all()

    async def board_projects(
        self, principal: Principal, region_code: str, year: int | None, cells: Sequence[tuple[str, str]], per_cell: int,
    ) -> Sequence[Project]:
        """The ``per_cell`` newest projects of each (level, status) named (those the counts found
        non-empty): one UNION ALL of small LIMIT queries, each walking the (status, created_at) index
        from the newest down until it has its projects, instead of a window over the whole subtree."""
        if per_cell == 0 or not cells:
            return []
        clauses = _board_clauses(principal, region_code, year)
        newest = []
        for level, status in cells:
            risk = col(Project.risk_level).is_(None) if level == UNKNOWN_LEVEL else col(Project.risk_level) == level
            newest.append(
                select(col(Project.id).label("id"))
                .where(*clauses, col(Project.status) == status, risk)
                .order_by(col(Project.created_at).desc())
                .limit(per_cell)
                .subquery()
            )
        ids = union_all(*(select(part.c.id) for part in newest)).subquery()
        query = select(Project).where(col(Project.id).in_(select(ids.c.id)))
        return (await self.session.exec(query)).all()

    # --- the register ----------------------------------------------------------------------------

    async def province_entries(self, region_code: str, exclude_project_id: str) -> Sequence[WarningEntry]:
        query = (
            select(WarningEntry)
            .where(in_region_subtree(col(WarningEntry.region_code), region_code[:2] + "0000"))
            .where(col(WarningEntry.project_id) != exclude_project_id)
            .order_by(col(WarningEntry.created_at).desc())
            .limit(COMPARED_ENTRIES)
        )
        return (await self.session.exec(query)).all()

    async def entry(self, warning_id: str) -> WarningEntry | None:
        return await self.session.get(WarningEntry, warning_id)

    async def entries(
        self, page: PageParams, region_code: str, outcome: str | None
    ) -> Sequence[WarningEntry]:
        query = select(WarningEntry).where(in_region_subtree(col(WarningEntry.region_code), region_code))
        if outcome:
            query = query.where(col(WarningEntry.outcome) == outcome)
        return (await self.session.exec(page.newest_first(query, col(WarningEntry.created_at), col(WarningEntry.id)))).all()

    # --- the flags -------------------------------------------------------------------------------

    async def flags_of(self, project_id: str) -> Sequence[tuple[WarningFlag, WarningEntry]]:
        query = (
            select(WarningFlag, WarningEntry)
            .join(WarningEntry, col(WarningEntry.id) == col(WarningFlag.warning_id))
            .where(col(WarningFlag.project_id) == project_id)
            .order_by(col(WarningFlag.score).desc(), col(WarningFlag.id))
        )
        return (await self.session.exec(query)).all()


    async def projects(self, project_ids: Sequence[str]) -> dict[str, Project]:
        if not project_ids:
            return {}
        query = select(Project).where(col(Project.id).in_(list(project_ids)))
        return {p.id: p for p in (await self.session.exec(query)).all()}

    async def flagged_filings(self, principal: Principal, warning_id: str) -> Sequence[tuple[WarningFlag, Project]]:
        query = (
            select(WarningFlag, Project)
            .join(Project, col(Project.id) == col(WarningFlag.project_id))
            .where(col(WarningFlag.warning_id) == warning_id, visible_filter(principal))
            .order_by(col(WarningFlag.created_at).desc(), col(WarningFlag.id))
        )
        return (await self.session.exec(query)).all()
