"""Tracking and effect-evaluation rules.

The decision body (a filer of the project's responsible organisation) records progress on the
measures of the approved report (跟踪问效); the first record moves an implemented project into
``tracking``. The effect evaluation (效果评价) moves ``tracking`` to ``evaluated``; closing (销号)
is then the ordinary ``close`` transition. Every change is written to the project's ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    Conflict,
    PageParams,
    Precondition,
    Principal,
    etag_for,
    local_date,
    local_today,
    public_view,
    region_contains,
    utcnow,
)
from wenping_shared.contracts.vocab import IncidentScale, ProjectStatus, label_of

from ..errors import (
    EvaluationNotFound,
    IncidentDateInvalid,
    IncidentForbidden,
    IncidentNotInTracking,
    InvalidTransition,
    MeasureNotFound,
    NotTrackable,
    ResponsibleUnitRequired,
    TrackingForbidden,
)
from ..ledger import service as ledger
from ..projects import lifecycle
from ..projects.access import ensure_visible, is_filer_of, visible_project
from ..projects.models import Project
from ..projects.repository import ProjectRepository
from ..webhooks import events as webhook_events
from ..webhooks.schemas import EventType
from .models import EffectEvaluation, Incident, TrackedMeasure, TrackingRecord
from .repository import TrackingRepository
from .schemas import (
    EvaluationCreate,
    EvaluationPublic,
    IncidentCreate,
    IncidentPublic,
    MeasureStatus,
    TrackedMeasurePublic,
    TrackingCreate,
    TrackingOverview,
    TrackingRecordPublic,
    TrackingResult,
    incident_scale,
)

S = ProjectStatus
#: Implemented projects start tracking with their first progress record.
IMPLEMENTED: frozenset[str] = frozenset({S.implement, S.implement_with_measures})
TRACKABLE: frozenset[str] = IMPLEMENTED | {S.tracking}


@dataclass(frozen=True)
class ReportMeasure:
    index: int
    content: str
    responsible_unit: str | None
    deadline: dt.date | None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def report_measures(report: dict[str, Any] | None) -> list[ReportMeasure]:
    """The measures of a structured report (``measures.items``), in report order."""
    measures = (report or {}).get("measures") or {}
    items = measures.get("items") if isinstance(measures, dict) else None
    out = []
    for index, item in enumerate(items or []):
        if not isinstance(item, dict):
            continue
        content = str(item.get("content") or "").strip() or f"第 {index + 1} 项措施"
        unit = str(item.get("responsible_unit") or "").strip() or None
        out.append(ReportMeasure(index, content, unit, _date(item.get("deadline"))))
    return out


def text_key(text: str) -> str:
    return "text:" + hashlib.sha256(text.encode()).hexdigest()


def _progress(status: str, deadline: dt.date | None, today: dt.date) -> dict[str, Any]:
    """A measure's state as shown: its status and label, and how its deadline stands today."""
    days_left = None if deadline is None or status == MeasureStatus.completed else (deadline - today).days
    return {
        "status": status,
        "status_label": label_of(MeasureStatus, status),
        "overdue": days_left is not None and days_left < 0,
        "days_left": days_left,
    }


def measure_public(measure: TrackedMeasure, today: dt.date) -> TrackedMeasurePublic:
    return public_view(TrackedMeasurePublic, measure, **_progress(measure.status, measure.deadline, today))


def untracked_public(measure: ReportMeasure, today: dt.date) -> TrackedMeasurePublic:
    """A measure of the report nobody has reported on yet (not tracked, so no id)."""
    return public_view(
        TrackedMeasurePublic, measure,
        id=None, measure_index=measure.index, progress_percent=0, last_note=None, record_count=0, updated_at=None,
        completed_at=None, **_progress(MeasureStatus.not_started, measure.deadline, today),
    )


def record_public(record: TrackingRecord) -> TrackingRecordPublic:
    return public_view(TrackingRecordPublic, record, status_label=label_of(MeasureStatus, record.status))


def evaluation_public(evaluation: EffectEvaluation, project: Project) -> EvaluationPublic:
    return public_view(EvaluationPublic, evaluation, project_status=project.status, project_version=project.version)


def _wrong_state(project: Project, message: str, problem: type[Conflict]) -> Conflict:
    return problem(
        f"项目当前状态为「{label_of(ProjectStatus, project.status)}」，{message}",
        current_status=project.status,
    )


