"""Reminder queries: projects and list items past or near their deadline, and measures past or
near theirs, for whatever the caller may see (projects/access.py). Both sources are read in
(due date, id) order with a keyset condition, so any page costs what the first costs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal

from ..inspections.models import InspectionFinding
from ..inspections.repository import OWED
from ..projects.access import visible_filter
from ..projects.lifecycle import FINISHED_STATUSES
from ..projects.models import Project
from ..tracking.models import Incident, TrackedMeasure
from ..tracking.schemas import MeasureStatus

#: Sort rank of each source within one due date (the cursor's middle value).
PROJECT_RANK = 0
MEASURE_RANK = 1
RECTIFICATION_RANK = 3
INCIDENT_RANK = 2
#: An incident stays on the supervisors' reminders while its decision is being implemented
#: (until the effect evaluation).
IMPLEMENTING = ("implement", "implement_with_measures", "tracking")

Cursor = tuple[dt.date, int, str]


def _after(due: Any, ident: Any, rank: int, cursor: Cursor | None) -> ColumnElement[bool] | None:
    """Rows of a source of fixed ``rank`` strictly after the cursor in (due, rank, id) order."""
    if cursor is None:
        return None
    c_due, c_rank, c_id = cursor
    if rank > c_rank:
        return due >= c_due
    if rank < c_rank:
        return due > c_due
    return or_(due > c_due, and_(due == c_due, ident > c_id))


def _with_project(model: type[InspectionFinding | TrackedMeasure | Incident]) -> Any:
    """Rows of ``model`` with their project."""
    return select(model, Project).join(Project, col(Project.id) == col(model.project_id))


def _open_project(principal: Principal) -> list[ColumnElement[bool]]:
    return [visible_filter(principal), col(Project.status).not_in(sorted(FINISHED_STATUSES))]


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _projects_due(self, principal: Principal, horizon: dt.date) -> list[ColumnElement[bool]]:
        return [*_open_project(principal), col(Project.deadline).is_not(None), col(Project.deadline) <= horizon]

    def _measures_due(self, principal: Principal, horizon: dt.date) -> list[ColumnElement[bool]]:
        return [
            *_open_project(principal),
            col(TrackedMeasure.status) != MeasureStatus.completed,
            col(TrackedMeasure.deadline).is_not(None),
            col(TrackedMeasure.deadline) <= horizon,
        ]

    def _rectifications_due(self, principal: Principal, horizon: dt.date) -> list[ColumnElement[bool]]:
        """Rectifications the inspected unit still owes (待整改, 退回重新整改), whatever the project's status."""
        return [
            visible_filter(principal),
            col(InspectionFinding.state).in_(OWED),
            col(InspectionFinding.deadline).is_not(None),
            col(InspectionFinding.deadline) <= horizon,
        ]

    async def _in_due_order(
        self, query: Any, due: Any, ident: Any, rank: int, cursor: Cursor | None, limit: int
    ) -> Sequence[Any]:
        """One source's page: its rows in (due, id) order after the cursor."""
        after = _after(due, ident, rank, cursor)
        if after is not None:
            query = query.where(after)
        return (await self.session.exec(query.order_by(due, ident).limit(limit))).all()

    async def rectifications(
        self, principal: Principal, horizon: dt.date, cursor: Cursor | None, limit: int
    ) -> Sequence[tuple[InspectionFinding, Project]]:
        query = _with_project(InspectionFinding).where(*self._rectifications_due(principal, horizon))
        due, ident = col(InspectionFinding.deadline), col(InspectionFinding.id)
        return await self._in_due_order(query, due, ident, RECTIFICATION_RANK, cursor, limit)

    async def projects(
        self, principal: Principal, horizon: dt.date, cursor: Cursor | None, limit: int, kind_list: bool | None
    ) -> Sequence[Project]:
        query = select(Project).where(*self._projects_due(principal, horizon))
        if kind_list is True:
            query = query.where(col(Project.decision_list_id).is_not(None))
        elif kind_list is False:
            query = query.where(col(Project.decision_list_id).is_(None))
        return await self._in_due_order(query, col(Project.deadline), col(Project.id), PROJECT_RANK, cursor, limit)

    async def measures(
        self, principal: Principal, horizon: dt.date, cursor: Cursor | None, limit: int
    ) -> Sequence[tuple[TrackedMeasure, Project]]:
        query = _with_project(TrackedMeasure).where(*self._measures_due(principal, horizon))
        due, ident = col(TrackedMeasure.deadline), col(TrackedMeasure.id)
        return await self._in_due_order(query, due, ident, MEASURE_RANK, cursor, limit)

    def _incidents(self, principal: Principal) -> list[ColumnElement[bool]]:
        return [visible_filter(principal), col(Project.status).in_(IMPLEMENTING)]

    async def incidents(
        self, principal: Principal, cursor: Cursor | None, limit: int
    ) -> Sequence[tuple[Incident, Project]]:
        query = _with_project(Incident).where(*self._incidents(principal))
        due, ident = col(Incident.reported_on), col(Incident.id)
        return await self._in_due_order(query, due, ident, INCIDENT_RANK, cursor, limit)

    async def incident_count(self, principal: Principal) -> int:
        query = (
            select(func.count())
            .select_from(Incident)
            .join(Project, col(Project.id) == col(Incident.project_id))
            .where(*self._incidents(principal))
        )
        return int((await self.session.exec(query)).one() or 0)

    async def counts(
        self, principal: Principal, horizon: dt.date, today: dt.date, kinds: set[str]
    ) -> tuple[int, int]:
        """(total, overdue) over the kinds asked for: two aggregate queries at most."""
        total = overdue = 0
        project_kinds = kinds & {"project_deadline", "decision_list_item"}
        if project_kinds:
            query = select(func.count(), func.sum(case((col(Project.deadline) < today, 1), else_=0))).where(
                *self._projects_due(principal, horizon)
            )
            if project_kinds == {"decision_list_item"}:
                query = query.where(col(Project.decision_list_id).is_not(None))
            elif project_kinds == {"project_deadline"}:
                query = query.where(col(Project.decision_list_id).is_(None))
            n, late = (await self.session.exec(query)).one()
            total, overdue = total + int(n or 0), overdue + int(late or 0)
        joined: list[tuple[str, type[TrackedMeasure | InspectionFinding], list[ColumnElement[bool]]]] = [
            ("measure_deadline", TrackedMeasure, self._measures_due(principal, horizon)),
            ("rectification_deadline", InspectionFinding, self._rectifications_due(principal, horizon)),
        ]
        for kind, model, due in joined:
            if kind in kinds:
                query = (
                    select(func.count(), func.sum(case((col(model.deadline) < today, 1), else_=0)))
                    .select_from(model)
                    .join(Project, col(Project.id) == col(model.project_id))
                    .where(*due)
                )
                n, late = (await self.session.exec(query)).one()
                total, overdue = total + int(n or 0), overdue + int(late or 0)
        return total, overdue
