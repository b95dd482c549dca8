"""Queries for expert draws and the candidate pool."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import and_, func, not_
from sqlmodel import col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from wenping_shared import PageParams, Repository, region_prefix

from ..experts.models import Expert, ExpertFieldEntry
from .models import ExpertDraw, ExpertDrawSelection


class PoolRow(NamedTuple):
    id: str
    name: str
    fields: list[str]
    employer_org_id: str | None
    employer_name: str
    status: str
    region_code: str


class ExpertDrawRepository(Repository[ExpertDraw]):
    row = ExpertDraw

    def _pool_ids(
        self, region_code: str, fields: Sequence[str], today: dt.date, *, in_term: bool = True
    ) -> SelectOfScalar[str]:
        term = and_(
            or_(col(Expert.term_start).is_(None), col(Expert.term_start) <= today),
            or_(col(Expert.term_end).is_(None), col(Expert.term_end) >= today),
        )
        return (
            select(ExpertFieldEntry.expert_id)
            .join(Expert, col(Expert.id) == col(ExpertFieldEntry.expert_id))
            .where(col(ExpertFieldEntry.field).in_(list(fields)))
            .where(col(Expert.region_code).startswith(region_prefix(region_code)))
            .where(term if in_term else not_(term))
            .distinct()
        )

    async def pool(self, region_code: str, fields: Sequence[str], today: dt.date) -> list[PoolRow]:
        """Every expert of the region subtree in term today with at least one of the fields,
        whatever its status: the algorithm itself excludes the inactive, so the record shows why."""
        # Only the columns a candidate needs: pools run to thousands in a province.
        query = (
            # A candidate needs seven columns; sqlmodel types select() for up to four.
            select(  # type: ignore[call-overload]
                Expert.id,
                Expert.name,
                Expert.fields,
                Expert.employer_org_id,
                Expert.employer_name,
                Expert.status,
                Expert.region_code,
            )
            .where(col(Expert.id).in_(self._pool_ids(region_code, fields, today)))
            .order_by(col(Expert.id))
        )
        return [PoolRow(*row) for row in (await self.session.exec(query)).all()]

    async def out_of_term(self, region_code: str, fields: Sequence[str], today: dt.date) -> int:
        """Experts of the region and fields whose term (聘期) does not cover today."""
        ids = self._pool_ids(region_code, fields, today, in_term=False).subquery()
        return (await self.session.exec(select(func.count()).select_from(ids))).one()

    async def draws_in_year(self, region_code: str, fields: Sequence[str], year: int, today: dt.date) -> dict[str, int]:
        query = (
            select(ExpertDrawSelection.expert_id, func.count())
            .where(ExpertDrawSelection.year == year)
            .where(col(ExpertDrawSelection.declined_at).is_(None))  # a declined draw is no load
            .where(col(ExpertDrawSelection.expert_id).in_(self._pool_ids(region_code, fields, today)))
            .group_by(col(ExpertDrawSelection.expert_id))
        )
        return {expert_id: n for expert_id, n in (await self.session.exec(query)).all()}

    async def drawn_for_project(self, project_id: str) -> set[str]:
        query = select(ExpertDrawSelection.expert_id).where(ExpertDrawSelection.project_id == project_id)
        return set((await self.session.exec(query)).all())

    async def page_of(
        self,
        page: PageParams,
        *,
        project_id: str | None,
        region_subtree: str | None,
        decision_body_org_id: str | None,
        expert_id: str | None = None,
    ) -> Sequence[ExpertDraw]:
        query = select(ExpertDraw)
        if project_id is not None:
            query = query.where(ExpertDraw.project_id == project_id)
        visible = []
        if region_subtree is not None:
            visible.append(col(ExpertDraw.project_region_code).startswith(region_prefix(region_subtree)))
        if decision_body_org_id is not None:
            visible.append(col(ExpertDraw.decision_body_org_id) == decision_body_org_id)
        if expert_id is not None:
            drew_them = select(ExpertDrawSelection.draw_id).where(ExpertDrawSelection.expert_id == expert_id)
            visible.append(col(ExpertDraw.id).in_(drew_them))
        if visible:
            query = query.where(or_(*visible))
        after = page.after([col(ExpertDraw.drawn_at), col(ExpertDraw.id)], descending=True)
        if after is not None:
            query = query.where(after)
        query = query.order_by(col(ExpertDraw.drawn_at).desc(), col(ExpertDraw.id).desc()).limit(page.limit + 1)
        return (await self.session.exec(query)).all()

    async def add(self, draw: ExpertDraw) -> ExpertDraw:
        self.session.add(draw)
        await self.session.flush()  # the draw row first: the selections reference it
        for position, expert_id in enumerate(draw.chosen_expert_ids, start=1):
            self.session.add(
                ExpertDrawSelection(
                    draw_id=draw.id,
                    expert_id=expert_id,
                    project_id=draw.project_id,
                    position=position,
                    year=draw.year,
                    drawn_at=draw.drawn_at,
                )
            )
        # Now, not at commit: a concurrent draw for the same project trips the unique key here.
        await self.session.flush()
        return draw

    async def selection_for_update(self, draw_id: str, expert_id: str) -> ExpertDrawSelection | None:
        query = (
            select(ExpertDrawSelection)
            .where(ExpertDrawSelection.draw_id == draw_id, ExpertDrawSelection.expert_id == expert_id)
            .with_for_update()
        )
        return (await self.session.exec(query)).first()

    async def declined(self, draw_ids: Sequence[str]) -> dict[str, list[ExpertDrawSelection]]:
        """The declined selections of these draws, by draw, in declining order."""
        if not draw_ids:
            return {}
        query = (
            select(ExpertDrawSelection)
            .where(col(ExpertDrawSelection.draw_id).in_(list(draw_ids)))
            .where(col(ExpertDrawSelection.declined_at).is_not(None))
            .order_by(col(ExpertDrawSelection.declined_at), col(ExpertDrawSelection.id))
        )
        by_draw: dict[str, list[ExpertDrawSelection]] = {}
        for row in (await self.session.exec(query)).all():
            by_draw.setdefault(row.draw_id, []).append(row)
        return by_draw

    async def accounts(self, expert_ids: Sequence[str]) -> dict[str, str | None]:
        """Expert id -> the expert's platform account (user id), None for those without one."""
        query = select(Expert.id, Expert.user_id).where(col(Expert.id).in_(list(expert_ids)))
        return {expert_id: user_id for expert_id, user_id in (await self.session.exec(query)).all()}

    async def expert_of_account(self, user_id: str) -> str | None:
        return (await self.session.exec(select(Expert.id).where(Expert.user_id == user_id))).first()
