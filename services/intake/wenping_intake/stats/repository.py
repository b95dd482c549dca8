"""Statistics queries: a fixed number of GROUP BY aggregates over the caller's scope, whatever
the number of projects (no per-row queries). The region subtree is a range on the indexed
region code (projects/access.py ``in_region_subtree``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Date, case, cast, distinct, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared.contracts.vocab import ReviewVerdict

from ..projects.access import in_region_subtree
from ..projects.models import Project
from ..reports.models import ReportRound, ReturnReason


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.bind.dialect.name if self.session.bind is not None else "sqlite"

    def _local_date(self, moment: Any) -> ColumnElement[Any]:
        """The Asia/Shanghai calendar date of a UTC timestamp, per dialect (SQLite stores naive UTC text)."""
        if self.dialect == "postgresql":
            return cast(func.timezone("Asia/Shanghai", moment), Date)
        return func.date(moment, "+8 hours")

    async def facets(self, scope: Sequence[ColumnElement[bool]], today: dt.date) -> Sequence[Any]:
        """Counts by (region, year, status, filed?, past deadline?) with review-round sums."""
        filed = case((col(Project.filed_at).is_(None), 0), else_=1).label("filed")
        late = case((col(Project.deadline) < today, 1), else_=0).label("late")
        query = (
            select(
                col(Project.region_code),
                col(Project.year),
                col(Project.status),
                filed,
                late,
                func.count().label("n"),
                func.sum(col(Project.report_rounds)).label("rounds"),
                func.sum(case((col(Project.report_rounds) > 0, 1), else_=0)).label("reviewed"),
            )
            .where(*scope)
            .group_by(col(Project.region_code), col(Project.year), col(Project.status), filed, late)
        )
        return (await self.session.exec(query)).all()  # type: ignore[call-overload,no-any-return]

    async def kinds(self, scope: Sequence[ColumnElement[bool]]) -> Sequence[Any]:
        """Counts by (category, initiation, risk level)."""
        query = (
            select(col(Project.category), col(Project.initiation), col(Project.risk_level), func.count())
            .where(*scope)
            .group_by(col(Project.category), col(Project.initiation), col(Project.risk_level))
        )
        return (await self.session.exec(query)).all()  # type: ignore[call-overload,no-any-return]

    async def on_time(self, scope: Sequence[ColumnElement[bool]], completed: Sequence[str]) -> tuple[int, int]:
        """(completed with a deadline and an approval date, of which approved on or before the deadline).
        The approval date is that of the latest approved report round (a resumed project is approved again)."""
        approved_at = (
            select(func.max(col(ReportRound.decided_at)))
            .where(col(ReportRound.project_id) == col(Project.id), col(ReportRound.verdict) == ReviewVerdict.approved)
            .correlate(Project)
            .scalar_subquery()
        )
        inner = (
            select(col(Project.deadline).label("deadline"), self._local_date(approved_at).label("approved_on"))
            .where(*scope, col(Project.status).in_(list(completed)), col(Project.deadline).is_not(None))
            .subquery()
        )
        query = select(
            func.count(),
            func.sum(case((inner.c.approved_on <= inner.c.deadline, 1), else_=0)),
        ).where(inner.c.approved_on.is_not(None))
        total, on_time = (await self.session.exec(query)).one()  # type: ignore[call-overload]
        return int(total or 0), int(on_time or 0)

    async def return_reasons(
        self, scope: Sequence[ColumnElement[bool]], region_code: str | None
    ) -> Sequence[Any]:
        """(checklist category, failed items, returned reviews) of the scope's projects."""
        query = (
            select(
                col(ReturnReason.category_code),
                func.count(),
                func.count(distinct(col(ReturnReason.review_id))),
            )
            .join(Project, col(Project.id) == col(ReturnReason.project_id))
            .where(*scope)
            .group_by(col(ReturnReason.category_code))
        )
        if region_code:
            # The same subtree on the reason's own indexed region code lets the join start there.
            query = query.where(in_region_subtree(col(ReturnReason.region_code), region_code))
        return (await self.session.exec(query)).all()  # type: ignore[call-overload,no-any-return]
