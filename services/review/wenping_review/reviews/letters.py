"""The feedback letter of a decided review, built from the stored items (never re-evaluated)."""

from __future__ import annotations

from wenping_shared import local_date
from wenping_shared.contracts.vocab import ReviewVerdict

from ..checklist import load_checklist
from ..feedback import FeedbackCategory, FeedbackItem, FeedbackLetter
from .models import Review, ReviewItem


def _finding_of_a_failure(item: ReviewItem) -> str | None:
    """The engine's finding, only where it found the failure too.

    A reviewer may fail an item the engine passed (or only suggested on); its evidence then
    reads like a pass ("均有书面回应") and under a failed item would contradict the letter.
    """
    engine_said = item.auto_result if item.auto_result is not None else item.suggestion
    return item.evidence if engine_said == "fail" else None


def build_letter(
    review: Review, items: list[ReviewItem], issuing_office: str, copies_to: list[str] | None = None
) -> FeedbackLetter:
    checklist = load_checklist(review.checklist_version)
    failed = {i.code: i for i in items if i.result == "fail"}
    sections = []
    for category in checklist.categories:
        entries = [
            FeedbackItem(
                code=d.code,
                title=d.title,
                comment=failed[d.code].comment,
                evidence=_finding_of_a_failure(failed[d.code]),
                requirement=d.require,
            )
            for d in category.items
            if d.code in failed
        ]
        if entries:
            sections.append(FeedbackCategory(code=category.code, title=category.title, items=entries))
    assert review.decided_at is not None and review.verdict is not None and review.document_number is not None
    return FeedbackLetter(
        document_number=review.document_number,
        report_title=review.report_title,
        addressee=review.responsible_org_name or "决策主体",
        verdict=ReviewVerdict(review.verdict),
        score=review.score or 0.0,
        round=review.round,
        sections=sections,
        rectification_deadline=review.rectification_deadline,
        issuing_office=issuing_office,
        issued_on=local_date(review.decided_at),
        copies_to=copies_to or [],
    )
