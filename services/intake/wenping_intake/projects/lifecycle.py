"""The project state machine of domain.md, in one place.

Transitions (``POST /projects/{id}/transitions``) are all the responsible organisation's
(its filers'): a supervisor only designates, reviewers move projects only through review
outcomes (review events), agencies only through report submission. Other modules (tracking,
evaluation) move the remaining states with ``change_status``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, utcnow
from wenping_shared.contracts.vocab import DECIDED_STATUS, ProjectStatus, Recommendation, TransitionAction

from ..clearances import service as clearances
from ..ledger import service as ledger
from ..webhooks import events as webhook_events
from .access import ProjectView, is_filer_of
from .models import Project

S = ProjectStatus
A = TransitionAction

#: Open states: a decision is not taken (or deferred) yet; a filer may withdraw from any of them.
OPEN_STATUSES: frozenset[str] = frozenset(
    {S.draft, S.filed, S.assessing, S.report_submitted, S.under_review, S.returned, S.approved, S.deferred}
)
#: Finished: nothing more happens; never overdue.
FINISHED_STATUSES: frozenset[str] = frozenset({S.closed, S.withdrawn, S.rejected})
#: Which fields PATCH may change, and when.
EDITABLE_STATUSES: frozenset[str] = frozenset({S.draft, S.filed})
#: An agency may be commissioned until a report is under way.
COMMISSIONABLE_STATUSES: frozenset[str] = frozenset({S.draft, S.filed, S.assessing, S.returned})
#: A report round may be submitted while assessing, or after a return.
REPORTABLE_STATUSES: frozenset[str] = frozenset({S.assessing, S.returned})

ACTION_SOURCES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        A.file: frozenset({S.draft}),
        A.start_assessment: frozenset({S.filed}),
        A.decide: frozenset({S.approved}),
        A.close: frozenset({S.evaluated}),
        A.withdraw: OPEN_STATUSES,
        A.resume: frozenset({S.deferred}),
    }
)
_FIXED_TARGET: Mapping[str, str] = MappingProxyType(
    {A.file: S.filed, A.start_assessment: S.assessing, A.close: S.closed, A.withdraw: S.withdrawn, A.resume: S.assessing}
)


def target_status(action: str, outcome: str | None) -> str:
    if action == A.decide:
        assert outcome is not None
        return DECIDED_STATUS[Recommendation(outcome)]
    return _FIXED_TARGET[action]


def actions_from(status: str) -> list[str]:
    return [a for a, sources in ACTION_SOURCES.items() if status in sources]


def allowed_actions(principal: Principal, project: ProjectView) -> list[str]:
    """The transitions this caller may take on this project now."""
    if not is_filer_of(principal, project):
        return []
    return actions_from(project.status)


def touch(project: Project) -> None:
    """Every change bumps the version (the ETag) and updated_at."""
    project.version += 1
    project.updated_at = utcnow()


async def change_status(
    session: AsyncSession,
    project: Project,
    actor: Principal,
    action: str,
    to_status: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Move ``project`` to ``to_status`` and record it in the ledger (the caller checked the rule)."""
    from_status = project.status
    now = utcnow()
    project.status = to_status
    if to_status == S.filed and project.filed_at is None:
        project.filed_at = now
    if to_status in (S.implement, S.implement_with_measures, S.deferred, S.rejected):
        project.decided_at = now
    if to_status == S.closed:
        project.closed_at = now
    if to_status == S.withdrawn:
        project.withdrawn_at = now
    touch(project)
    await ledger.append(session, project, actor, action, from_status, to_status, details)
    # In the same transaction: subscribers hear of the change, and the clearance follows the status.
    await webhook_events.project_changed(session, project, action, from_status, to_status, details or {})
    await clearances.follow_status(session, project, actor, action, to_status, details or {})
