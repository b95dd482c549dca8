"""Queries for the expert pool (the only place experts are read or written)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert
from sqlmodel import col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from wenping_shared import PageParams, Repository, region_prefix

from ..draws.models import ExpertDraw, ExpertDrawSelection
from ..identity.models import Organization
from .models import Expert, ExpertFieldEntry


@dataclass(frozen=True, kw_only=True)
class ExpertFilters:
    """The list's filters (shared by the list and the spreadsheet export)."""

    subtree_of: str | None
    field: str | None = None
    region_code: str | None = None
    status: str | None = None
    org_id: str | None = None
    q: str | None = None
    ids: Sequence[str] | None = None


class ExpertRepository(Repository[Expert]):
    row = Expert

    async def by_id_numbers(self, id_numbers: Iterable[str]) -> Sequence[Expert]:
        wanted = sorted(set(id_numbers))
        if not wanted:
            return []
        return (await self.session.exec(select(Expert).where(col(Expert.id_number).in_(wanted)))).all()

    async def by_user_id(self, user_id: str) -> Expert | None:
        return (await self.session.exec(select(Expert).where(Expert.user_id == user_id))).first()

    def _filtered(self, filters: ExpertFilters) -> SelectOfScalar[Expert]:
        query = select(Expert)
        if filters.subtree_of is not None:
            query = query.where(col(Expert.region_code).startswith(region_prefix(filters.subtree_of)))
        if filters.region_code is not None:
            query = query.where(col(Expert.region_code).startswith(region_prefix(filters.region_code)))
        if filters.status is not None:
            query = query.where(Expert.status == filters.status)
        if filters.org_id is not None:
            query = query.where(Expert.employer_org_id == filters.org_id)
        if filters.field is not None:
            with_field = select(ExpertFieldEntry.expert_id).where(ExpertFieldEntry.field == filters.field)
            query = query.where(col(Expert.id).in_(with_field))
        if filters.q:
            query = query.where(
                or_(
                    col(Expert.name).contains(filters.q),
                    col(Expert.title).contains(filters.q),
                    col(Expert.employer_name).contains(filters.q),
                )
            )
        if filters.ids is not None:
            query = query.where(col(Expert.id).in_(list(filters.ids)))
        return query

    async def page_of(self, page: PageParams, filters: ExpertFilters) -> Sequence[Expert]:
        query = self._filtered(filters)
        after = page.after([col(Expert.name), col(Expert.id)], descending=False)
        if after is not None:
            query = query.where(after)
        query = query.order_by(col(Expert.name), col(Expert.id)).limit(page.limit + 1)
        return (await self.session.exec(query)).all()

    async def batch(self, filters: ExpertFilters, after: tuple[str, str] | None, size: int) -> Sequence[Expert]:
        """A keyset batch for streaming exports."""
        query = self._filtered(filters)
        if after is not None:
            query = query.where(
                or_(col(Expert.name) > after[0], (col(Expert.name) == after[0]) & (col(Expert.id) > after[1]))
            )
        return (await self.session.exec(query.order_by(col(Expert.name), col(Expert.id)).limit(size))).all()

    async def add(self, expert: Expert) -> Expert:
        self.session.add(expert)
        await self.session.flush()  # the expert row first: its field rows reference it
        for value in expert.fields:
            self.session.add(ExpertFieldEntry(expert_id=expert.id, field=value))
        return expert

    async def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk insert of complete expert rows (every column given) and their field rows."""
        if not rows:
            return
        # Core inserts on the request's connection (same transaction), one executemany each.
        connection = await self.session.connection()
        await connection.execute(insert(Expert.__table__), list(rows))  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime; its class type does not declare it
        fields = [{"expert_id": r["id"], "field": value} for r in rows for value in r["fields"]]
        await connection.execute(insert(ExpertFieldEntry.__table__), fields)  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime; its class type does not declare it

    async def replace_fields(self, expert: Expert, fields: Sequence[str]) -> None:
        await self.session.exec(delete(ExpertFieldEntry).where(col(ExpertFieldEntry.expert_id) == expert.id))
        for value in fields:
            self.session.add(ExpertFieldEntry(expert_id=expert.id, field=value))

    async def draw_counts(self, expert_id: str, year: int) -> tuple[int, int]:
        """(draws this year, draws in total) of one expert: accepted draws, a declined one not counted."""
        rows = (
            await self.session.exec(
                select(ExpertDrawSelection.year, func.count())
                .where(ExpertDrawSelection.expert_id == expert_id)
                .where(col(ExpertDrawSelection.declined_at).is_(None))
                .group_by(col(ExpertDrawSelection.year))
            )
        ).all()
        return sum(n for y, n in rows if y == year), sum(n for _, n in rows)

    async def participation(self, expert_id: str, limit: int = 50) -> Sequence[tuple[ExpertDrawSelection, ExpertDraw]]:
        query = (
            select(ExpertDrawSelection, ExpertDraw)
            .join(ExpertDraw, col(ExpertDraw.id) == col(ExpertDrawSelection.draw_id))
            .where(ExpertDrawSelection.expert_id == expert_id)
            .order_by(col(ExpertDrawSelection.drawn_at).desc())
            .limit(limit)
        )
        return (await self.session.exec(query)).all()

    async def organization_lookup(self, subtree_of: str) -> dict[str, str]:
        """Name -> id and id -> id of the organisations of a region subtree (the import's
        工作单位 column takes either)."""
        query = select(Organization.id, Organization.name).where(
            col(Organization.region_code).startswith(region_prefix(subtree_of))
        )
        lookup: dict[str, str] = {}
        for org_id, name in (await self.session.exec(query)).all():
            lookup[org_id] = org_id
            lookup.setdefault(name, org_id)
        return lookup
