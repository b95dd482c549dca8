"""F4 (region configs outside the caller's subtree), F5 (implementing organisation checked with
the registry), F8 (admins read no project statistics)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from wenping_shared.demo import org_id


@pytest.mark.parametrize("suffix", ["", "/versions"])
@pytest.mark.parametrize(
    ("user", "region", "status"),
    [
        ("jx.reviewer", "330421", 200),  # below the caller's city
        ("jx.reviewer", "330400", 200),
        ("jx.reviewer", "330000", 404),  # the parent province
        ("jx.reviewer", "330600", 404),  # a sibling city
        ("jx.reviewer", "620700", 404),  # another province
        ("jx.reviewer", "999999", 404),  # no such region
        ("js.zjj.filer", "330400", 404),  # a county user and its city
        ("zy.admin", "620702", 200),
        ("expert.jx1", "330600", 404),
    ],
)
async def test_region_config_outside_the_callers_subtree_answers_404(
    system: Any, user: str, region: str, status: int, suffix: str
) -> None:
    response = await system.review.get(f"/api/v1/region-configs/{region}{suffix}", headers=await system.auth(user))
    assert response.status_code == status, response.text
    if status == 404:
        assert response.json()["code"] == "region.not_found"


def _project(**extra: Any) -> dict[str, Any]:
    return {"title": f"实施单位-{uuid.uuid4().hex[:6]}", "category": "policy", "initiation": "initiation", **extra}


@pytest.mark.parametrize(
    ("implementing", "status"),
    [
        (org_id("嘉善县住房和城乡建设局"), 201),  # same province
        (org_id("张掖市自然资源局"), 400),  # another province
        ("no-such-org-" + "0" * 8, 400),  # invented
    ],
)
async def test_implementing_org_must_be_known_and_in_the_filers_province(
    system: Any, implementing: str, status: int
) -> None:
    filer = await system.auth("jx.fgw.filer")
    response = await system.intake.post("/api/v1/projects", json=_project(implementing_org_id=implementing), headers=filer)
    assert response.status_code == status, response.text
    if status == 400:
        problem = response.json()
        assert problem["code"] == "project.implementing_org_not_found" and "实施单位" in problem["detail"]


async def test_implementing_org_on_designation_decision_list_and_edit(system: Any) -> None:
    foreign = org_id("张掖市自然资源局")
    supervisor = await system.auth("jx.supervisor")
    designation = _project(responsible_org_id=org_id("嘉兴市住房和城乡建设局"), implementing_org_id=foreign)
    designation["initiation"] = "designation"
    response = await system.intake.post("/api/v1/projects/designations", json=designation, headers=supervisor)
    assert response.status_code == 400 and response.json()["code"] == "project.implementing_org_not_found", response.text

    filer = await system.auth("jx.fgw.filer")
    body = {"batch": "mid_year", "year": 2026, "title": f"清单-{uuid.uuid4().hex[:6]}",
            "items": [_project(), _project(implementing_org_id=foreign)]}
    response = await system.intake.post("/api/v1/decision-lists", json=body, headers=filer)
    assert response.status_code == 400 and response.json()["code"] == "project.implementing_org_not_found", response.text

    created = await system.intake.post("/api/v1/projects", json=_project(), headers=filer)
    assert created.status_code == 201
    project = created.json()
    response = await system.intake.patch(
        f"/api/v1/projects/{project['id']}", json={"implementing_org_id": foreign},
        headers={**filer, "If-Match": f'"{project["version"]}"'},
    )
    assert response.status_code == 400 and response.json()["code"] == "project.implementing_org_not_found", response.text


async def test_implementing_org_check_answers_503_when_the_registry_is_down(system: Any, peer_down: Any) -> None:
    filer = await system.auth("jx.fgw.filer")
    before = (await system.intake.get("/api/v1/projects", params={"limit": 1}, headers=filer)).json()
    peer_down("registry")
    response = await system.intake.post(
        "/api/v1/projects", json=_project(implementing_org_id=org_id("嘉善县住房和城乡建设局")), headers=filer
    )
    assert response.status_code == 503, response.text
    after = (await system.intake.get("/api/v1/projects", params={"limit": 1}, headers=filer)).json()
    assert after["items"][:1] == before["items"][:1]  # nothing half-written


async def test_admins_read_no_project_statistics(system: Any) -> None:
    for admin in ("zj.admin", "zy.admin"):
        response = await system.intake.get("/api/v1/stats/summary", headers=await system.auth(admin))
        assert response.status_code == 403 and response.json()["code"] == "stats.forbidden", response.text
    supervisor = await system.intake.get("/api/v1/stats/summary", headers=await system.auth("jx.supervisor"))
    assert supervisor.status_code == 200
