"""The registry decides who may know a project exists by the platform's one rule (as intake
does), plus whoever may draw experts for it: an integration client needs projects:read."""

from __future__ import annotations

from wenping_registry.draws.schemas import DrawProject
from wenping_registry.draws.service import sees_project
from wenping_shared import Principal

PROJECT = DrawProject(id="p1", region_code="360402", responsible_org_id="org-a", agency_org_id="org-b")


def _client(*scopes: str, region: str = "360400") -> Principal:
    return Principal(subject="client:x", kind="client", region_code=region, scopes=frozenset(scopes))


def test_a_client_without_projects_read_does_not_see_the_project() -> None:
    assert not sees_project(_client(), PROJECT)
    assert not sees_project(_client("registry:read"), PROJECT)


def test_a_client_with_projects_read_sees_projects_of_its_region_only() -> None:
    assert sees_project(_client("projects:read"), PROJECT)
    assert not sees_project(_client("projects:read", region="620000"), PROJECT)


def test_people_see_it_as_intake_decides_and_admins_who_may_draw_too() -> None:
    filer = Principal(subject="u1", kind="user", roles=frozenset({"filer"}), org_id="org-a", region_code="360402")
    agency = Principal(subject="u2", kind="user", roles=frozenset({"agency"}), org_id="org-b", region_code="360000")
    admin = Principal(subject="u3", kind="user", roles=frozenset({"admin"}), region_code="360400")
    expert = Principal(subject="u4", kind="user", roles=frozenset({"expert"}), org_id="org-a", region_code="360402")
    assert sees_project(filer, PROJECT) and sees_project(agency, PROJECT) and sees_project(admin, PROJECT)
    assert not sees_project(expert, PROJECT)
