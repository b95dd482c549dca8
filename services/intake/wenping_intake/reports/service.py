"""Report rounds: submission (handed to review through the outbox) and the review's verdicts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    Conflict,
    Principal,
    ProjectNotFound,
    ReportNotFound,
    enqueue,
    local_date,
    public_view,
    utcnow,
)
from wenping_shared.contracts import messages
from wenping_shared.contracts.vocab import ProjectStatus, ReviewVerdict, label_of

from ..database import OutboxMessage
from ..errors import InvalidTransition, ReportDocumentNotFound, ReportNotAccepted, ReportSubmitForbidden
from ..expert_opinions.service import ensure_opinions_answered
from ..files.models import StoredFile
from ..projects import lifecycle
from ..projects.access import ensure_visible, is_agency_of, is_filer_of, visible_project
from ..projects.models import Project
from ..projects.repository import ProjectRepository
from ..projects.service import project_facts
from ..risk_watch import service as risk_watch
from .models import ReportRound, ReturnReason, ReviewEvent, approval_day
from .repository import ReportRepository
from .schemas import DocumentRef, ReportRoundPublic, ReportRoundSummary, ReportSubmission

S = ProjectStatus
REVIEWS_PATH = "/api/v1/reviews"


def _status_label(status: str) -> str:
    return label_of(ProjectStatus, status)


def round_summary(row: ReportRound) -> ReportRoundSummary:
    return public_view(ReportRoundSummary, row)


def round_public(row: ReportRound, document: StoredFile | None) -> ReportRoundPublic:
    return public_view(ReportRoundPublic, row, document_file=public_view(DocumentRef, document) if document else None)


class ReportService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.projects = ProjectRepository(session)
        self.reports = ReportRepository(session)

    async def submit(self, principal: Principal, project_id: str, data: ReportSubmission) -> tuple[ReportRound, StoredFile]:
        project = ensure_visible(principal, await self.projects.get_for_update(project_id))
        if project.assessor_kind == "agency":
            if not is_agency_of(principal, project):
                raise ReportSubmitForbidden("本项目已委托第三方评估机构，评估报告由受托机构报送")
        elif not is_filer_of(principal, project):
            raise ReportSubmitForbidden()
        if project.status not in lifecycle.REPORTABLE_STATUSES:
            raise ReportNotAccepted(
                f"项目当前状态为「{_status_label(project.status)}」，只有评估中或退回整改的项目可以报送评估报告",
                current_status=project.status,
            )
        # Every expert opinion made since the last round is answered (adoption recorded) first.
        await ensure_opinions_answered(self.session, project.id)
        document = await self.session.get(StoredFile, data.document_file_id)
        if document is None or document.uploaded_by_org_id != principal.org_id:
            raise ReportDocumentNotFound()
        now = utcnow()
        number = project.report_rounds + 1
        row = ReportRound(
            project_id=project.id,
            round=number,
            report=data.report.model_dump(mode="json", exclude_unset=True),
            document_file_id=document.id,
            submitted_at=now,
            submitted_on=local_date(now),
            submitted_by=principal.subject,
            submitted_by_org_id=principal.org_id,
            assessor_kind=project.assessor_kind,
            agency_id=project.agency_id,
        )
        self.session.add(row)
        project.report_rounds = number
        project.current_review_id = None
        await lifecycle.change_status(
            self.session, project, principal, "submit_report", S.report_submitted,
            {"round": number, "document_file_id": document.id, "document_sha256": document.sha256},
        )
        # Handed to review in this same transaction: delivered when review is up, never lost.
        enqueue(
            self.session,
            OutboxMessage,
            "review",
            REVIEWS_PATH,
            messages.ReportHandoff(
                project_id=project.id,
                round=number,
                report=data.report,
                submitted_on=row.submitted_on,
                project=project_facts(project, await risk_watch.handoff_flags(self.session, project.id)),
                document_file=messages.DocumentFileRef(id=document.id, filename=document.filename, sha256=document.sha256),
            ),
        )
        await self.session.flush()
        return row, document

    async def rounds(self, principal: Principal, project_id: str) -> Sequence[ReportRound]:
        project = await visible_project(self.session, principal, project_id)
        return await self.reports.rounds(project.id)

    async def round(self, principal: Principal, project_id: str, number: int) -> tuple[ReportRound, StoredFile | None]:
        project = await visible_project(self.session, principal, project_id)
        row = await self.reports.round(project.id, number)
        if row is None:
            raise ReportNotFound(f"第 {number} 轮评估报告不存在")
        document = await self.session.get(StoredFile, row.document_file_id) if row.document_file_id else None
        return row, document

    # --- the review's verdicts -------------------------------------------------------------------

    async def review_event(self, principal: Principal, project_id: str, data: messages.ReviewEvent) -> tuple[Project, bool]:
        """Apply a review event once; (project, True) for a repeat, which changes nothing."""
        project = await self.projects.get_for_update(project_id)
        if project is None:
            raise ProjectNotFound()
        if await self.reports.event(data.review_id, data.event.value) is not None:
            return project, True
        row = await self.reports.round(project.id, data.round)
        if row is None or data.round != project.report_rounds:
            raise InvalidTransition(
                f"审查事件针对的第 {data.round} 轮报告不是项目当前的报告轮次（当前第 {project.report_rounds} 轮）",
                current_status=project.status,
            )
        if data.event == "opened":
            if project.status != S.report_submitted:
                raise self._refused(project, "审查开始")
            row.review_id = data.review_id
            project.current_review_id = data.review_id
            await lifecycle.change_status(
                self.session, project, principal, "review_opened", S.under_review,
                {"review_id": data.review_id, "round": data.round},
            )
        else:
            # A decision may overtake a delayed 'opened' (each is retried on its own): accept both states.
            if project.status not in (S.report_submitted, S.under_review):
                raise self._refused(project, "审查结论")
            await self._decide(principal, project, row, data)
        self.session.add(row)
        self.session.add(
            ReviewEvent(
                project_id=project.id,
                review_id=data.review_id,
                event=data.event.value,
                round=data.round,
                payload=data.model_dump(mode="json"),
            )
        )
        await self.session.flush()
        return project, False

    async def _decide(self, principal: Principal, project: Project, row: ReportRound, data: messages.ReviewEvent) -> None:
        assert data.verdict is not None  # a decided event always carries one (ReviewEvent's validator)
        verdict = data.verdict
        decided_at = data.decided_at or utcnow()
        row.review_id = data.review_id
        row.verdict = verdict.value
        row.score = data.score
        row.rectification_deadline = data.rectification_deadline
        row.decided_at = decided_at
        project.current_review_id = data.review_id
        for item in {i.code: i for i in data.failed_items}.values():
            self.session.add(
                ReturnReason(
                    project_id=project.id,
                    round=data.round,
                    review_id=data.review_id,
                    verdict=verdict.value,
                    item_code=item.code,
                    category_code=item.category_code,
                    region_code=project.region_code,
                    year=project.year,
                    decided_at=decided_at,
                )
            )
        if verdict == ReviewVerdict.approved:
            conclusion = (row.report or {}).get("conclusion") or {}
            project.risk_level = conclusion.get("residual_level")
            # The same value the round's flush writes (reports/models.py); set here so this object agrees.
            day = approval_day(decided_at)
            project.approved_on = max(day, project.approved_on) if project.approved_on else day
            to_status = S.approved
        else:
            to_status = S.returned
        await lifecycle.change_status(
            self.session, project, principal, "review_decided", to_status,
            {
                "review_id": data.review_id,
                "round": data.round,
                "verdict": verdict.value,
                "score": data.score,
                "rectification_deadline": data.rectification_deadline.isoformat() if data.rectification_deadline else None,
                "failed_items": [i.code for i in data.failed_items],
                "risk_level": project.risk_level,
            },
        )

    @staticmethod
    def _refused(project: Project, what: str) -> Conflict:
        return InvalidTransition(
            f"项目当前状态为「{_status_label(project.status)}」，不能接受{what}",
            current_status=project.status,
        )
