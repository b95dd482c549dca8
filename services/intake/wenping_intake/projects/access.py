"""Who sees which project, for intake: the shared rule (``wenping_shared`` ``sees_project``) as a
query filter for lists, statistics, reminders and exports (``visible_filter``), for one loaded
object (``can_see``, ``sees_loaded``), and for every read of a project or its sub-resources
(``visible_project``: also lets a drawn expert in). A project the caller cannot see answers 404,
never 403.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    READ_SCOPE,
    REGION_READER_ROLES,
    Principal,
    ProjectNotFound,
    is_agency_of,
    is_filer_of,
    region_prefix,
    sees_project,
)

from ..expert_opinions.repository import ExpertOpinionRepository, drawn_project_ids
from .models import Project


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
    if principal.has_role("expert"):
        clauses.append(col(Project.id).in_(drawn_project_ids(principal.subject)))
    return or_(*clauses) if clauses else false()


def can_see(principal: Principal, project: Project, drawn_experts: Collection[str] = ()) -> bool:
    return sees_project(principal, project, drawn_experts)


def ensure_visible(principal: Principal, project: Project | None, drawn_experts: Collection[str] = ()) -> Project:
    """``drawn_experts``: the project's current experts' accounts (``drawn_experts_for``);
    without them an expert caller sees nothing (what a change of the project wants)."""
    if project is None or not can_see(principal, project, drawn_experts):
        raise ProjectNotFound()
    return project


async def drawn_experts_for(session: AsyncSession, principal: Principal, project: Project | None) -> set[str]:
    """The accounts of the project's current experts, looked up only for an expert caller
    (what ``sees_project`` needs to let a drawn expert see the project)."""
    if project is None or principal.kind != "user" or not principal.has_role("expert"):
        return set()
    return await ExpertOpinionRepository(session).current_subjects(project.id)


async def sees_loaded(session: AsyncSession, principal: Principal, project: Project) -> bool:
    """``can_see`` with the project's drawn experts: for a read of something of the project."""
    return can_see(principal, project, await drawn_experts_for(session, principal, project))


async def visible_project(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    """The project for a read (the project, its report rounds, tracking, incidents, ledger,
    opinions): whoever sees it by the one rule, drawn experts included; 404 otherwise."""
    project = await session.get(Project, project_id)
    return ensure_visible(principal, project, await drawn_experts_for(session, principal, project))


__all__ = [
    "READ_SCOPE", "REGION_READER_ROLES", "can_see", "drawn_experts_for", "ensure_visible", "in_region_subtree",
    "is_agency_of", "is_filer_of", "sees_loaded", "visible_filter", "visible_project",
]
