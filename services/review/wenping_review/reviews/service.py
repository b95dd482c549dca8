"""The review: open (evaluate all items and store them), judge items, decide, read.

Rules kept here:
- a review is unique per (project_id, round); opening again answers the existing review;
- what a review was evaluated with (checklist version, region configuration, report, project)
  is stored with it, so later versions never change it;
- an auto item's result may be overridden only with a comment; every judgement is audited;
- the decision needs every item judged; the verdict and score follow from the items
  (domain.md); intake and the registry are told through the outbox in the same transaction.

HTTP stays in the endpoints: an If-Match header arrives here as a `Precondition`, a callable
that checks the review's current ETag and raises when it does not match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from types import SimpleNamespace

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import PageParams, Precondition, Principal, ProjectNotFound, enqueue, etag_for, local_date, utcnow
from wenping_shared.contracts.messages import AgencyPerformance, FailedItem, ReviewEvent, ReviewEventKind
from wenping_shared.contracts.vocab import ItemMode, ItemResult, ReviewVerdict
from wenping_shared.metrics import REVIEW_VERDICTS

from ..checklist import DEFAULT_CONFIG, Checklist, RegionReviewConfig, load_checklist, score, verdict
from ..database import OutboxMessage
from ..errors import (
    AlreadyDecided,
    AuditForbidden,
    ConcurrentChange,
    DeadlineInPast,
    DeadlineNotApplicable,
    ItemNotFound,
    ManualItemsPending,
    NotDecided,
    OfficeNotFound,
    OfficeUnavailable,
    OverrideCommentRequired,
    ReviewerRequired,
    ReviewNotFound,
)
from ..evaluation import CURRENT_CHECKLIST, evaluate_report, lookup_registry
from ..feedback import FeedbackLetter, document_number_for
from ..region_configs.service import RegionConfigService
from ..sources import IntakeSource, PeerDown, RegistrySource
from .access import actor_name, audit_entry, can_read, list_scope, may_judge, may_read_audit
from .letters import build_letter
from .models import Review, ReviewAudit, ReviewItem
from .opening import (
    fetched_round,
    handed_over_round,
    item_rows,
    new_review,
    opened_by_intake,
    opened_event,
    opening_audit,
)
from .public import StoredItem, changes_between, review_detail
from .repository import ReviewFilters, ReviewRepository
from .schemas import DecisionCreate, ItemJudgement, ReviewOpen, ReviewPublic

FALLBACK_DOCUMENT_PREFIX = "稳评审查函"

"""Given the review's current ETag, raises when the caller's If-Match does not allow the change."""

OpenedReview = tuple[Review, list[SimpleNamespace] | None, bool]
"""(the review, its items when just created, created?)"""


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
            raise ReviewNotFound()
        return review

    async def list_for(self, principal: Principal, page: PageParams, filters: ReviewFilters) -> Sequence[Review]:
        """The caller's slice, oldest first (the queue order); one row past the page."""
        scope = list_scope(principal, filters.region_code)
        if scope is None:
            return []
        return await self.repo.list_page(page, scope, filters)

    async def detail(self, review: Review, items: Sequence[StoredItem] | None = None) -> ReviewPublic:
        checklist = load_checklist(review.checklist_version)
        if items is None:
            items = await self.repo.items(review.id)
        changes = None
        if review.round > 1:
            previous = await self.repo.previous_round(review)
            if previous is not None:
                changes = changes_between(previous, await self.repo.items(previous.id), review, items, checklist)
        return review_detail(review, items, checklist, changes)

    async def audit_trail(self, principal: Principal, review_id: str) -> list[ReviewAudit]:
        review = await self.visible(principal, review_id)
        if not may_read_audit(principal):
            raise AuditForbidden()
        return await self.repo.audit(review.id)

    # --- opening ---------------------------------------------------------------------------

    async def open(self, principal: Principal, data: ReviewOpen) -> OpenedReview:
        from_intake = opened_by_intake(principal, data)
        source = handed_over_round(data) if from_intake else await fetched_round(self.intake, principal, data)
        project = source.project
        checklist = load_checklist(CURRENT_CHECKLIST)
        # Peers first (HTTP, the registry usually from its cache), then one database
        # transaction: SQLite holds its write lock from the first statement, so nothing in the
        # transaction waits on the network.
        lookup = await lookup_registry(source.report, project, source.submitted_on, self.registry)

        # Written first, without asking whether the round already has a review: (project_id,
        # round) is unique, so a repeated hand-off (the outbox's retry) meets the constraint and
        # answers the stored review below. Each statement saved is a round trip to the database
        # on every new review (the SELECT was 4-5 ms of 17 in the open-review profile, loaded).
        resolved = await RegionConfigService(self.session).effective(project.region_code)
        outcomes = evaluate_report(
            source.report,
            checklist=checklist,
            config=resolved.config,
            submitted_on=source.submitted_on,
            project=project,
            lookup=lookup,
        )
        now = utcnow()
        review = new_review(principal, data, source, checklist, resolved, lookup, now)
        rows = item_rows(review, checklist, outcomes)
        self.repo.add(review, opening_audit(principal, review, now))
        self._tell_intake(review, opened_event(review))
        try:
            await self.session.flush()
            # 45 rows in one executemany, without building ORM objects for them.
            await self.repo.insert_items(rows)
        except IntegrityError:
            # Already opened (a repeated hand-off, or another request just now): answer that review.
            await self.session.rollback()
            existing = await self.repo.by_project_round(data.project_id, data.round)
            if existing is None:
                raise
            if not can_read(principal, existing) and not from_intake:
                raise ProjectNotFound() from None
            return existing, None, False
        return review, [SimpleNamespace(**row) for row in rows], True

    # --- judging ---------------------------------------------------------------------------

    async def _for_action(
        self, principal: Principal, review_id: str, action: str, precondition: Precondition | None
    ) -> Review:
        review = await self.visible(principal, review_id)
        if not may_judge(principal, review):
            raise ReviewerRequired(f"仅本辖区审查员可{action}")
        if review.status == "decided":
            raise AlreadyDecided()
        if precondition is not None:
            precondition(etag_for(review.version))
        return review

    async def _touch(self, review: Review, now: dt.datetime) -> None:
        if not await self.repo.bump_version(review, now):
            raise ConcurrentChange()

    async def judge(
        self,
        principal: Principal,
        review_id: str,
        code: str,
        data: ItemJudgement,
        precondition: Precondition | None = None,
    ) -> Review:
        """Judgements may carry a precondition (If-Match is optional for them)."""
        review = await self._for_action(principal, review_id, "判定审查条目", precondition)
        item = await self.repo.item(review.id, code)
        if item is None:
            raise ItemNotFound(f"审查条目 {code} 不存在")
        comment = (data.comment or "").strip() or None
        if item.mode == ItemMode.auto and data.result != item.auto_result and comment is None:
            raise OverrideCommentRequired(f"条目 {code} 为自动审查项，推翻自动审查结果须填写审查意见（comment）")
        now = utcnow()
        before = item.result
        item.result = data.result
        item.comment = comment
        item.judged_by = principal.subject
        item.judged_by_name = actor_name(principal)
        item.judged_at = now
        self.repo.add(
            item,
            audit_entry(
                principal, review, "judge_item", now, item_code=code, before=before, after=data.result, comment=comment
            ),
        )
        await self._touch(review, now)
        return review

    # --- deciding --------------------------------------------------------------------------

    async def decide(
        self, principal: Principal, review_id: str, data: DecisionCreate, precondition: Precondition | None
    ) -> Review:
        """The decision is a state transition (api.md): the endpoint always passes a precondition."""
        office = await self._office_name(principal.org_id)  # before the database is locked
        review = await self._for_action(principal, review_id, "作出审查结论", precondition)
        items = await self.repo.items(review.id)
        checklist = load_checklist(review.checklist_version)
        _require_all_judged(items, checklist)
        results = {i.code: i.result for i in items}
        outcome = verdict(results, checklist)
        assert outcome is not None  # every item is judged
        points = score(results, checklist)
        config = _config_of(review)
        now = utcnow()
        today = local_date(now)
        deadline = _rectification_deadline(outcome, data.rectification_deadline, config, today)
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
            audit_entry(principal, review, "decide", now, before="pending", after=outcome.value, comment=review.decision_comment),
        )
        self._tell_intake(review, decided_event(review, outcome, items))
        if review.assessor_kind == "agency" and review.agency_id:
            enqueue(
                self.session,
                OutboxMessage,
                "registry",
                f"/api/v1/agencies/{review.agency_id}/performance",
                agency_performance(review),
            )
        await self.session.flush()
        REVIEW_VERDICTS.labels(outcome.value).inc()
        return review

    async def _office_name(self, org_id: str | None) -> str | None:
        """The issuing office's name from the registry (None when it is down: resolved again
        when the letter is read)."""
        if not org_id:
            return None
        try:
            org = await self.registry.organization(org_id)
        except PeerDown:
            return None
        return str(org["name"]) if org and org.get("name") else None

    def _tell_intake(self, review: Review, event: ReviewEvent) -> None:
        enqueue(self.session, OutboxMessage, "intake", f"/api/v1/projects/{review.project_id}/review-events", event)

    # --- the feedback letter ---------------------------------------------------------------

    async def feedback_letter(self, principal: Principal, review_id: str) -> FeedbackLetter:
        """The letter of a decided review, built from the stored items (never re-evaluated)."""
        review = await self.visible(principal, review_id)
        if review.status != "decided":
            raise NotDecided()
        items = await self.repo.items(review.id)
        office = review.issuing_office
        if office is None or review.agency_org_id:
            # The registry is asked below: hold no database transaction meanwhile (detached
            # first, so ending the read does not expire what was read).
            self.session.expunge_all()
            await self.session.rollback()
        if office is None:
            # The registry was down at the decision: ask now.
            office = await self._office_name_now(review.issuing_org_id)
        # The 版记's 抄送: the agency that wrote the report (left out when the registry is down).
        agency = await self._office_name(review.agency_org_id)
        return build_letter(review, items, office, copies_to=[agency] if agency else [])

    async def _office_name_now(self, org_id: str | None) -> str:
        try:
            org = await self.registry.organization(org_id) if org_id else None
        except PeerDown as exc:
            raise OfficeUnavailable() from exc
        if org is None or not org.get("name"):
            raise OfficeNotFound()
        return str(org["name"])