class TrackingService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.projects = ProjectRepository(session)
        self.tracking = TrackingRepository(session)

    async def visible_project(self, principal: Principal, project_id: str) -> Project:
        return await visible_project(self.session, principal, project_id)

    async def _own_project_for_update(self, principal: Principal, project_id: str, action: str) -> Project:
        project = ensure_visible(principal, await self.projects.get_for_update(project_id))
        if not is_filer_of(principal, project):
            raise TrackingForbidden(f"只有项目责任单位（决策部门）可以{action}")
        return project

    # --- tracking --------------------------------------------------------------------------------

    async def record(self, principal: Principal, project_id: str, data: TrackingCreate) -> TrackingResult:
        project = await self._own_project_for_update(principal, project_id, "填报措施落实进展")
        if project.status not in TRACKABLE:
            raise _wrong_state(
                project, "只有准予实施（含落实措施后实施）或跟踪问效中的项目可以填报措施进展", NotTrackable
            )
        from_report = report_measures(await self.tracking.approved_report(project.id))
        existing = {m.measure_key: m for m in await self.tracking.measures(project.id)}
        now = utcnow()

        if project.status in IMPLEMENTED:
            # The approved report's measures become the work list the moment tracking starts, so
            # each one is reminded of its deadline even before anyone reports on it.
            for rm in from_report:
                key = f"report:{rm.index}"
                if key not in existing:
                    existing[key] = TrackedMeasure(
                        project_id=project.id, measure_key=key, measure_index=rm.index, content=rm.content,
                        responsible_unit=rm.responsible_unit, deadline=rm.deadline, created_at=now, updated_at=now,
                    )
                    self.session.add(existing[key])
            await lifecycle.change_status(
                self.session, project, principal, "start_tracking", S.tracking, {"measures": len(from_report)}
            )

        measure = self._resolve(project, data, from_report, existing, now)
        measure.progress_percent = data.progress_percent
        measure.status = data.status.value
        measure.last_note = data.note
        if data.responsible_unit:
            measure.responsible_unit = data.responsible_unit
        if data.deadline:
            measure.deadline = data.deadline
        measure.record_count += 1
        measure.updated_at = now
        measure.completed_at = now if data.status == MeasureStatus.completed else None
        self.session.add(measure)
        record = TrackingRecord(
            project_id=project.id,
            measure_id=measure.id,
            progress_percent=data.progress_percent,
            status=data.status.value,
            note=data.note,
            responsible_unit=measure.responsible_unit,
            deadline=measure.deadline,
            recorded_by=principal.subject,
            recorded_by_name=principal.name,
            recorded_at=now,
        )
        self.session.add(record)
        lifecycle.touch(project)
        await ledger.append(
            self.session, project, principal, "tracking_progress", project.status, project.status,
            {
                "measure_id": measure.id,
                "measure_index": measure.measure_index,
                "measure": measure.content[:200],
                "progress_percent": data.progress_percent,
                "status": data.status.value,
                "record_id": record.id,
            },
        )
        await self.session.flush()
        today = local_today()
        return TrackingResult(
            record=record_public(record), measure=measure_public(measure, today), project_status=ProjectStatus(project.status)
        )

    def _resolve(
        self,
        project: Project,
        data: TrackingCreate,
        from_report: Sequence[ReportMeasure],
        existing: dict[str, TrackedMeasure],
        now: dt.datetime,
    ) -> TrackedMeasure:
        """The tracked measure the record is about: by report index, by text (a report measure's
        text names that measure), or a new measure outside the report."""
        if isinstance(data.measure, int):
            if data.measure >= len(from_report):
                raise MeasureNotFound(
                    f"请求数据校验失败：measure 已通过审查的报告共有 {len(from_report)} 项措施，序号 {data.measure} 不存在",
                    errors=[{"loc": ["measure"], "msg": "措施序号不存在", "type": "value_error"}],
                )
            chosen: ReportMeasure | None = from_report[data.measure]
        else:
            chosen = next((rm for rm in from_report if rm.content == data.measure), None)
        key = f"report:{chosen.index}" if chosen is not None else text_key(str(data.measure))
        if key in existing:
            return existing[key]
        if chosen is None and not data.responsible_unit:
            raise ResponsibleUnitRequired(
                "请求数据校验失败：responsible_unit 报告外新增的措施须填写责任单位",
                errors=[{"loc": ["responsible_unit"], "msg": "报告外新增的措施须填写责任单位", "type": "value_error"}],
            )
        measure = TrackedMeasure(
            project_id=project.id,
            measure_key=key,
            measure_index=chosen.index if chosen else None,
            content=chosen.content if chosen else str(data.measure),
            responsible_unit=chosen.responsible_unit if chosen else None,
            deadline=chosen.deadline if chosen else None,
            created_at=now,
            updated_at=now,
        )
        existing[key] = measure
        return measure

    async def overview(self, principal: Principal, project_id: str, page: PageParams) -> TrackingOverview:
        project = await self.visible_project(principal, project_id)
        today = local_today()
        tracked = list(await self.tracking.measures(project.id))
        tracked_indexes = {m.measure_index for m in tracked if m.measure_index is not None}
        untracked = [
            untracked_public(rm, today)
            for rm in report_measures(await self.tracking.approved_report(project.id))
            if rm.index not in tracked_indexes
        ]
        measures = [measure_public(m, today) for m in tracked] + untracked
        measures.sort(key=lambda m: (m.measure_index is None, m.measure_index or 0))
        rows = await self.tracking.records(project.id, page)
        records, cursor = page.page(rows, key=lambda r: [r.recorded_at, r.id])
        return TrackingOverview(
            project_id=project.id,
            project_status=ProjectStatus(project.status),
            project_status_label=label_of(ProjectStatus, project.status),
            measures=measures,
            records=[record_public(r) for r in records],
            next_cursor=cursor,
        )

    # --- effect evaluation -----------------------------------------------------------------------

    async def evaluate(
        self, principal: Principal, project_id: str, data: EvaluationCreate, precondition: Precondition
    ) -> EvaluationPublic:
        project = await self._own_project_for_update(principal, project_id, "报送效果评价")
        precondition(etag_for(project.version))
        if project.status != S.tracking:
            raise _wrong_state(project, "只有跟踪问效中的项目可以报送效果评价", InvalidTransition)
        measures = await self.tracking.measures(project.id)
        evaluation = EffectEvaluation(
            project_id=project.id,
            disputes_arisen=data.disputes_arisen,
            disputes_description=(data.disputes_description or "").strip() or None,
            measures_effective=data.measures_effective,
            summary=data.summary,
            petitions_count=data.petitions_count,
            mass_incidents_count=data.mass_incidents_count,
            satisfaction_rate=data.satisfaction_rate,
            measures_total=len(measures),
            measures_completed=sum(1 for m in measures if m.status == MeasureStatus.completed),
            evaluated_by=principal.subject,
            evaluated_by_name=principal.name,
        )
        self.session.add(evaluation)
        await lifecycle.change_status(
            self.session, project, principal, "evaluate", S.evaluated,
            {
                "evaluation_id": evaluation.id,
                "disputes_arisen": data.disputes_arisen,
                "measures_effective": data.measures_effective,
                "measures_completed": evaluation.measures_completed,
                "measures_total": evaluation.measures_total,
            },
        )
        await self.session.flush()
        return evaluation_public(evaluation, project)

    async def evaluation(self, principal: Principal, project_id: str) -> tuple[EvaluationPublic, Project]:
        project = await self.visible_project(principal, project_id)
        evaluation = await self.tracking.evaluation(project.id)
        if evaluation is None:
            raise EvaluationNotFound()
        return evaluation_public(evaluation, project), project


