"""Statistics queries: three GROUP BY aggregates over the caller's scope, whatever the number of
projects (no per-row queries). For a region subtree (+ year) scope each one reads a covering index
led by (region_code, year) — the subtree is a range on the code (projects/access.py
``in_region_subtree``) — and groups in that index's order, so neither table rows nor a sort are
needed: ix_project_stats_facets, ix_project_stats_kinds, ix_return_reason_stats. Rows come back
per (region, year, ...) and the service folds them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..projects.access import in_region_subtree
from ..projects.models import Project
from ..reports.models import ReturnReason


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def facets(self, scope: Sequence[ColumnElement[bool]], today: dt.date) -> Sequence[Any]:
        """Per (region, year, status): projects, with filed_at set, past deadline, report rounds
        (sum, and projects with any), with a deadline and an approval date, approved on or before
        the deadline (project.approved_on is the latest approval's Beijing date)."""
        deadline, approved_on = col(Project.deadline), col(Project.approved_on)
        group = (col(Project.region_code), col(Project.year), col(Project.status))
        query = (
            select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four fixed columns
                *group,
                func.count(),
                _count_if(col(Project.filed_at).is_not(None)),
                _count_if(deadline < today),
                func.sum(col(Project.report_rounds)),
                _count_if(col(Project.report_rounds) > 0),
                _count_if(and_(deadline.is_not(None), approved_on.is_not(None))),
                _count_if(approved_on <= deadline),
            )
            .where(*scope)
            .group_by(*group)
        )
        return (await self.session.exec(query)).all()

    async def kinds(self, scope: Sequence[ColumnElement[bool]]) -> Sequence[Any]:
        """Per (region, year, category, initiation, risk level): projects."""
        group = (
            col(Project.region_code), col(Project.year), col(Project.category), col(Project.initiation), col(Project.risk_level)
        )
        query = select(*group, func.count()).where(*scope).group_by(*group)  # type: ignore[call-overload]  # sqlmodel types select() for up to four fixed columns
        return (await self.session.exec(query)).all()

    async def return_reasons(
        self, scope: Sequence[ColumnElement[bool]], region_code: str | None, year: int | None, by_region_only: bool
    ) -> Sequence[Any]:
        """Per (region, year, checklist category): failed items and returned reviews of the scope's
        projects. A review belongs to one project, so distinct reviews per group add up exactly.
        ``by_region_only``: the scope is just region subtree + year, which the reason carries itself
        (copied from its project), so no join; otherwise (organisation visibility) join the projects."""
        reason = ReturnReason
        group = (col(reason.region_code), col(reason.year), col(reason.category_code))
        query = select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four fixed columns
            *group, func.count(), func.count(distinct(col(reason.review_id)))
        ).group_by(*group)
        if region_code:
            query = query.where(in_region_subtree(col(reason.region_code), region_code))
        if year is not None:
            query = query.where(col(reason.year) == year)
        if not by_region_only:
            query = query.join(Project, col(Project.id) == col(reason.project_id)).where(*scope)
        return (await self.session.exec(query)).all()
