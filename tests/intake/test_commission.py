"""Commissioning a third-party agency: the registry decides eligibility; the agency then reports."""

from __future__ import annotations

import uuid
from typing import Any

from intake_kit import Projects, Reports
from system_kit import PeerDown, WenpingSystem

from wenping_shared.demo import demo_id, org_id

HEXIE = "嘉兴和谐社会风险评估咨询有限公司"  # grade B, active: takes anything
ANHE = "嘉兴安和评估咨询有限公司"  # suspended
ZY_D = "张掖市稳评咨询中心"  # grade D: county projects only


async def _commission(system: WenpingSystem, project_id: str, agency_name_or_id: str, user: str = "jx.fgw.filer") -> Any:
    agency_id = demo_id("agency", agency_name_or_id) if not agency_name_or_id.startswith("raw:") else agency_name_or_id[4:]
    return await system.intake.post(
        f"/api/v1/projects/{project_id}/commission", json={"agency_id": agency_id}, headers=await system.auth(user)
    )


async def test_commissioned_agency_sees_and_reports_the_project(system: WenpingSystem, projects: Projects, reports: Reports) -> None:
    project = await projects.assessing()
    assert (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=await system.auth("agency.jx"))).status_code == 404
    response = await _commission(system, project["id"], HEXIE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["assessor_kind"] == "agency" and body["agency_id"] == demo_id("agency", HEXIE)
    assert body["agency_org_id"] == org_id(HEXIE) and body["agency_name"] == HEXIE
    assert response.headers["etag"] == f'"{project["version"] + 1}"'
    seen = await system.intake.get(f"/api/v1/projects/{project['id']}", headers=await system.auth("agency.jx"))
    assert seen.status_code == 200 and seen.json()["allowed_actions"] == []
    assert project["id"] in {p["id"] for p in (await system.intake.get(
        "/api/v1/projects", params={"limit": 200}, headers=await system.auth("agency.jx"))).json()["items"]}
    refused = await reports.submit(project["id"], "jx.fgw.filer", expect=403)
    assert refused["code"] == "report.submit_forbidden"
    submitted = await reports.submit(project["id"], "agency.jx")
    assert submitted["round"] == 1 and submitted["assessor_kind"] == "agency"
    assert submitted["agency_id"] == demo_id("agency", HEXIE)
    ledger = (await system.intake.get(f"/api/v1/projects/{project['id']}/ledger", headers=await system.auth("agency.jx"))).json()
    commission = next(e for e in ledger["items"] if e["action"] == "commission")
    assert commission["details"]["agency_id"] == demo_id("agency", HEXIE)


async def test_ineligible_agencies_are_refused_with_the_registrys_reasons(system: WenpingSystem, projects: Projects) -> None:
    project = await projects.create()
    suspended = await _commission(system, project["id"], ANHE)
    assert suspended.status_code == 409, suspended.text
    problem = suspended.json()
    assert problem["code"] == "project.agency_ineligible" and problem["reasons"]
    assert all("code" in r and "message" in r for r in problem["reasons"])
    assert problem["reasons"][0]["message"] in problem["detail"]
    city = await projects.create("zy.filer")
    too_low = await _commission(system, city["id"], ZY_D, "zy.filer")
    assert too_low.status_code == 409 and too_low.json()["code"] == "project.agency_ineligible"
    after = await projects.get(project["id"])
    assert after["agency_id"] is None and after["version"] == project["version"]


async def test_unknown_agency_and_registry_down(system: WenpingSystem, projects: Projects, peer_down: PeerDown) -> None:
    project = await projects.create()
    unknown = await _commission(system, project["id"], f"raw:{uuid.uuid4()}")
    assert unknown.status_code == 404 and unknown.json()["code"] == "agency.not_found"
    headers = await system.auth("jx.fgw.filer")
    peer_down("registry")
    down = await system.intake.post(
        f"/api/v1/projects/{project['id']}/commission", json={"agency_id": demo_id("agency", HEXIE)}, headers=headers
    )
    assert down.status_code == 503 and down.json()["detail"]
    system.transport.down.clear()
    after = await projects.get(project["id"])
    assert after["agency_id"] is None and after["version"] == project["version"]


async def test_commission_rules(system: WenpingSystem, projects: Projects, reports: Reports) -> None:
    project = await projects.create()
    reviewer = await _commission(system, project["id"], HEXIE, "jx.reviewer")
    assert reviewer.status_code == 403 and reviewer.json()["code"] == "project.commission_forbidden"
    stale = await system.intake.post(
        f"/api/v1/projects/{project['id']}/commission", json={"agency_id": demo_id("agency", HEXIE)},
        headers={**await system.auth("jx.fgw.filer"), "If-Match": '"999"'},
    )
    assert stale.status_code == 412
    for bad in ({"agency_id": "../../users"}, {"agency_id": ""}, {}, {"agency_id": "a", "agency_org_id": "b"}):
        response = await system.intake.post(
            f"/api/v1/projects/{project['id']}/commission", json=bad, headers=await system.auth("jx.fgw.filer")
        )
        assert response.status_code == 422, (bad, response.text)
    submitted = await projects.assessing()
    await reports.submit(submitted["id"])
    late = await _commission(system, submitted["id"], HEXIE)
    assert late.status_code == 409 and late.json()["code"] == "project.not_commissionable"