# --- incidents during implementation ------------------------------------------------------------


def incident_public(incident: Incident) -> IncidentPublic:
    return public_view(IncidentPublic, incident, scale_label=label_of(IncidentScale, incident.scale))


class IncidentService:
    """Incidents (事件) while a decision is implemented: reported by the decision body or the
    stability office, they reach the supervisors at once (a reminder, a webhook event) and count
    in the appraisal."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.projects = ProjectRepository(session)
        self.tracking = TrackingRepository(session)

    async def report(self, principal: Principal, project_id: str, data: IncidentCreate) -> IncidentPublic:
        project = ensure_visible(principal, await self.projects.get_for_update(project_id))
        supervisor = principal.kind == "user" and principal.has_role("supervisor") and region_contains(
            principal.region_code or "", project.region_code
        )
        if not (is_filer_of(principal, project) or supervisor):
            raise IncidentForbidden()
        if project.status not in TRACKABLE:
            raise _wrong_state(project, "只有决策实施后（准予实施、落实措施后实施或跟踪问效中）的项目可以报告事件", IncidentNotInTracking)
        now = utcnow()
        today = local_date(now)
        decided = local_date(project.decided_at) if project.decided_at else None
        if data.occurred_on > today or (decided is not None and data.occurred_on < decided):
            since = f"{decided.isoformat()} 至 " if decided else "不晚于 "
            raise IncidentDateInvalid(
                f"请求数据校验失败：occurred_on 事件发生日期须在 {since}{today.isoformat()}（项目决策之后、不晚于今天）",
                errors=[{"loc": ["occurred_on"], "msg": "事件发生日期须在项目决策之后且不晚于今天", "type": "value_error"}],
            )
        incident = Incident(
            project_id=project.id, region_code=project.region_code, occurred_on=data.occurred_on,
            people_involved=data.people_involved, scale=incident_scale(data.people_involved).value,
            description=data.description, response=data.response, reported_by=principal.subject,
            reported_by_name=principal.name, reported_by_org_id=principal.org_id, reported_at=now, reported_on=today,
        )
        self.session.add(incident)
        lifecycle.touch(project)
        details = {
            "incident_id": incident.id, "occurred_on": data.occurred_on.isoformat(),
            "people_involved": data.people_involved, "scale": incident.scale, "description": data.description[:200],
        }
        await ledger.append(self.session, project, principal, "incident_reported", project.status, project.status, details)
        # In the same transaction: subscribers hear of it at once (the supervisors' reminder is computed).
        await webhook_events.publish(
            self.session, EventType.incident_reported, project,
            {**details, "scale_label": label_of(IncidentScale, incident.scale), "response": data.response[:200]},
            at=now,
        )
        await self.session.flush()
        return incident_public(incident)

    async def list(self, principal: Principal, project_id: str, page: PageParams) -> tuple[list[IncidentPublic], str | None]:
        project = await visible_project(self.session, principal, project_id)
        rows = await self.tracking.incidents(project.id, page)
        items, cursor = page.page(rows, key=lambda i: [i.reported_at, i.id])
        return [incident_public(i) for i in items], cursor
