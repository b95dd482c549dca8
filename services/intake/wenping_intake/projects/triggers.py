"""Mandatory-assessment triggers (必须评估的情形) seen in the seeds (domain.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wenping_shared.contracts.vocab import EVENT_CROWD_THRESHOLD, Interest, ProjectCategory, label_of

#: Interests that make an assessment mandatory, in display order.
TRIGGER_INTERESTS: tuple[Interest, ...] = (
    Interest.land_requisition,
    Interest.demolition,
    Interest.farmers_burden,
    Interest.soe_restructuring,
    Interest.heritage,
)
LARGE_EVENT = "large_event"


def mandatory_triggers(
    category: str, interests: Iterable[str], expected_participants: int | None
) -> list[dict[str, Any]]:
    present = set(interests)
    triggers = [
        {"code": interest.value, "label": f"涉及{label_of(Interest, interest.value)}"}
        for interest in TRIGGER_INTERESTS
        if interest.value in present
    ]
    if category == ProjectCategory.event and (expected_participants or 0) >= EVENT_CROWD_THRESHOLD:
        triggers.append(
            {
                "code": LARGE_EVENT,
                "label": f"重大活动预计参与 {expected_participants} 人（≥{EVENT_CROWD_THRESHOLD} 人）",
            }
        )
    return triggers