def _require_all_judged(items: Sequence[ReviewItem], checklist: Checklist) -> None:
    pending = [i for i in items if i.result == ItemResult.pending]
    if not pending:
        return
    listed = [
        {"code": i.code, "title": checklist.by_code[i.code].title if i.code in checklist.by_code else i.code}
        for i in pending
    ]
    raise ManualItemsPending(
        f"尚有 {len(pending)} 项待判定（" + "、".join(f"{x['code']} {x['title']}" for x in listed) + "），不能作出审查结论",
        items=listed,
    )


def _rectification_deadline(
    outcome: ReviewVerdict, asked: dt.date | None, config: RegionReviewConfig, today: dt.date
) -> dt.date | None:
    """None for an approval; otherwise the one asked for (after today) or the region's default."""
    if outcome == ReviewVerdict.approved:
        if asked is not None:
            raise DeadlineNotApplicable()
        return None
    if asked is None:
        days = (
            config.revision_deadline_days
            if outcome == ReviewVerdict.returned_for_revision
            else config.reassessment_deadline_days
        )
        return today + dt.timedelta(days=days)
    if asked <= today:
        raise DeadlineInPast()
    return asked


def decided_event(review: Review, outcome: ReviewVerdict, items: Sequence[ReviewItem]) -> ReviewEvent:
    return ReviewEvent(
        event=ReviewEventKind.decided,
        review_id=review.id,
        round=review.round,
        verdict=outcome,
        score=review.score,
        rectification_deadline=review.rectification_deadline,
        failed_items=[
            FailedItem(code=i.code, category_code=i.category_code) for i in items if i.result == ItemResult.fail
        ],
        decided_at=review.decided_at,
    )


def agency_performance(review: Review) -> AgencyPerformance:
    assert review.verdict is not None and review.score is not None and review.decided_at is not None
    return AgencyPerformance(
        review_id=review.id,
        project_id=review.project_id,
        round=review.round,
        verdict=ReviewVerdict(review.verdict),
        score=review.score,
        decided_at=review.decided_at,
    )


def _config_of(review: Review) -> RegionReviewConfig:
    """The configuration the review was opened with (the defaults if it no longer validates)."""
    try:
        return RegionReviewConfig.model_validate(review.config)
    except ValidationError:
        return DEFAULT_CONFIG


__all__ = ["OpenedReview", "Precondition", "ReviewService"]
