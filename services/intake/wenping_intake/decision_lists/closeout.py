"""The close-out (销号) state of a decision-list item, derived from its project on every read."""

from __future__ import annotations

import datetime as dt

from wenping_shared.contracts.vocab import LabelledEnum, ProjectStatus


class CloseOutState(LabelledEnum):
    closed_out = "closed_out", "已销号"
    open = "open", "未销号"
    overdue = "overdue", "逾期未销号"

#: Project states that close a list item out, with the reason shown when it is not a plain 销号.
CLOSING_STATUSES: dict[str, str | None] = {
    ProjectStatus.closed: None,
    ProjectStatus.withdrawn: "项目已撤回",
    ProjectStatus.rejected: "决策不予实施",
}


def close_out_state(status: str, deadline: dt.date | None, today: dt.date) -> CloseOutState:
    """closed → 销号; withdrawn or rejected → closed out too (with a reason); otherwise open,
    or overdue once the project's deadline has passed."""
    if status in CLOSING_STATUSES:
        return CloseOutState.closed_out
    if deadline is not None and deadline < today:
        return CloseOutState.overdue
    return CloseOutState.open


def close_out_reason(status: str, withdraw_reason: str | None = None) -> str | None:
    reason = CLOSING_STATUSES.get(status)
    if reason and status == ProjectStatus.withdrawn and withdraw_reason:
        return f"{reason}：{withdraw_reason}"
    return reason
