"""The public shape of a review: response models built from stored rows (already valid, so
without re-validation)."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

from wenping_shared.contracts.messages import WarningFlagFacts
from wenping_shared.contracts.vocab import ItemMode, ItemResult, ReviewVerdict, label_of

from ..checklist import Checklist, score, verdict
from .diff import json_diff
from .models import Review, ReviewItem
from .schemas import (
    ChangedField,
    ChangesSincePrevious,
    FlippedItem,
    ReviewItemPublic,
    ReviewPublic,
    ReviewSummary,
)

StoredItem = ReviewItem | SimpleNamespace
"""An item as stored, or as just inserted (the same columns, without an ORM object)."""


_SUMMARY_LABELS = frozenset({"verdict_label"})
_DETAIL_DERIVED = frozenset(
    {"pending_items", "provisional_verdict", "provisional_score", "items", "changes_since_previous", "warning_flags"}
)
#: Fields copied as stored: everything of the summary but its label, and of the detail but what
#: is derived from the items.
_SUMMARY_COLUMNS = tuple(name for name in ReviewSummary.model_fields if name not in _SUMMARY_LABELS)
_DETAIL_COLUMNS = tuple(
    name for name in ReviewPublic.model_fields if name not in ReviewSummary.model_fields and name not in _DETAIL_DERIVED
)


def review_summary(review: Review) -> ReviewSummary:
    return ReviewSummary.model_construct(
        **{name: getattr(review, name) for name in _SUMMARY_COLUMNS},
        verdict_label=label_of(ReviewVerdict, review.verdict) if review.verdict else None,
    )


def item_public(item: StoredItem, checklist: Checklist) -> ReviewItemPublic:
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
    previous_items: Sequence[ReviewItem],
    review: Review,
    items: Sequence[StoredItem],
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


def review_detail(
    review: Review,
    items: Sequence[StoredItem],
    checklist: Checklist,
    changes: ChangesSincePrevious | None,
) -> ReviewPublic:
    results = {i.code: i.result for i in items}
    provisional = verdict(results, checklist)
    return ReviewPublic.model_construct(
        **dict(review_summary(review)),
        **{name: getattr(review, name) for name in _DETAIL_COLUMNS},
        pending_items=[i.code for i in items if i.result == ItemResult.pending],
        provisional_verdict=provisional.value if provisional else None,
        provisional_score=score(results, checklist),
        items=[item_public(i, checklist) for i in items],
        changes_since_previous=changes,
        # The risk watch's flags came with the project facts of the hand-off (none before it existed).
        warning_flags=[WarningFlagFacts.model_validate(f) for f in (review.project or {}).get("warning_flags") or []],
    )


__all__ = ["StoredItem", "changes_between", "item_public", "review_detail", "review_summary"]
