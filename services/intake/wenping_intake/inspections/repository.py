"""Inspection, rectification and circular queries; an inspection is seen as every unit's row is
(unit_access.py: its project's unit, and the oversight readers of the project's region subtree)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from wenping_shared import PageParams, Principal, Repository, next_in_series
from wenping_shared.contracts.vocab import RectificationState

from ..appraisals.repository import count_by_project
from ..projects.access import in_region_subtree
from ..unit_access import visible_clause
from .models import Circular, CircularNumberCounter, Inspection, InspectionFinding

#: Rectifications the inspected unit still owes (reminders, overdue, grounds).
OWED = (RectificationState.required.value, RectificationState.returned.value)
#: Not yet accepted (the appraisal's 未完成整改).
NOT_ACCEPTED = (*OWED, RectificationState.reported.value)


def _with_inspection() -> Any:
    """Findings with their inspection (the project's number and title, the unit's name)."""
    return select(InspectionFinding, Inspection).join(Inspection, col(Inspection.id) == col(InspectionFinding.inspection_id))


def _held_in(region_code: str, start: dt.date, end: dt.date) -> Any:
    """Findings, with their inspection, of the inspections in the region's subtree held from
    ``start`` to ``end`` (both inclusive)."""
    return _with_inspection().where(
        in_region_subtree(col(InspectionFinding.region_code), region_code),
        col(InspectionFinding.inspected_on) >= start,
        col(InspectionFinding.inspected_on) <= end,
    )


class InspectionRepository(Repository[Inspection]):
    row = Inspection

    def add(self, *rows: Any) -> None:
        self.session.add_all(rows)

    async def findings_of(self, inspection_ids: Sequence[str]) -> Sequence[InspectionFinding]:
        if not inspection_ids:
            return []
        query = select(InspectionFinding).where(col(InspectionFinding.inspection_id).in_(list(inspection_ids)))
        return (await self.session.exec(query)).all()

    async def finding_for_update(self, finding_id: str) -> InspectionFinding | None:
        query = (
            select(InspectionFinding)
            .where(col(InspectionFinding.id) == finding_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.exec(query)).first()

    async def list(
        self,
        principal: Principal,
        page: PageParams,
        *,
        region_code: str | None,
        project_id: str | None,
        org_id: str | None,
    ) -> Sequence[Inspection]:
        query = select(Inspection).where(visible_clause(principal, col(Inspection.region_code), col(Inspection.org_id)))
        if region_code:
            query = query.where(in_region_subtree(col(Inspection.region_code), region_code))
        if project_id:
            query = query.where(col(Inspection.project_id) == project_id)
        if org_id:
            query = query.where(col(Inspection.org_id) == org_id)
        query = page.newest_first(query, col(Inspection.created_at), col(Inspection.id))
        return (await self.session.exec(query)).all()

    async def problems_in_period(
        self, region_code: str, start: dt.date, end: dt.date
    ) -> Sequence[tuple[InspectionFinding, Inspection]]:
        """The subtree's problem findings of inspections held in the period, by date and project."""
        query = (
            _held_in(region_code, start, end)
            .where(col(InspectionFinding.problem).is_(True))
            .order_by(col(InspectionFinding.inspected_on), col(Inspection.project_number), col(InspectionFinding.check))
        )
        return (await self.session.exec(query)).all()

    async def findings_with_inspections(self, finding_ids: Sequence[str]) -> Sequence[tuple[InspectionFinding, Inspection]]:
        if not finding_ids:
            return []
        query = _with_inspection().where(col(InspectionFinding.id).in_(list(finding_ids)))
        return (await self.session.exec(query)).all()

    async def next_circular_seq(self, region_code: str, year: int) -> int:
        table = CircularNumberCounter.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
        return await next_in_series(self.session, table, {"region_code": region_code, "year": year}, "last_seq")

    async def circular(self, circular_id: str) -> Circular | None:
        return await self.session.get(Circular, circular_id)

    async def circulars(self, regions: Sequence[str] | None, subtree: str | None, page: PageParams) -> Sequence[Circular]:
        """Circulars issued by one of ``regions`` (a unit's ancestors) or inside ``subtree``."""
        query = select(Circular)
        if regions is not None:
            query = query.where(col(Circular.region_code).in_(list(regions)))
        if subtree is not None:
            query = query.where(in_region_subtree(col(Circular.region_code), subtree))
        query = page.newest_first(query, col(Circular.created_at), col(Circular.id))
        return (await self.session.exec(query)).all()

    # --- read by other areas (appraisal, accountability grounds) --------------------------------

    async def not_accepted_counts(self, project_ids: Sequence[str]) -> dict[str, int]:
        """project → rectifications not yet accepted."""
        return await count_by_project(
            self.session, col(InspectionFinding.project_id), project_ids, col(InspectionFinding.state).in_(NOT_ACCEPTED)
        )

    async def overdue_owed(
        self, region_code: str, year: int, today: dt.date, project_id: str | None = None
    ) -> Sequence[tuple[InspectionFinding, Inspection]]:
        """Rectifications still owed past their deadline, of the year's inspections in the subtree."""
        query = (
            _held_in(region_code, dt.date(year, 1, 1), dt.date(year, 12, 31))
            .where(col(InspectionFinding.state).in_(OWED), col(InspectionFinding.deadline) < today)
            .order_by(col(InspectionFinding.deadline), col(InspectionFinding.id))
        )
        if project_id is not None:
            query = query.where(col(InspectionFinding.project_id) == project_id)
        return (await self.session.exec(query)).all()

    async def finding(self, finding_id: str) -> InspectionFinding | None:
        return await self.session.get(InspectionFinding, finding_id)
