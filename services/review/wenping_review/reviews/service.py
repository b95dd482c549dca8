"""The review: open (evaluate all items and store them), judge items, decide, read.

Rules kept here:
- a review is unique per (project_id, round); opening again answers the existing review;
- what a review was evaluated with (checklist version, region configuration, report, project)
  is stored with it, so later versions never change it;
- an auto item's result may be overridden only with a comment; every judgement is audited;
- the decision needs every item judged; the verdict and score follow from the items
  (domain.md); intake and the registry are told through the outbox in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from types import SimpleNamespace
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    Conflict,
    Forbidden,
    NotFound,
    Principal,
    ServiceUnavailable,
    UnprocessableEntity,
    check_if_match,
    current_request_id,
    enqueue,
    etag_for,
    region_contains,
    utcnow,
)
from wenping_shared.contracts.report import Report
from wenping_shared.contracts.vocab import ItemMode, ItemResult, ReviewVerdict, label_of

from ..checklist import (
    DEFAULT_CONFIG,
    Checklist,
    ProjectFacts,
    RegionReviewConfig,
    load_checklist,
    score,
    verdict,
)
from ..clock import date_cn, today_cn
from ..database import OutboxMessage
from ..evaluation import evaluate_report, lookup_registry
from ..feedback import document_number_for
from ..region_configs.service import RegionConfigService
from ..sources import IntakeSource, PeerDown, RegistrySource
from .diff import json_diff
from .models import Review, ReviewAudit, ReviewItem
from .repository import ReviewRepository
from .schemas import (
    ChangedField,
    ChangesSincePrevious,
    DecisionCreate,
    FlippedItem,
    ItemJudgement,
    ProjectFactsIn,
    ReviewItemPublic,
    ReviewOpen,
    ReviewPublic,
    ReviewSummary,
)

CURRENT_CHECKLIST = "v1"
FALLBACK_DOCUMENT_PREFIX = "稳评审查函"


def _plain(value: Any) -> Any:
    """Evidence details as plain JSON values (Decimal thresholds, dates, enums, tuples), by one
    recursive walk (cheaper than a dumps/loads round trip on the precheck's hot path)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {str(k.value if isinstance(k, Enum) else k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- who may do what -----------------------------------------------------------------------


def can_read(principal: Principal, review: Review) -> bool:
    if principal.kind == "service":
        return principal.is_service("intake") or principal.is_service("registry")
    if principal.has_role("reviewer", "supervisor") and principal.region_code:
        if region_contains(principal.region_code, review.region_code):
            return True
    if principal.has_role("filer") and principal.org_id and principal.org_id == review.responsible_org_id:
        return True
    return bool(principal.has_role("agency") and principal.org_id and principal.org_id == review.agency_org_id)


def may_judge(principal: Principal, review: Review) -> bool:
    return bool(
        principal.kind == "user"
        and principal.has_role("reviewer")
        and principal.region_code
        and region_contains(principal.region_code, review.region_code)
    )


def _actor_name(principal: Principal) -> str | None:
    return principal.name or principal.claims.get("username")


# --- the public shape ----------------------------------------------------------------------


def review_summary(review: Review) -> ReviewSummary:
    return ReviewSummary.model_construct(
        id=review.id,
        project_id=review.project_id,
        project_number=review.project_number,
        project_title=review.project_title,
        report_title=review.report_title,
        round=review.round,
        status=review.status,
        region_code=review.region_code,
        responsible_org_name=review.responsible_org_name,
        submitted_on=review.submitted_on,
        created_at=review.created_at,
        verdict=review.verdict,
        verdict_label=label_of(ReviewVerdict, review.verdict) if review.verdict else None,
        score=review.score,
        decided_at=review.decided_at,
    )


def item_public(item: ReviewItem | SimpleNamespace, checklist: Checklist) -> ReviewItemPublic:
    """Built from stored values (already valid), so without re-validation."""
    definition = checklist.by_code.get(item.code)
    category = checklist.category_of.get(item.code)
    return ReviewItemPublic.model_construct(
        code=item.code,
        title=definition.title if definition else item.code,
        category_code=item.category_code,
        category_title=category.title if category else item.category_code,
        mode=item.mode,
        severity=item.severity,
        result=item.result,
        result_label=label_of(ItemResult, item.result),
        auto_result=item.auto_result,
        overridden=item.mode == ItemMode.auto and item.auto_result is not None and item.result != item.auto_result,
        evidence=item.evidence,
        details=item.details,
        suggestion=item.suggestion,
        require=definition.require if definition else "",
        comment=item.comment,
        judged_by=item.judged_by,
        judged_by_name=item.judged_by_name,
        judged_at=item.judged_at,
    )


def changes_between(
    previous: Review,
    previous_items: list[ReviewItem],
    review: Review,
    items: list[ReviewItem] | list[SimpleNamespace],
    checklist: Checklist,
) -> ChangesSincePrevious:
    before = {i.code: i.result for i in previous_items}
    flipped = [
        FlippedItem(
            code=i.code,
            title=checklist.by_code[i.code].title if i.code in checklist.by_code else i.code,
            before=before[i.code],
            after=i.result,
        )
        for i in items
        if i.code in before and before[i.code] != i.result
    ]
    changes, truncated = json_diff(previous.report, review.report)
    return ChangesSincePrevious(
        previous_review_id=previous.id,
        previous_round=previous.round,
        flipped_items=flipped,
        changed_fields=[ChangedField(**c) for c in changes],
        changed_fields_truncated=truncated,
    )


class ReviewService:
    def __init__(self, session: AsyncSession, registry: RegistrySource, intake: IntakeSource) -> None:
        self.session = session
        self.repo = ReviewRepository(session)
        self.registry = registry
        self.intake = intake

    # --- reading ---------------------------------------------------------------------------

    async def visible(self, principal: Principal, review_id: str) -> Review:
        review = await self.repo.get(review_id)
        if review is None or not can_read(principal, review):
            raise NotFound("审查不存在", code="review.not_found")
        return review

    async def detail(
        self, review: Review, items: list[ReviewItem] | list[SimpleNamespace] | None = None
    ) -> ReviewPublic:
        checklist = load_checklist(review.checklist_version)
        if items is None:
            items = await self.repo.items(review.id)
        results = {i.code: i.result for i in items}
        pending = [i.code for i in items if i.result == ItemResult.pending]
        changes = None
        if review.round > 1:
            previous = await self.repo.previous_round(review)
            if previous is not None:
                changes = changes_between(previous, await self.repo.items(previous.id), review, items, checklist)
        provisional = verdict(results, checklist)
        return ReviewPublic.model_construct(
            **dict(review_summary(review)),
            checklist_version=review.checklist_version,
            config_source=review.config_source,
            responsible_org_id=review.responsible_org_id,
            assessor_kind=review.assessor_kind,
            agency_id=review.agency_id,
            agency_org_id=review.agency_org_id,
            registry_unavailable=review.registry_unavailable,
            opened_by=review.opened_by,
            pending_items=pending,
            provisional_verdict=provisional.value if provisional else None,
            provisional_score=score(results, checklist),
            rectification_deadline=review.rectification_deadline,
            decision_comment=review.decision_comment,
            decided_by=review.decided_by,
            document_number=review.document_number,
            issuing_office=review.issuing_office,
            document_file=review.document_file,
            items=[item_public(i, checklist) for i in items],
            changes_since_previous=changes,
            report=review.report,
            version=review.version,
        )

    # --- opening ---------------------------------------------------------------------------

    async def open(
        self, principal: Principal, data: ReviewOpen
    ) -> tuple[Review, list[SimpleNamespace] | None, bool]:
        """(review, its items when just created, created?)."""
        from_intake = principal.is_service("intake")
        if from_intake:
            missing = [f for f in ("report", "submitted_on", "project") if getattr(data, f) is None]
            if missing:
                raise UnprocessableEntity(
                    "受理服务移交审查须包含：" + "、".join(missing), code="review.handoff_incomplete", missing=missing
                )
            assert data.project is not None
            if data.project.project_id != data.project_id:
                raise UnprocessableEntity("project.project_id 与 project_id 不一致", code="review.project_mismatch")
        elif principal.kind == "user" and principal.has_role("reviewer"):
            extra = [f for f in ("report", "submitted_on", "project", "document_file") if getattr(data, f) is not None]
            if extra:
                raise UnprocessableEntity(
                    "审查员开启审查只需提供 project_id 和 round，报告由系统从受理服务获取",
                    code="review.reviewer_body",
                    fields=extra,
                )
        else:
            raise Forbidden("仅受理服务或审查员可开启审查", code="review.open_forbidden")

        if from_intake:
            assert data.project is not None and data.report is not None and data.submitted_on is not None
            project_in, report, submitted_on = data.project, data.report, data.submitted_on
            document_file = data.document_file.model_dump() if data.document_file else None
        else:
            project_in, report, submitted_on, document_file = await self._fetch_from_intake(principal, data)
        project = ProjectFacts.from_dict(project_in.model_dump())
        checklist = load_checklist(CURRENT_CHECKLIST)
        # Peers first (HTTP, the registry usually from its cache), then one database
        # transaction: SQLite holds its write lock from the first statement, so nothing in the
        # transaction waits on the network.
        lookup = await lookup_registry(report, project, submitted_on, self.registry)
        answer = lookup.answer

        existing = await self.repo.by_project_round(data.project_id, data.round)
        if existing is not None:
            if not can_read(principal, existing) and not from_intake:
                raise NotFound("项目不存在", code="project.not_found")
            return existing, None, False
        resolved = await RegionConfigService(self.session).effective(project.region_code)
        outcomes = evaluate_report(
            report,
            checklist=checklist,
            config=resolved.config,
            submitted_on=submitted_on,
            project=project,
            lookup=lookup,
        )
        agency_org_id = project_in.agency_org_id
        if agency_org_id is None and project.assessor_kind == "agency" and answer.facts.agency is not None:
            agency_org_id = answer.facts.agency.org_id
        report_json = report.model_dump(mode="json", exclude_none=True)
        now = utcnow()
        review = Review(
            project_id=data.project_id,
            round=data.round,
            region_code=project.region_code,
            project_number=project_in.number,
            project_title=project_in.title,
            report_title=(report.title or report.project_name or project_in.title or "社会稳定风险评估报告").strip()[:300],
            responsible_org_id=project.responsible_org_id,
            responsible_org_name=project.responsible_org_name
            or (report.filing_form.decision_body if report.filing_form else None),
            assessor_kind=project.assessor_kind,
            agency_id=project.agency_id or (report.assessor.agency_id if report.assessor else None),
            agency_org_id=agency_org_id,
            checklist_version=checklist.version,
            config_source=resolved.source(),
            config=resolved.config.model_dump(mode="json"),
            submitted_on=submitted_on,
            report=report_json,
            project=project_in.model_dump(mode="json"),
            document_file=document_file,
            registry_unavailable=answer.unavailable,
            opened_by=principal.subject,
            created_at=now,
            updated_at=now,
        )
        details = _plain([o.details for o in outcomes])
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
        audit = ReviewAudit(
            review_id=review.id,
            action="open",
            actor=principal.subject,
            actor_name=_actor_name(principal),
            actor_org_id=principal.org_id,
            at=now,
            after="pending",
            request_id=current_request_id(),
        )
        self.repo.add(review, audit)
        enqueue(
            self.session,
            OutboxMessage,
            "intake",
            f"/api/v1/projects/{review.project_id}/review-events",
            {
                "event": "opened",
                "review_id": review.id,
                "round": review.round,
                "verdict": None,
                "score": None,
                "rectification_deadline": None,
                "failed_items": [],
                "decided_at": None,
            },
        )
        items = [SimpleNamespace(**row) for row in rows]
        try:
            await self.session.flush()
            # 45 rows in one executemany, without building ORM objects for them.
            await self.repo.insert_items(rows)
        except IntegrityError:
            # Opened concurrently by another request: answer that review.
            await self.session.rollback()
            existing = await self.repo.by_project_round(data.project_id, data.round)
            if existing is None:
                raise
            return existing, None, False
        return review, items, True

    async def _fetch_from_intake(
        self, principal: Principal, data: ReviewOpen
    ) -> tuple[ProjectFactsIn, Report, dt.date, dict[str, Any] | None]:
        not_found = NotFound("项目不存在", code="project.not_found")
        try:
            project = await self.intake.project(data.project_id, cached=False)
            if project is None:
                raise not_found
            region = str(project.get("region_code") or "")
            if not principal.region_code or not region_contains(principal.region_code, region):
                raise not_found
            body = await self.intake.report(data.project_id, data.round)
        except PeerDown as exc:
            raise ServiceUnavailable("受理服务暂不可用，请稍后重试", code="review.intake_unavailable") from exc
        if body is None:
            raise NotFound(f"该项目第{data.round}轮报告不存在", code="report.not_found")
        try:
            project_in = ProjectFactsIn.model_validate({**project, "project_id": project.get("id", data.project_id)})
            report = Report.model_validate(body.get("report") or {})
            submitted = body.get("submitted_on") or str(body.get("submitted_at") or "")[:10]
            submitted_on = dt.date.fromisoformat(submitted)
        except (ValidationError, ValueError) as exc:
            raise Conflict("受理服务返回的项目或报告不符合接口约定，无法开启审查", code="review.intake_data_invalid") from exc
        file_id = body.get("document_file_id")
        return project_in, report, submitted_on, ({"id": file_id} if file_id else None)

    # --- judging ---------------------------------------------------------------------------

    async def _for_action(
        self, principal: Principal, review_id: str, request: Request | None, action: str, *, require_if_match: bool = False
    ) -> Review:
        review = await self.visible(principal, review_id)
        if not may_judge(principal, review):
            raise Forbidden(f"仅本辖区审查员可{action}", code="review.reviewer_required")
        if review.status == "decided":
            raise Conflict("审查已作出结论，不能再修改", code="review.already_decided")
        # The decision is a state transition (api.md): If-Match is required; judgements may send it.
        if request is not None and (require_if_match or request.headers.get("if-match") is not None):
            check_if_match(request, etag_for(review.version))
        return review

    async def _touch(self, review: Review, now: dt.datetime) -> None:
        if not await self.repo.bump_version(review, now):
            raise Conflict("审查已被他人同时修改，请刷新后重试", code="review.concurrent_change")

    async def judge(
        self, principal: Principal, review_id: str, code: str, data: ItemJudgement, request: Request | None = None
    ) -> Review:
        review = await self._for_action(principal, review_id, request, "判定审查条目")
        item = await self.repo.item(review.id, code)
        if item is None:
            raise NotFound(f"审查条目 {code} 不存在", code="review.item_not_found")
        comment = (data.comment or "").strip() or None
        if item.mode == ItemMode.auto and data.result != item.auto_result and comment is None:
            raise UnprocessableEntity(
                f"条目 {code} 为自动审查项，推翻自动审查结果须填写审查意见（comment）",
                code="review.override_comment_required",
            )
        now = utcnow()
        before = item.result
        item.result = data.result
        item.comment = comment
        item.judged_by = principal.subject
        item.judged_by_name = _actor_name(principal)
        item.judged_at = now
        self.repo.add(
            item,
            ReviewAudit(
                review_id=review.id,
                action="judge_item",
                item_code=code,
                actor=principal.subject,
                actor_name=_actor_name(principal),
                actor_org_id=principal.org_id,
                at=now,
                before=before,
                after=data.result,
                comment=comment,
                request_id=current_request_id(),
            ),
        )
        await self._touch(review, now)
        return review

    # --- deciding --------------------------------------------------------------------------

    async def decide(
        self, principal: Principal, review_id: str, data: DecisionCreate, request: Request | None = None
    ) -> Review:
        # The issuing office's name comes from the registry: ask before the database is locked.
        office: str | None = None
        if principal.org_id:
            try:
                org = await self.registry.organization(principal.org_id)
                office = str(org["name"]) if org and org.get("name") else None
            except PeerDown:
                office = None  # resolved again when the letter is read
        review = await self._for_action(principal, review_id, request, "作出审查结论", require_if_match=True)
        items = await self.repo.items(review.id)
        checklist = load_checklist(review.checklist_version)
        pending = [i for i in items if i.result == ItemResult.pending]
        if pending:
            listed = [
                {"code": i.code, "title": checklist.by_code[i.code].title if i.code in checklist.by_code else i.code}
                for i in pending
            ]
            raise Conflict(
                f"尚有 {len(pending)} 项待判定（" + "、".join(f"{x['code']} {x['title']}" for x in listed) + "），不能作出审查结论",
                code="review.manual_items_pending",
                items=listed,
            )
        results = {i.code: i.result for i in items}
        outcome = verdict(results, checklist)
        assert outcome is not None
        points = score(results, checklist)
        config = _config_of(review)
        now = utcnow()
        today = date_cn(now)
        deadline = data.rectification_deadline
        if outcome == ReviewVerdict.approved:
            if deadline is not None:
                raise UnprocessableEntity("审查通过的报告无需整改，不能设置整改期限", code="review.deadline_not_applicable")
        elif deadline is None:
            days = (
                config.revision_deadline_days
                if outcome == ReviewVerdict.returned_for_revision
                else config.reassessment_deadline_days
            )
            deadline = today + dt.timedelta(days=days)
        elif deadline <= today:
            raise UnprocessableEntity("整改期限须晚于今天", code="review.deadline_in_past")

        region = principal.region_code or review.region_code
        seq = await self.repo.next_document_number(region, today.year)
        prefix = config.document_number_prefix or (f"{office[0]}政法函" if office else FALLBACK_DOCUMENT_PREFIX)
        review.status = "decided"
        review.verdict = outcome.value
        review.score = points
        review.rectification_deadline = deadline
        review.decision_comment = (data.comment or "").strip() or None
        review.decided_at = now
        review.decided_by = principal.subject
        review.issuing_region_code = region
        review.issuing_org_id = principal.org_id
        review.issuing_office = office
        review.document_year = today.year
        review.document_seq = seq
        review.document_number = document_number_for(prefix, today.year, seq)
        await self._touch(review, now)
        self.repo.add(
            review,
            ReviewAudit(
                review_id=review.id,
                action="decide",
                actor=principal.subject,
                actor_name=_actor_name(principal),
                actor_org_id=principal.org_id,
                at=now,
                before="pending",
                after=outcome.value,
                comment=review.decision_comment,
                request_id=current_request_id(),
            ),
        )
        failed = [{"code": i.code, "category_code": i.category_code} for i in items if i.result == ItemResult.fail]
        enqueue(
            self.session,
            OutboxMessage,
            "intake",
            f"/api/v1/projects/{review.project_id}/review-events",
            {
                "event": "decided",
                "review_id": review.id,
                "round": review.round,
                "verdict": outcome.value,
                "score": points,
                "rectification_deadline": deadline.isoformat() if deadline else None,
                "failed_items": failed,
                "decided_at": now.isoformat(),
            },
        )
        if review.assessor_kind == "agency" and review.agency_id:
            enqueue(
                self.session,
                OutboxMessage,
                "registry",
                f"/api/v1/agencies/{review.agency_id}/performance",
                {
                    "review_id": review.id,
                    "project_id": review.project_id,
                    "round": review.round,
                    "verdict": outcome.value,
                    "score": points,
                    "decided_at": now.isoformat(),
                },
            )
        await self.session.flush()
        return review


def _config_of(review: Review) -> RegionReviewConfig:
    """The configuration the review was opened with (the defaults if it no longer validates)."""
    try:
        return RegionReviewConfig.model_validate(review.config)
    except ValidationError:
        return DEFAULT_CONFIG


__all__ = ["ReviewService", "can_read", "may_judge", "review_summary", "today_cn"]
