"""Who sees what: per role and per route; another tenant's project is 404 everywhere; list filters."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from intake_kit import Projects
from sqlmodel import select
from system_kit import WenpingSystem

from wenping_intake.projects.models import Project
from wenping_shared.demo import org_id

ROUTES = [
    ("GET", "/api/v1/projects/{id}", None),
    ("PATCH", "/api/v1/projects/{id}", {"title": "x"}),
    ("POST", "/api/v1/projects/{id}/transitions", {"action": "file"}),
    ("POST", "/api/v1/projects/{id}/commission", {"agency_id": "a1"}),
    ("GET", "/api/v1/projects/{id}/ledger", None),
    ("GET", "/api/v1/projects/{id}/reports", None),
    ("GET", "/api/v1/projects/{id}/reports/1", None),
    ("POST", "/api/v1/projects/{id}/reports", {"report": {}, "document_file_id": "f"}),
]


async def _ids(system: WenpingSystem, headers: dict[str, str], **params: Any) -> set[str]:
    return {p["id"] for p in await system.every_item("intake", "/api/v1/projects", headers, **{**params, "limit": 200})}


@pytest.fixture
async def spread(projects: Projects) -> dict[str, str]:
    """One project per filer organisation: city (330400), county (330421, 330483), Zhangye (620700)."""
    return {
        "fgw": (await projects.create("jx.fgw.filer"))["id"],
        "zjj": (await projects.create("jx.zjj.filer"))["id"],
        "js": (await projects.create("js.zjj.filer"))["id"],
        "tx": (await projects.create("tx.filer"))["id"],
        "zy": (await projects.create("zy.filer"))["id"],
    }


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("jx.fgw.filer", {"fgw"}),
        ("jx.zjj.filer", {"zjj"}),
        ("js.zjj.filer", {"js"}),
        ("zy.filer", {"zy"}),
        ("jx.reviewer", {"fgw", "zjj", "js", "tx"}),
        ("jx.supervisor", {"fgw", "zjj", "js", "tx"}),
        ("zy.reviewer", {"zy"}),
        ("agency.jx", set()),
        ("expert.jx1", set()),
        ("zj.admin", set()),
    ],
)
async def test_each_role_lists_and_reads_exactly_what_it_may(
    system: WenpingSystem, spread: dict[str, str], user: str, visible: set[str]
) -> None:
    headers = await system.auth(user)
    listed = await _ids(system, headers) & set(spread.values())
    assert listed == {spread[k] for k in visible}
    for key, project_id in spread.items():
        response = await system.intake.get(f"/api/v1/projects/{project_id}", headers=headers)
        assert response.status_code == (200 if key in visible else 404), (user, key, response.text)
        if response.status_code == 404:
            assert response.json()["code"] == "project.not_found"


@pytest.mark.parametrize("user", ["zy.filer", "zy.reviewer", "jx.zjj.filer", "agency.zy", "expert.jx1"])
async def test_another_tenants_project_is_404_on_every_route(system: WenpingSystem, projects: Projects, user: str) -> None:
    project = await projects.create("jx.fgw.filer")
    headers = {**await system.auth(user), "If-Match": f'"{project["version"]}"'}
    for method, path, body in ROUTES:
        response = await system.intake.request(method, path.format(id=project["id"]), json=body, headers=headers)
        assert response.status_code in (404, 422), (user, method, path, response.text)
        if response.status_code == 422:  # payload refused before any lookup: nothing revealed either
            continue
        assert response.json()["code"] in ("project.not_found",), (method, path, response.text)
    unknown = await system.intake.get(f"/api/v1/projects/{uuid.uuid4()}", headers=headers)
    assert unknown.status_code == 404
    # Nothing changed.
    assert (await projects.get(project["id"]))["version"] == project["version"]


async def test_integration_client_sees_its_region_subtree_with_the_read_scope(
    system: WenpingSystem, spread: dict[str, str]
) -> None:
    token = await system.client_token("demo-platform", "wenping-demo-secret")
    headers = {"Authorization": f"Bearer {token}"}
    listed = await _ids(system, headers) & set(spread.values())
    assert listed == {spread[k] for k in ("fgw", "zjj", "js", "tx")}
    assert (await system.intake.get(f"/api/v1/projects/{spread['zy']}", headers=headers)).status_code == 404
    assert (await system.intake.get(f"/api/v1/projects/{spread['js']}", headers=headers)).status_code == 200
    # Reading is all it may do.
    response = await system.intake.post(
        f"/api/v1/projects/{spread['js']}/transitions", json={"action": "file"}, headers={**headers, "If-Match": '"1"'}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("service", ["review", "registry"])
async def test_service_tokens_read_any_project(system: WenpingSystem, spread: dict[str, str], service: str) -> None:
    headers = await system.service_headers(service, "intake")
    for project_id in spread.values():
        response = await system.intake.get(f"/api/v1/projects/{project_id}", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        for field in ("number", "level", "assessor_kind", "already_implemented", "interests", "responsible_org_name"):
            assert field in body


async def test_filters_region_subtree_status_category_org_year_q_overdue(
    system: WenpingSystem, projects: Projects, unique: Any
) -> None:
    marker = unique("筛选")
    city = await projects.create("jx.zjj.filer", title=f"{marker} 市级", category="policy", sub_kind=None,
                                 deadline="2020-01-01", planned_decision_date="2020-02-01")
    county = await projects.create("js.zjj.filer", title=f"{marker} 县级", initiation="application")
    await projects.act(county["id"], "file", "js.zjj.filer")
    headers = await system.auth("jx.reviewer")

    async def ids(**params: Any) -> set[str]:
        return await _ids(system, headers, q=marker, **params)

    both = {city["id"], county["id"]}
    assert await ids() == both
    assert await ids(region_code="330400") == both
    assert await ids(region_code="330421") == {county["id"]}
    assert await ids(region_code="330483") == set()
    assert await ids(status="filed") == {county["id"]}
    assert await ids(status=["filed", "draft"]) == both
    assert await ids(category="policy") == {city["id"]}
    assert await ids(initiation="application") == {county["id"]}
    assert await ids(responsible_org_id=org_id("嘉兴市住房和城乡建设局")) == {city["id"]}
    assert await ids(year=city["year"]) == both
    assert await ids(year=2001) == set()
    assert await ids(overdue=True) == {city["id"]}
    assert await ids(overdue=False) == {county["id"]}
    assert await ids(risk_level="low") == set()
    assert await _ids(system, headers, q=county["number"]) == {county["id"]}
    assert await _ids(system, headers, q="%") >= set()  # a wildcard is a literal, never an error
    listed = await system.intake.get("/api/v1/projects", params={"q": marker}, headers=headers)
    assert {p["id"]: p["overdue"] for p in listed.json()["items"]} == {city["id"]: True, county["id"]: False}


@pytest.mark.parametrize(
    "params",
    [{"region_code": "33"}, {"status": "done"}, {"category": "x"}, {"year": "abc"}, {"limit": 0}, {"limit": 201},
     {"cursor": "not-a-cursor"}, {"overdue": "perhaps"}, {"risk_level": "extreme"}],
)
async def test_bad_list_parameters_answer_4xx_problems(system: WenpingSystem, params: dict[str, Any]) -> None:
    response = await system.intake.get("/api/v1/projects", params=params, headers=await system.auth("jx.reviewer"))
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


async def test_keyset_pagination_walks_every_row_once_in_order(system: WenpingSystem, projects: Projects, unique: Any) -> None:
    marker = unique("分页")
    created = [(await projects.create("tx.filer", title=f"{marker}-{i}"))["id"] for i in range(7)]
    listed = await system.every_item("intake", "/api/v1/projects", await system.auth("tx.filer"), q=marker, limit=3)
    assert [p["id"] for p in listed] == list(reversed(created))


async def test_reviewer_filter_is_a_range_on_the_region_code(system: WenpingSystem) -> None:
    # A reviewer of 330400 matches the codes 330400..330499 (a range any b-tree index serves).
    from wenping_intake.projects.access import visible_filter
    from wenping_shared import Principal

    principal = Principal(subject="user:x", kind="user", roles=frozenset({"reviewer"}), region_code="330400")
    async with system.apps["intake"].state.sessionmaker() as session:
        rows = (await session.exec(select(Project).where(visible_filter(principal)))).all()
    assert rows and all(r.region_code.startswith("3304") for r in rows)
