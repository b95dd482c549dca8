"""Who may see and act on which review — the one place that decides it.

- reviewers and supervisors: the reviews of their region subtree (the queue);
- a filer: the reviews of their organisation's projects (responsible organisation);
- agency staff: the reviews of reports their agency wrote;
- the intake and registry services: every review.

Only a reviewer of the review's region judges items and decides. A review the caller may not
see answers 404, never 403.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wenping_shared import Principal, current_request_id, region_contains

from ..errors import ReviewListForbidden
from .models import Review, ReviewAudit


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


def may_read_audit(principal: Principal) -> bool:
    return principal.has_role("reviewer", "supervisor")


@dataclass(frozen=True, slots=True)
class ListScope:
    """The caller's slice of the reviews: one of these is set."""

    region_code: str | None = None
    responsible_org_id: str | None = None
    agency_org_id: str | None = None


def list_scope(principal: Principal, region_code: str | None) -> ListScope | None:
    """The caller's slice of the reviews (None: a region filter outside it, so nothing)."""
    if principal.kind == "user" and principal.has_role("reviewer", "supervisor") and principal.region_code:
        if region_code is not None and not region_contains(principal.region_code, region_code):
            return None
        return ListScope(region_code=region_code or principal.region_code)
    if principal.kind == "user" and principal.has_role("filer") and principal.org_id:
        return ListScope(responsible_org_id=principal.org_id)
    if principal.kind == "user" and principal.has_role("agency") and principal.org_id:
        return ListScope(agency_org_id=principal.org_id)
    raise ReviewListForbidden()


def actor_name(principal: Principal) -> str | None:
    """The name the audit trail shows for the caller."""
    return principal.name or principal.claims.get("username")


def audit_entry(
    principal: Principal,
    review: Review,
    action: str,
    at: dt.datetime,
    *,
    before: str | None = None,
    after: str | None = None,
    item_code: str | None = None,
    comment: str | None = None,
) -> ReviewAudit:
    """One line of the review's audit trail: who did what, when, from which request."""
    return ReviewAudit(
        review_id=review.id,
        action=action,
        item_code=item_code,
        actor=principal.subject,
        actor_name=actor_name(principal),
        actor_org_id=principal.org_id,
        at=at,
        before=before,
        after=after,
        comment=comment,
        request_id=current_request_id(),
    )


__all__ = ["ListScope", "actor_name", "audit_entry", "can_read", "list_scope", "may_judge", "may_read_audit"]
