"""Who sees a row that belongs to a unit in a region (a decision list, an inspection, an
accountability action): the unit's filers, the readers of the region's subtree, and an
integration client of the subtree with projects:read. The project rule itself is
projects/access.py; these rows never open to agency staff or experts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, or_, true

from wenping_shared import READ_SCOPE, Principal, region_contains

from .projects.access import in_region_subtree

#: Roles that read the inspections, circulars, accountability, targets and appraisals of their whole subtree.
OVERSIGHT_READERS = ("supervisor", "reviewer", "admin")


def visible_clause(
    principal: Principal, region: Any, org: Any, readers: Sequence[str] = OVERSIGHT_READERS
) -> ColumnElement[bool]:
    """The rows of ``region`` and ``org`` columns the caller may see, as a query filter."""
    if principal.kind == "service":
        return true()
    if principal.kind == "client":
        if READ_SCOPE not in principal.scopes or not principal.region_code:
            return false()
        return in_region_subtree(region, principal.region_code)
    clauses: list[ColumnElement[bool]] = []
    if principal.has_role("filer") and principal.org_id:
        clauses.append(org == principal.org_id)
    if principal.has_role(*readers) and principal.region_code:
        clauses.append(in_region_subtree(region, principal.region_code))
    return or_(*clauses) if clauses else false()


def sees(principal: Principal, region_code: str, org_id: str | None, readers: Sequence[str] = OVERSIGHT_READERS) -> bool:
    """``visible_clause`` for one loaded row."""
    if principal.kind == "service":
        return True
    if principal.kind == "client":
        return READ_SCOPE in principal.scopes and bool(principal.region_code) and region_contains(
            principal.region_code or "", region_code
        )
    if principal.has_role("filer") and principal.org_id and principal.org_id == org_id:
        return True
    return bool(principal.has_role(*readers) and principal.region_code and region_contains(principal.region_code, region_code))
