"""Who sees which project: the rule every service applies to a project, stated once.

- a filer: the projects of their own organisation (responsible organisation);
- agency staff: the projects commissioned to their agency;
- reviewers and supervisors: every project in their region subtree;
- an integration client: its region subtree, with scope ``projects:read``;
- an expert: the projects they were drawn for and have not declined (``drawn_experts``: the
  platform accounts of those experts, which intake keeps from the registry's ``ExpertsAssigned``
  messages; a caller that passes none shows experts nothing, never more);
- service tokens: every project.

Everyone else (admins) sees none by this rule; a service may let more people act on a
project (the registry lets admins draw experts for their region), never fewer. A project the
caller cannot see answers 404, never 403. Intake turns the same rule into a query filter
(``projects/access.py``) for lists.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from ._auth import Principal, region_contains

READ_SCOPE = "projects:read"
REGION_READER_ROLES = ("reviewer", "supervisor")


class ProjectParties(Protocol):
    """What the rule needs of a project (intake's row, or the facts another service holds)."""

    @property
    def region_code(self) -> str: ...

    @property
    def responsible_org_id(self) -> str | None: ...

    @property
    def agency_org_id(self) -> str | None: ...


def is_filer_of(principal: Principal, project: ProjectParties) -> bool:
    """A filer of the project's responsible organisation (决策主体)."""
    return (
        principal.kind == "user"
        and principal.has_role("filer")
        and principal.org_id is not None
        and principal.org_id == project.responsible_org_id
    )


def is_agency_of(principal: Principal, project: ProjectParties) -> bool:
    """Staff of the agency commissioned for the project."""
    return (
        principal.kind == "user"
        and principal.has_role("agency")
        and principal.org_id is not None
        and project.agency_org_id is not None
        and principal.org_id == project.agency_org_id
    )


def is_drawn_expert(principal: Principal, drawn_experts: Collection[str]) -> bool:
    """An expert drawn for the project who has not declined (``drawn_experts``: their subjects)."""
    return principal.kind == "user" and principal.has_role("expert") and principal.subject in drawn_experts


def sees_project(principal: Principal, project: ProjectParties, drawn_experts: Collection[str] = ()) -> bool:
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
        or is_drawn_expert(principal, drawn_experts)
        or (
            principal.has_role(*REGION_READER_ROLES)
            and bool(principal.region_code)
            and region_contains(principal.region_code or "", project.region_code)
        )
    )
