"""Decision-list queries (items are projects; their close-out state is computed from them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import col, select

from wenping_shared import PageParams, Principal, Repository

from ..ledger.models import LedgerEntry
from ..projects.access import REGION_READER_ROLES, in_region_subtree
from ..projects.models import Project
from ..unit_access import sees, visible_clause
from .models import DecisionList


def list_visible_filter(principal: Principal) -> ColumnElement[bool]:
    """The projects' visibility rule (projects/access.py) applied to lists: a list is its
    organisation's, in its region. Agency staff see projects, never a department's list."""
    return visible_clause(principal, col(DecisionList.region_code), col(DecisionList.responsible_org_id), REGION_READER_ROLES)


def can_see_list(principal: Principal, decision_list: DecisionList) -> bool:
    return sees(principal, decision_list.region_code, decision_list.responsible_org_id, REGION_READER_ROLES)


class DecisionListRepository(Repository[DecisionList]):
    row = DecisionList

    async def list(
        self,
        principal: Principal,
        page: PageParams,
        *,
        batch: str | None,
        year: int | None,
        region_code: str | None,
    ) -> Sequence[DecisionList]:
        query = select(DecisionList).where(list_visible_filter(principal))
        if batch:
            query = query.where(col(DecisionList.batch) == batch)
        if year is not None:
            query = query.where(col(DecisionList.year) == year)
        if region_code:
            query = query.where(in_region_subtree(col(DecisionList.region_code), region_code))
        return (await self.session.exec(page.newest_first(query, col(DecisionList.created_at), col(DecisionList.id)))).all()

    async def items(self, list_id: str) -> Sequence[Project]:
        """The list's projects in list order (numbers were handed out in item order)."""
        query = (
            select(Project)
            .where(col(Project.decision_list_id) == list_id)
            .order_by(col(Project.year), col(Project.seq))
        )
        return (await self.session.exec(query)).all()

    async def item_states(self, list_ids: Sequence[str]) -> Sequence[Any]:
        """(list id, status, deadline, count) of the lists' projects: one GROUP BY for a page."""
        if not list_ids:
            return []
        query = (
            select(col(Project.decision_list_id), col(Project.status), col(Project.deadline), func.count())
            .where(col(Project.decision_list_id).in_(list(list_ids)))
            .group_by(col(Project.decision_list_id), col(Project.status), col(Project.deadline))
        )
        return (await self.session.exec(query)).all()

    async def withdraw_reasons(self, project_ids: Sequence[str]) -> dict[str, str]:
        """The reason given when each of these projects was withdrawn (from the ledger)."""
        if not project_ids:
            return {}
        query = select(col(LedgerEntry.project_id), col(LedgerEntry.details)).where(
            and_(col(LedgerEntry.project_id).in_(list(project_ids)), col(LedgerEntry.action) == "withdraw")
        )
        reasons: dict[str, str] = {}
        for project_id, details in (await self.session.exec(query)).all():
            reason = (details or {}).get("reason")
            if reason:
                reasons[project_id] = str(reason)
        return reasons
