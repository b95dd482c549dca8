"""Decision-list queries (items are projects; their close-out state is computed from them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import PageParams, Principal, region_contains

from ..ledger.models import LedgerEntry
from ..projects.access import READ_SCOPE, REGION_READER_ROLES, in_region_subtree
from ..projects.models import Project
from .models import DecisionList


def list_visible_filter(principal: Principal) -> ColumnElement[bool]:
    """The projects' visibility rule (projects/access.py) applied to lists: a list is its
    organisation's, in its region. Agency staff see projects, never a department's list."""
    if principal.kind == "service":
        return true()
    if principal.kind == "client":
        if READ_SCOPE not in principal.scopes or not principal.region_code:
            return false()
        return in_region_subtree(col(DecisionList.region_code), principal.region_code)
    clauses: list[ColumnElement[bool]] = []
    if principal.has_role("filer") and principal.org_id:
        clauses.append(col(DecisionList.responsible_org_id) == principal.org_id)
    if principal.has_role(*REGION_READER_ROLES) and principal.region_code:
        clauses.append(in_region_subtree(col(DecisionList.region_code), principal.region_code))
    return or_(*clauses) if clauses else false()


def can_see_list(principal: Principal, decision_list: DecisionList) -> bool:
    if principal.kind == "service":
        return True
    if principal.kind == "client":
        return READ_SCOPE in principal.scopes and bool(principal.region_code) and region_contains(
            principal.region_code or "", decision_list.region_code
        )
    if principal.has_role("filer") and principal.org_id and principal.org_id == decision_list.responsible_org_id:
        return True
    return bool(
        principal.has_role(*REGION_READER_ROLES)
        and principal.region_code
        and region_contains(principal.region_code, decision_list.region_code)
    )


class DecisionListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, list_id: str) -> DecisionList | None:
        return await self.session.get(DecisionList, list_id)

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
