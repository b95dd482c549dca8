"""Accountability queries: the actions, what the appraisal counts, and the facts the ground
proposal reads (projects, measures and incidents of a subtree's year)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from wenping_shared import PageParams, Principal, Repository

from ..appraisals.repository import count_by_project
from ..projects.access import in_region_subtree
from ..projects.models import Project
from ..tracking.models import Incident, TrackedMeasure
from ..unit_access import visible_clause
from .models import AccountabilityAction


def _subtree_year(region_code: str, year: int, project_id: str | None) -> list[Any]:
    clauses = [in_region_subtree(col(Project.region_code), region_code), col(Project.year) == year, col(Project.status) != "draft"]
    if project_id is not None:
        clauses.append(col(Project.id) == project_id)
    return clauses


class AccountabilityRepository(Repository[AccountabilityAction]):
    row = AccountabilityAction

    def add(self, row: AccountabilityAction) -> None:
        self.session.add(row)

    async def list(
        self, principal: Principal, page: PageParams, *, region_code: str | None, project_id: str | None, year: int | None
    ) -> Sequence[AccountabilityAction]:
        query = select(AccountabilityAction).where(
            visible_clause(principal, col(AccountabilityAction.region_code), col(AccountabilityAction.org_id))
        )
        if region_code:
            query = query.where(in_region_subtree(col(AccountabilityAction.region_code), region_code))
        if project_id:
            query = query.where(col(AccountabilityAction.project_id) == project_id)
        if year is not None:
            query = query.where(
                col(AccountabilityAction.decided_on) >= dt.date(year, 1, 1),
                col(AccountabilityAction.decided_on) <= dt.date(year, 12, 31),
            )
        query = page.newest_first(query, col(AccountabilityAction.created_at), col(AccountabilityAction.id))
        return (await self.session.exec(query)).all()

    async def counts(self, project_ids: Sequence[str]) -> dict[str, int]:
        """project → accountability actions recorded on it (the appraisal's 问责追责)."""
        return await count_by_project(self.session, col(AccountabilityAction.project_id), project_ids)

    async def acted_on(self, project_ids: Sequence[str]) -> dict[tuple[str, str, str | None], int]:
        """(project, ground, ref) → actions already recorded on that ground."""
        if not project_ids:
            return {}
        query = (
            select(col(AccountabilityAction.project_id), col(AccountabilityAction.ground), col(AccountabilityAction.ground_ref), func.count())
            .where(col(AccountabilityAction.project_id).in_(list(project_ids)))
            .group_by(col(AccountabilityAction.project_id), col(AccountabilityAction.ground), col(AccountabilityAction.ground_ref))
        )
        return {(p, g, r): int(n) for p, g, r, n in (await self.session.exec(query)).all()}

    # --- facts behind the grounds ------------------------------------------------------------------

    async def suspect_projects(
        self, region_code: str, year: int, late_before: dt.date, project_id: str | None = None
    ) -> Sequence[Project]:
        """The year's projects of the subtree that may hold a project ground: filed as already
        implemented, decided, or past their deadline by the margin (the service decides which)."""
        query = select(Project).where(
            *_subtree_year(region_code, year, project_id),
            or_(
                col(Project.already_implemented).is_(True),
                col(Project.decided_at).is_not(None),
                col(Project.deadline) < late_before,
            ),
        )
        return (await self.session.exec(query.order_by(col(Project.number)))).all()

    async def late_measures(
        self, region_code: str, year: int, late_before: dt.date, project_id: str | None = None
    ) -> Sequence[tuple[TrackedMeasure, Project]]:
        query = (
            select(TrackedMeasure, Project)
            .join(Project, col(Project.id) == col(TrackedMeasure.project_id))
            .where(*_subtree_year(region_code, year, project_id), col(TrackedMeasure.deadline) < late_before)
            .order_by(col(Project.number), col(TrackedMeasure.deadline))
        )
        return (await self.session.exec(query)).all()

    async def incidents(
        self, region_code: str, year: int, project_id: str | None = None
    ) -> Sequence[tuple[Incident, Project]]:
        """Incidents reported during tracking on the year's projects of the subtree."""
        query = (
            select(Incident, Project)
            .join(Project, col(Project.id) == col(Incident.project_id))
            .where(*_subtree_year(region_code, year, project_id))
            .order_by(col(Incident.occurred_on), col(Incident.id))
        )
        return (await self.session.exec(query)).all()
