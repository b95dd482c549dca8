"""Who sees which project — the one place that decides it.

- a filer: the projects of their own organisation (responsible organisation);
- agency staff: the projects commissioned to their agency;
- reviewers and supervisors: every project in their region subtree;
- an integration client: its region subtree, with scope ``projects:read``;
- service tokens (review, registry): every project.

Everyone else (admins, experts) sees none here. ``visible_filter`` is for queries (lists,
statistics, reminders, exports); ``can_see`` is the same rule for one loaded object. A project
the caller cannot see answers 404, never 403.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel import col

from wenping_shared import NotFound, Principal, region_contains, region_prefix

from .models import Project

READ_SCOPE = "projects:read"
REGION_READER_ROLES = ("reviewer", "supervisor")


def in_region_subtree(column: Any, region_code: str) -> ColumnElement[bool]:
    """Codes of the region's subtree as a range on the code, so any b-tree index serves it on
    both backends (LIKE 'prefix%' needs a special operator class on PostgreSQL)."""
    prefix = region_prefix(region_code)
    return and_(column >= prefix.ljust(6, "0"), column <= prefix.ljust(6, "9"))


def visible_filter(principal: Principal) -> ColumnElement[bool]:
    if principal.kind == "service":
        return true()
    if principal.kind == "client":
        if READ_SCOPE not in principal.scopes or not principal.region_code:
            return false()
        return in_region_subtree(col(Project.region_code), principal.region_code)
    clauses: list[ColumnElement[bool]] = []
    if principal.has_role("filer") and principal.org_id:
        clauses.append(col(Project.responsible_org_id) == principal.org_id)
    if principal.has_role("agency") and principal.org_id:
        clauses.append(col(Project.agency_org_id) == principal.org_id)
    if principal.has_role(*REGION_READER_ROLES) and principal.region_code:
        clauses.append(in_region_subtree(col(Project.region_code), principal.region_code))
    return or_(*clauses) if clauses else false()


def can_see(principal: Principal, project: Project) -> bool:
    if principal.kind == "service":
        return True
    if principal.kind == "client":
        return (
            READ_SCOPE in principal.scopes
            and bool(principal.region_code)
            and region_contains(principal.region_code or "", project.region_code)
        )
    return (
        is_filer_of(principal, project)
        or is_agency_of(principal, project)
        or (
            principal.has_role(*REGION_READER_ROLES)
            and bool(principal.region_code)
            and region_contains(principal.region_code or "", project.region_code)
        )
    )


def ensure_visible(principal: Principal, project: Project | None) -> Project:
    if project is None or not can_see(principal, project):
        raise NotFound("项目不存在", code="project.not_found")
    return project


def is_filer_of(principal: Principal, project: Project) -> bool:
    """A filer of the project's responsible organisation (决策主体)."""
    return (
        principal.kind == "user"
        and principal.has_role("filer")
        and principal.org_id is not None
        and principal.org_id == project.responsible_org_id
    )


def is_agency_of(principal: Principal, project: Project) -> bool:
    """Staff of the agency commissioned for the project."""
    return (
        principal.kind == "user"
        and principal.has_role("agency")
        and principal.org_id is not None
        and project.agency_org_id is not None
        and principal.org_id == project.agency_org_id
    )
