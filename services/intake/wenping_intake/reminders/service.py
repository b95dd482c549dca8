"""Reminders (提醒), computed from the data on every request (no stored flags): open projects
past or near their deadline (list items named as such), and measures not completed past or near
theirs, for what the caller may see."""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    InvalidCursor,
    Principal,
    decode_cursor,
    encode_cursor,
    local_today,
)
from wenping_shared.contracts.vocab import IncidentScale, InspectionCheck, label_of

from ..inspections.models import InspectionFinding
from ..projects.models import Project
from ..tracking.models import Incident, TrackedMeasure
from .repository import INCIDENT_RANK, MEASURE_RANK, PROJECT_RANK, RECTIFICATION_RANK, Cursor, ReminderRepository
from .schemas import (
    ReminderCounts,
    ReminderKind,
    ReminderPage,
    ReminderPublic,
    ReminderSeverity,
)

URGENT_DAYS = 3


def severity(days_left: int) -> ReminderSeverity:
    if days_left < 0:
        return ReminderSeverity.overdue
    if days_left <= URGENT_DAYS:
        return ReminderSeverity.urgent
    return ReminderSeverity.upcoming


def _reminder(
    kind: ReminderKind, project: Project, due: dt.date, today: dt.date, title: str, measure_id: str | None = None,
    incident_id: str | None = None, finding_id: str | None = None,
) -> ReminderPublic:
    days_left = (due - today).days
    level = ReminderSeverity.incident if incident_id else severity(days_left)
    return ReminderPublic(
        kind=kind,
        kind_label=kind.label,
        project_id=project.id,
        project_number=project.number,
        project_title=project.title,
        decision_list_id=project.decision_list_id if kind == ReminderKind.decision_list_item else None,
        measure_id=measure_id,
        incident_id=incident_id,
        finding_id=finding_id,
        title=title,
        region_code=project.region_code,
        due_date=due,
        days_left=days_left,
        severity=level,
        severity_label=level.label,
    )


def _project_reminder(project: Project, today: dt.date) -> tuple[Cursor, ReminderPublic]:
    assert project.deadline is not None
    if project.decision_list_id:
        reminder = _reminder(ReminderKind.decision_list_item, project, project.deadline, today, f"清单事项未销号：{project.title}")
    else:
        reminder = _reminder(ReminderKind.project_deadline, project, project.deadline, today, f"评估完成时限：{project.title}")
    return (project.deadline, PROJECT_RANK, project.id), reminder


def _measure_reminder(measure: TrackedMeasure, project: Project, today: dt.date) -> tuple[Cursor, ReminderPublic]:
    assert measure.deadline is not None
    unit = f"（{measure.responsible_unit}）" if measure.responsible_unit else ""
    reminder = _reminder(
        ReminderKind.measure_deadline, project, measure.deadline, today, f"措施未完成{unit}：{measure.content[:100]}", measure.id
    )
    return (measure.deadline, MEASURE_RANK, measure.id), reminder


def _incident_reminder(incident: Incident, project: Project, today: dt.date) -> tuple[Cursor, ReminderPublic]:
    reminder = _reminder(
        ReminderKind.incident, project, incident.reported_on, today,
        f"实施中发生事件（{label_of(IncidentScale, incident.scale)}，{incident.people_involved}人）：{incident.description[:100]}",
        incident_id=incident.id,
    )
    return (incident.reported_on, INCIDENT_RANK, incident.id), reminder


def _rectification_reminder(finding: InspectionFinding, project: Project, today: dt.date) -> tuple[Cursor, ReminderPublic]:
    assert finding.deadline is not None
    check = label_of(InspectionCheck, finding.check)
    reminder = _reminder(
        ReminderKind.rectification_deadline, project, finding.deadline, today,
        f"督查问题未整改（{check}）：{finding.finding[:100]}", finding_id=finding.id,
    )
    return (finding.deadline, RECTIFICATION_RANK, finding.id), reminder


def _decode(cursor: str | None) -> Cursor | None:
    if not cursor:
        return None
    due, rank, ident = decode_cursor(cursor, 3)
    if not isinstance(due, dt.date) or rank not in (PROJECT_RANK, MEASURE_RANK, INCIDENT_RANK, RECTIFICATION_RANK) or not isinstance(ident, str):
        raise InvalidCursor()
    return due, int(rank), ident


class ReminderService:
    def __init__(self, session: AsyncSession) -> None:
        self.reminders = ReminderRepository(session)

    async def due(
        self, principal: Principal, within_days: int, kinds: set[str], limit: int, cursor: str | None
    ) -> ReminderPage:
        today = local_today()
        horizon = today + dt.timedelta(days=within_days)
        after = _decode(cursor)
        merged: list[tuple[Cursor, ReminderPublic]] = []
        project_kinds = kinds & {"project_deadline", "decision_list_item"}
        if project_kinds:
            only_lists = None if len(project_kinds) == 2 else project_kinds == {"decision_list_item"}
            for project in await self.reminders.projects(principal, horizon, after, limit + 1, only_lists):
                merged.append(_project_reminder(project, today))
        if "measure_deadline" in kinds:
            for measure, project in await self.reminders.measures(principal, horizon, after, limit + 1):
                merged.append(_measure_reminder(measure, project, today))
        if "rectification_deadline" in kinds:
            for finding, project in await self.reminders.rectifications(principal, horizon, after, limit + 1):
                merged.append(_rectification_reminder(finding, project, today))
        # Incidents alert the stability office: a supervisor's reminders only (the reminder.due
        # sweep, a service, leaves them to their own incident.reported event).
        incidents = "incident" in kinds and principal.kind == "user" and principal.has_role("supervisor")
        if incidents:
            for incident, project in await self.reminders.incidents(principal, after, limit + 1):
                merged.append(_incident_reminder(incident, project, today))
        merged.sort(key=lambda pair: pair[0])
        page = merged[:limit]
        next_cursor = encode_cursor(list(page[-1][0])) if len(merged) > limit and page else None
        total, overdue = await self.reminders.counts(principal, horizon, today, kinds)
        total += await self.reminders.incident_count(principal) if incidents else 0
        return ReminderPage(
            items=[r for _, r in page], next_cursor=next_cursor, counts=ReminderCounts(total=total, overdue=overdue)
        )
