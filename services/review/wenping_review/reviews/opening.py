"""Opening a review, step by step: who may open it, the report round it is opened from (intake's
hand-off, or fetched from intake for a reviewer), and the review with its items and audit entry
as they are stored. The service (service.py) runs the steps around one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from wenping_shared import Principal, ProjectNotFound, ReportNotFound, region_contains
from wenping_shared.contracts import messages
from wenping_shared.contracts.messages import ReviewEvent, ReviewEventKind
from wenping_shared.contracts.report import Report
from wenping_shared.contracts.vocab import ItemMode

from ..checklist import Checklist, ItemOutcome, ProjectFacts
from ..errors import (
    HandoffIncomplete,
    IntakeDataInvalid,
    IntakeUnavailable,
    OpenForbidden,
    ProjectMismatch,
    ReviewerBody,
)
from ..evaluation import RegistryLookup, plain_details
from ..region_configs.service import ResolvedConfig
from ..sources import IntakeSource, PeerDown
from .access import audit_entry
from .models import Review, ReviewAudit
from .schemas import ReviewOpen

DEFAULT_REPORT_TITLE = "社会稳定风险评估报告"


def opened_by_intake(principal: Principal, data: ReviewOpen) -> bool:
    """True for intake's hand-off (which must carry the round), False for a reviewer (who names
    only project_id and round); anyone else may not open a review."""
    if principal.is_service("intake"):
        missing = [f for f in ("report", "submitted_on", "project") if getattr(data, f) is None]
        if missing:
            raise HandoffIncomplete("受理服务移交审查须包含：" + "、".join(missing), missing=missing)
        if data.project is not None and data.project.project_id != data.project_id:
            raise ProjectMismatch()
        return True
    if principal.kind == "user" and principal.has_role("reviewer"):
        extra = [f for f in ("report", "submitted_on", "project", "document_file") if getattr(data, f) is not None]
        if extra:
            raise ReviewerBody(fields=extra)
        return False
    raise OpenForbidden()


@dataclass(frozen=True, slots=True)
class ReportRound:
    """What a review is opened from: the project as intake knows it and the submitted report."""

    project_in: messages.ProjectFacts
    report: Report
    submitted_on: dt.date
    document_file: dict[str, Any] | None
    project: ProjectFacts = field(init=False)
    """The project as the engine reads it, derived once from `project_in`."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "project", ProjectFacts.from_dict(self.project_in.model_dump()))


def handed_over_round(data: ReviewOpen) -> ReportRound:
    """The round as intake handed it over (checked complete by `opened_by_intake`)."""
    assert data.project is not None and data.report is not None and data.submitted_on is not None
    document_file = data.document_file.model_dump() if data.document_file else None
    return ReportRound(data.project, data.report, data.submitted_on, document_file)


async def fetched_round(intake: IntakeSource, principal: Principal, data: ReviewOpen) -> ReportRound:
    """The round a reviewer opens, read from intake: the project must be in the reviewer's region."""
    try:
        project = await intake.project(data.project_id, cached=False)
        region = str(project.get("region_code") or "") if project is not None else ""
        if project is None or not principal.region_code or not region_contains(principal.region_code, region):
            raise ProjectNotFound()
        body = await intake.report(data.project_id, data.round)
    except PeerDown as exc:
        raise IntakeUnavailable() from exc
    if body is None:
        raise ReportNotFound(f"该项目第{data.round}轮报告不存在")
    try:
        project_in = messages.ProjectFacts.model_validate({**project, "project_id": project.get("id", data.project_id)})
        report = Report.model_validate(body.get("report") or {})
        submitted = body.get("submitted_on") or str(body.get("submitted_at") or "")[:10]
        submitted_on = dt.date.fromisoformat(submitted)
    except (ValidationError, ValueError) as exc:
        raise IntakeDataInvalid() from exc
    file_id = body.get("document_file_id")
    return ReportRound(project_in, report, submitted_on, {"id": file_id} if file_id else None)


def new_review(
    principal: Principal,
    data: ReviewOpen,
    source: ReportRound,
    checklist: Checklist,
    resolved: ResolvedConfig,
    lookup: RegistryLookup,
    now: dt.datetime,
) -> Review:
    """The review row, with what it was evaluated with (so later versions never change it)."""
    project, report, project_in = source.project, source.report, source.project_in
    registry_agency = lookup.answer.facts.agency
    agency_org_id = project_in.agency_org_id
    if agency_org_id is None and project.assessor_kind == "agency" and registry_agency is not None:
        agency_org_id = registry_agency.org_id
    return Review(
        project_id=data.project_id,
        round=data.round,
        region_code=project.region_code,
        project_number=project_in.number,
        project_title=project_in.title,
        report_title=(report.title or report.project_name or project_in.title or DEFAULT_REPORT_TITLE).strip()[:300],
        responsible_org_id=project.responsible_org_id,
        responsible_org_name=project.responsible_org_name
        or (report.filing_form.decision_body if report.filing_form else None),
        assessor_kind=project.assessor_kind,
        agency_id=project.agency_id or (report.assessor.agency_id if report.assessor else None),
        agency_org_id=agency_org_id,
        checklist_version=checklist.version,
        config_source=resolved.source(),
        config=resolved.config.model_dump(mode="json"),
        submitted_on=source.submitted_on,
        report=report.model_dump(mode="json", exclude_none=True),
        project=project_in.model_dump(mode="json"),
        document_file=source.document_file,
        registry_unavailable=lookup.answer.unavailable,
        opened_by=principal.subject,
        created_at=now,
        updated_at=now,
    )


def item_rows(review: Review, checklist: Checklist, outcomes: list[ItemOutcome]) -> list[dict[str, Any]]:
    """The 45 item rows, as column values for one executemany."""
    details = plain_details([o.details for o in outcomes])
    rows: list[dict[str, Any]] = []
    for position, (definition, outcome) in enumerate(zip(checklist.items, outcomes, strict=True)):
        auto = definition.mode == ItemMode.auto
        rows.append(
            {
                "review_id": review.id,
                "code": definition.code,
                "position": position,
                "category_code": checklist.category_of[definition.code].code,
                "mode": definition.mode.value,
                "severity": definition.severity.value,
                "auto_result": outcome.result.value if auto else None,
                "result": outcome.result.value,
                "evidence": outcome.evidence,
                "details": details[position],
                "suggestion": outcome.suggestion.value if outcome.suggestion is not None else None,
                "comment": None,
                "judged_by": None,
                "judged_by_name": None,
                "judged_at": None,
            }
        )
    return rows


def opening_audit(principal: Principal, review: Review, now: dt.datetime) -> ReviewAudit:
    return audit_entry(principal, review, "open", now, after="pending")


def opened_event(review: Review) -> ReviewEvent:
    return ReviewEvent(event=ReviewEventKind.opened, review_id=review.id, round=review.round, score=None)


__all__ = [
    "ReportRound",
    "fetched_round",
    "handed_over_round",
    "item_rows",
    "new_review",
    "opened_by_intake",
    "opened_event",
    "opening_audit",
]
