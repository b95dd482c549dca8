"""Helpers for the review service's API tests: report/project builders matching the demo
organisations, a hand-off helper, and a registry front that answers the agency and expert
lookups for the sample report's ids (everything else goes to the real registry app)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import pytest
from system_kit import docx_bytes

from wenping_shared.contracts import samples
from wenping_shared.demo import org_id

JX_ZJJ = "嘉兴市住房和城乡建设局"
JX_AGENCY = "嘉兴和谐社会风险评估咨询有限公司"
ALL_AUTO_REGISTRY_ITEMS = ("C02.2", "C02.3", "C02.4")


class Routing(Protocol):
    """The test transport: requests to each service go to the app under its name."""

    apps: dict[str, httpx.AsyncBaseTransport]


class System(Protocol):
    """What the review tests use of the running three-app system (tests/conftest.py's
    WenpingSystem, which satisfies this; a protocol, because two conftest modules make
    `from conftest import` ambiguous)."""

    apps: dict[str, Any]  # the FastAPI apps by service name (their `state` is untyped)
    transport: Routing

    @property
    def intake(self) -> httpx.AsyncClient: ...

    @property
    def review(self) -> httpx.AsyncClient: ...

    @property
    def registry(self) -> httpx.AsyncClient: ...

    async def auth(self, username: str, resource: str | None = None) -> dict[str, str]: ...

    async def service_headers(self, service: str, audience: str) -> dict[str, str]: ...

    async def decide_review(self, review_id: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response: ...

    async def drain_outboxes(self) -> None: ...


TakeDown = Callable[[str], None]
"""The `peer_down` fixture: takes the named service off the network for one test."""


def report(**overrides: Any) -> dict[str, Any]:
    """The complete sample report, filed by the demo 嘉兴市住建局 (so filers and C02.1 match)."""
    data = samples.complete_report()
    data["filing_form"]["decision_body_org_id"] = org_id(JX_ZJJ)
    return samples._deep_merge(data, overrides)


def draft(**overrides: Any) -> dict[str, Any]:
    """The sample report as a draft checked today: measure deadlines moved a year ahead of
    today (the sample's are after its own submission date, not after today's)."""
    data = report(**overrides)
    later = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    for m in data["measures"]["items"]:
        m["deadline"] = later
    return data


def project(project_id: str, **overrides: Any) -> dict[str, Any]:
    facts = samples.sample_project_facts()
    facts.update(
        project_id=project_id,
        number=f"WP-330400-2026-{project_id[:5]}",
        title=samples.PROJECT_NAME,
        responsible_org_id=org_id(JX_ZJJ),
        responsible_org_name=JX_ZJJ,
        interests=list(facts["interests"]),
        planned_decision_date=facts["planned_decision_date"].isoformat(),
        agency_org_id=org_id(JX_AGENCY),
        implementing_org_id=samples.IMPLEMENTING_UNIT_ORG_ID,
    )
    facts.update(overrides)
    return facts


def handoff(
    project_id: str | None = None,
    round_: int = 1,
    *,
    rep: dict[str, Any] | None = None,
    submitted_on: dt.date = samples.SUBMITTED_ON,
    **project_overrides: Any,
) -> dict[str, Any]:
    pid = project_id or str(uuid.uuid4())
    return {
        "project_id": pid,
        "round": round_,
        "report": rep if rep is not None else report(),
        "submitted_on": submitted_on.isoformat(),
        "project": project(pid, **project_overrides),
        "document_file": {"id": str(uuid.uuid4()), "filename": "report.pdf", "sha256": "0" * 64},
    }


@dataclass
class RegistryFront(httpx.AsyncBaseTransport):
    """Answers eligibility and experts-by-id for the sample's agency and experts like the
    registry contract says, records what was asked, passes everything else to the real app."""

    real: httpx.AsyncBaseTransport
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    agency_status: str = "active"
    agency_grade: str | None = "B"
    grade_valid_until: dt.date = dt.date(2027, 12, 31)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        params = dict(request.url.params)
        if path == f"/api/v1/agencies/{samples.AGENCY_ID}/eligibility":
            self.calls.append((path, params))
            on = dt.date.fromisoformat(params.get("on") or dt.date.today().isoformat())
            reasons = []
            if self.agency_status != "active":
                reasons.append({"code": "agency.suspended", "message": "机构已被暂停"})
            if self.grade_valid_until < on:
                reasons.append({"code": "agency.grade_expired", "message": "机构等级已过期"})
            body = {
                "eligible": not reasons,
                "reasons": reasons,
                "agency": {
                    "id": samples.AGENCY_ID,
                    "name": samples.AGENCY_NAME,
                    "org_id": org_id(JX_AGENCY),
                    "credit_code": "91330400MA2B3C4D5E",
                    "region_code": "330400",
                    "status": self.agency_status,
                    "on_file": True,
                    "grade": self.agency_grade,
                    "grade_valid_until": self.grade_valid_until.isoformat(),
                },
            }
            return httpx.Response(200, json=body, request=request)
        if path == "/api/v1/experts" and "ids" in params:
            self.calls.append((path, params))
            known = samples.sample_registry_facts()["experts"]
            items = [
                {**known[i], "title": "专家", "region_code": "330400"}
                for i in params["ids"].split(",")
                if i in known
            ]
            return httpx.Response(200, json={"items": items, "next_cursor": None}, request=request)
        return await self.real.handle_async_request(request)


def clear_review_caches(system: System) -> None:
    state = system.apps["review"].state
    state.registry_source.eligibility.clear()
    state.registry_source.experts.clear()
    state.intake_source.projects.clear()
    state.region_configs.clear()


async def open_review(system: System, body: dict[str, Any]) -> dict[str, Any]:
    headers = await system.service_headers("intake", "review")
    r = await system.review.post("/api/v1/reviews", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def judge_all_pending(system: System, review: dict[str, Any], result: str = "pass") -> dict[str, Any]:
    """Judge every pending item (manual ones, and registry ones when the registry was down)."""
    headers = await system.auth("jx.reviewer")
    for item in review["items"]:
        if item["result"] == "pending":
            r = await system.review.put(
                f"/api/v1/reviews/{review['id']}/items/{item['code']}",
                json={"result": result, "comment": "经人工核实"},
                headers=headers,
            )
            assert r.status_code == 200, r.text
            review = r.json()
    return review


def items_by_code(review: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["code"]: i for i in review["items"]}


def deep_copy(value: Any) -> Any:
    return copy.deepcopy(value)


def jdump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- driving intake like its users (for the end-to-end tests) --------------------------------

HEXIE_AGENCY = "嘉兴和谐社会风险评估咨询有限公司"
FGW = "嘉兴市发展和改革委员会"


async def intake_project_commissioned(system: System) -> dict[str, Any]:
    """A 发改委 project in 330400, assessing, commissioned to the demo grade-B agency."""
    from wenping_shared.demo import demo_id

    filer = await system.auth("jx.fgw.filer")
    body = {
        "title": f"审查全流程测试项目-{uuid.uuid4().hex[:8]}",
        "category": "project",
        "sub_kind": "urban_renewal",
        "initiation": "initiation",
        "filing_batch": "ad_hoc",
        "interests": ["land_requisition", "demolition", "environment", "employment"],
        "affected_population": 3860,
        "description": "老旧片区城市更新",
        "implementing_unit_name": samples.IMPLEMENTING_UNIT,
        "planned_decision_date": (dt.date.today() + dt.timedelta(days=120)).isoformat(),
        "deadline": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
    }
    r = await system.intake.post("/api/v1/projects", json=body, headers=filer)
    if r.status_code in (404, 405):
        pytest.skip("intake projects endpoints are not in the tree")
    assert r.status_code == 201, r.text
    project = r.json()
    for action in ("file", "start_assessment"):
        current = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=filer)).json()
        r = await system.intake.post(
            f"/api/v1/projects/{project['id']}/transitions",
            json={"action": action},
            headers={**filer, "If-Match": f'"{current["version"]}"'},
        )
        assert r.status_code == 200, r.text
    r = await system.intake.post(
        f"/api/v1/projects/{project['id']}/commission",
        json={"agency_id": demo_id("agency", HEXIE_AGENCY)},
        headers=filer,
    )
    assert r.status_code == 200, r.text
    return r.json()


async def registry_team(system: System, avoid_org_ids: set[str]) -> list[str]:
    """Three active 嘉兴 registry experts with a field matching urban renewal with land
    requisition, none employed by an organisation to avoid."""
    r = await system.registry.get("/api/v1/experts", params={"limit": 200}, headers=await system.auth("jx.reviewer"))
    if r.status_code == 404:
        pytest.skip("registry experts endpoints are not in the tree")
    assert r.status_code == 200, r.text
    wanted = {"construction", "land_requisition", "environment", "social_governance"}
    found = [
        e["id"]
        for e in r.json()["items"]
        if e.get("status") == "active"
        and set(e.get("fields") or ()) & wanted
        and e.get("employer_org_id") not in avoid_org_ids
    ]
    assert len(found) >= 3
    return found[:3]


async def agency_report_for(system: System, project: dict[str, Any]) -> dict[str, Any]:
    """The sample report rewritten for an intake project of 发改委 assessed by the demo agency,
    with registry experts, submitted today."""
    data = draft()
    data["project_name"] = data["filing_form"]["project_name"] = project["title"]
    data["filing_form"]["decision_body"] = FGW
    data["filing_form"]["decision_body_org_id"] = org_id(FGW)
    data["filing_form"]["planned_decision_date"] = project["planned_decision_date"]
    data["assessor"]["agency_id"] = project["agency_id"]
    experts = await registry_team(system, {org_id(FGW), org_id(JX_ZJJ)})
    data["assessment_team"] = [{"name": f"专家{i}", "role": "评估专家", "expert_id": e} for i, e in enumerate(experts, 1)] + [
        m for m in data["assessment_team"] if not m.get("expert_id")
    ]
    return data


async def submit_to_intake(system: System, project: dict[str, Any], data: dict[str, Any], user: str = "agency.jx") -> dict[str, Any]:
    headers = await system.auth(user)
    r = await system.intake.post("/api/v1/files", files={"file": ("报告.docx", docx_bytes(), "application/octet-stream")}, headers=headers)
    assert r.status_code == 201, r.text
    r = await system.intake.post(
        f"/api/v1/projects/{project['id']}/reports", json={"report": data, "document_file_id": r.json()["id"]}, headers=headers
    )
    assert r.status_code == 201, r.text
    return r.json()
