"""Project queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from wenping_shared import PageParams, Principal

from .access import in_region_subtree, visible_filter
from .lifecycle import FINISHED_STATUSES
from .models import Project


@dataclass(frozen=True)
class ProjectFilters:
    region_code: str | None = None
    status: Sequence[str] = ()
    category: str | None = None
    initiation: str | None = None
    risk_level: str | None = None
    responsible_org_id: str | None = None
    year: int | None = None
    overdue: bool | None = None
    q: str | None = None
    decision_list_id: str | None = None


def overdue_clause(today: dt.date) -> ColumnElement[bool]:
    """Past its deadline and not finished (closed, withdrawn, rejected)."""
    return (col(Project.deadline) < today) & col(Project.status).not_in(sorted(FINISHED_STATUSES))


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, project_id: str) -> Project | None:
        return await self.session.get(Project, project_id)

    async def get_for_update(self, project_id: str) -> Project | None:
        """Load the row locked for this transaction (PostgreSQL; SQLite has one writer anyway),
        so the If-Match check and the ledger head are current when we change it."""
        result = await self.session.exec(
            select(Project).where(col(Project.id) == project_id).with_for_update().execution_options(populate_existing=True)
        )
        return result.first()

    def select_visible(self, principal: Principal, filters: ProjectFilters, today: dt.date) -> SelectOfScalar[Project]:
        """The visible projects matching the filters (no order, no limit): lists and exports."""
        query = select(Project).where(visible_filter(principal))
        if filters.region_code:
            query = query.where(in_region_subtree(col(Project.region_code), filters.region_code))
        if filters.status:
            query = query.where(col(Project.status).in_(list(filters.status)))
        if filters.category:
            query = query.where(col(Project.category) == filters.category)
        if filters.initiation:
            query = query.where(col(Project.initiation) == filters.initiation)
        if filters.risk_level:
            query = query.where(col(Project.risk_level) == filters.risk_level)
        if filters.responsible_org_id:
            query = query.where(col(Project.responsible_org_id) == filters.responsible_org_id)
        if filters.year is not None:
            query = query.where(col(Project.year) == filters.year)
        if filters.decision_list_id:
            query = query.where(col(Project.decision_list_id) == filters.decision_list_id)
        if filters.overdue is True:
            query = query.where(overdue_clause(today))
        elif filters.overdue is False:
            query = query.where(~overdue_clause(today) | col(Project.deadline).is_(None))
        if filters.q:
            query = query.where(
                or_(
                    col(Project.title).icontains(filters.q, autoescape=True),
                    col(Project.number).icontains(filters.q, autoescape=True),
                )
            )
        return query

    async def list(
        self, principal: Principal, filters: ProjectFilters, page: PageParams, today: dt.date
    ) -> Sequence[Project]:
        query = self.select_visible(principal, filters, today)
        after = page.after([col(Project.created_at), col(Project.id)], descending=True)
        if after is not None:
            query = query.where(after)
        query = query.order_by(col(Project.created_at).desc(), col(Project.id).desc()).limit(page.limit + 1)
        return (await self.session.exec(query)).all()
