"""Who sees which project, for intake: the shared rule (``wenping_shared`` ``sees_project``) as a
query filter for lists, statistics, reminders and exports (``visible_filter``), for one loaded
object (``can_see``, ``sees_loaded``), and for every read of a project or its sub-resources
(``visible_project``: also lets a drawn expert in). A project the caller cannot see answers 404,
never 403.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    READ_SCOPE,
    REGION_READER_ROLES,
    Principal,
    ProjectNotFound,
    ProjectParties,
    is_agency_of,
    is_filer_of,
    region_prefix,
    sees_project,
)

from ..expert_opinions.repository import ExpertOpinionRepository, drawn_project_ids
from .models import Project


class ProjectView(ProjectParties, Protocol):
    """What the rules of a read need of a project: the loaded row (``Project``) or a row of its
    public columns (``repository.PUBLIC_COLUMNS``), which the hot reads select instead."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...


ViewT = TypeVar("ViewT", bound=ProjectView)


#: How a condition takes a value by name: the value itself (a statement for this request), or a
#: bound parameter of that name (a statement built once and kept for every request of its shape,
#: the values given at execution; ``expanding`` for a list).
Bind = Callable[..., Any]
#: The project table's columns: conditions over them keep a statement Core (rows, no ORM objects).
PROJECT = Project.__table__.c  # type: ignore[attr-defined]


def subtree_bounds(region_code: str) -> tuple[str, str]:
    """The lowest and highest code of the region's subtree."""
    prefix = region_prefix(region_code)
    return prefix.ljust(6, "0"), prefix.ljust(6, "9")


def in_region_subtree(column: Any, region_code: str) -> ColumnElement[bool]:
    """Codes of the region's subtree as a range on the code, so any b-tree index serves it on
    both backends (LIKE 'prefix%' needs a special operator class on PostgreSQL)."""
    low, high = subtree_bounds(region_code)
    return and_(column >= low, column <= high)


def visible_terms(principal: Principal) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Which terms of the rule let the caller see projects (the shape of ``visible_condition``),
    and their values: the caller's organisation, region subtree, account."""
    if principal.kind == "service":
        return ("everything",), {}
    if principal.kind == "client":
        if READ_SCOPE not in principal.scopes or not principal.region_code:
            return (), {}
        low, high = subtree_bounds(principal.region_code)
        return ("region",), {"visible_low": low, "visible_high": high}
    terms: list[str] = []
    values: dict[str, Any] = {}
    if principal.has_role("filer") and principal.org_id:
        terms.append("filer")
        values["visible_org"] = principal.org_id
    if principal.has_role("agency") and principal.org_id:
        terms.append("agency")
        values["visible_org"] = principal.org_id
    if principal.has_role(*REGION_READER_ROLES) and principal.region_code:
        terms.append("region")
        values["visible_low"], values["visible_high"] = subtree_bounds(principal.region_code)
    if principal.has_role("expert"):
        terms.append("expert")
        values["visible_subject"] = principal.subject
    return tuple(terms), values


def visible_condition(terms: tuple[str, ...], bind: Bind) -> ColumnElement[bool]:
    """The rule as a query condition, of the terms ``visible_terms`` gave, values taken by ``bind``."""
    if terms == ("everything",):
        return true()
    clauses: list[ColumnElement[bool]] = []
    for term in terms:
        if term == "filer":
            clauses.append(PROJECT.responsible_org_id == bind("visible_org"))
        elif term == "agency":
            clauses.append(PROJECT.agency_org_id == bind("visible_org"))
        elif term == "region":
            clauses.append(and_(PROJECT.region_code >= bind("visible_low"), PROJECT.region_code <= bind("visible_high")))
        else:
            clauses.append(PROJECT.id.in_(drawn_project_ids(bind("visible_subject"))))
    return or_(*clauses) if clauses else false()


def visible_filter(principal: Principal) -> ColumnElement[bool]:
    terms, values = visible_terms(principal)
    return visible_condition(terms, lambda name, expanding=False: values[name])


def can_see(principal: Principal, project: ProjectView, drawn_experts: Collection[str] = ()) -> bool:
    return sees_project(principal, project, drawn_experts)


def ensure_visible(principal: Principal, project: ViewT | None, drawn_experts: Collection[str] = ()) -> ViewT:
    """``drawn_experts``: the project's current experts' accounts (``drawn_experts_for``);
    without them an expert caller sees nothing (what a change of the project wants)."""
    if project is None or not can_see(principal, project, drawn_experts):
        raise ProjectNotFound()
    return project


def needs_drawn_experts(principal: Principal, project: ProjectView | None) -> bool:
    """Whether seeing ``project`` depends on its drawn experts: only for an expert caller."""
    return project is not None and principal.kind == "user" and principal.has_role("expert")


async def drawn_experts_for(session: AsyncSession, principal: Principal, project: ProjectView | None) -> set[str]:
    """The accounts of the project's current experts, looked up only for an expert caller
    (what ``sees_project`` needs to let a drawn expert see the project)."""
    if project is None or not needs_drawn_experts(principal, project):
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
    "PROJECT", "READ_SCOPE", "REGION_READER_ROLES", "Bind", "ProjectView", "can_see", "drawn_experts_for", "ensure_visible", "in_region_subtree",
    "is_agency_of", "is_filer_of", "needs_drawn_experts", "sees_loaded", "subtree_bounds", "visible_condition", "visible_filter", "visible_project",
    "visible_terms",
]
