"""Filing (报备): fields, validation, numbering, mandatory triggers, idempotency, designation."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest
from intake_kit import Projects, project_body
from sqlmodel import select
from system_kit import PeerDown, WenpingSystem

from wenping_intake.ledger.models import LedgerEntry
from wenping_intake.projects.models import Project
from wenping_intake.projects.org_names import organization_names
from wenping_shared.demo import org_id


async def test_filer_files_a_draft_with_region_and_org_from_the_token(system: WenpingSystem, projects: Projects) -> None:
    response = await system.intake.post(
        "/api/v1/projects",
        json=project_body(interests=["land_requisition", "heritage", "pricing"]),
        headers=await system.auth("js.zjj.filer"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft" and body["status_label"] == "草稿"
    assert body["region_code"] == "330421" and body["level"] == "county"
    assert body["responsible_org_id"] == org_id("嘉善县住房和城乡建设局")
    assert body["responsible_org_name"] == "嘉善县住房和城乡建设局"
    assert re.fullmatch(r"WP-330421-\d{4}-\d{5}", body["number"])
    assert body["assessor_kind"] == "self" and body["agency_id"] is None
    assert body["mandatory"] is True
    assert [t["code"] for t in body["mandatory_triggers"]] == ["land_requisition", "heritage"]
    assert body["mandatory_triggers"][0]["label"] == "涉及征地"
    assert body["allowed_actions"] == ["file", "withdraw"]
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert response.headers["location"] == f"/api/v1/projects/{body['id']}"

    ledger = await system.intake.get(f"/api/v1/projects/{body['id']}/ledger", headers=await system.auth("js.zjj.filer"))
    assert [e["action"] for e in ledger.json()["items"]] == ["create"]
    assert ledger.json()["items"][0]["to_status"] == "draft"


async def test_large_event_is_a_mandatory_trigger(projects: Projects) -> None:
    big = await projects.create(category="event", sub_kind=None, expected_participants=800, interests=[])
    assert big["mandatory_triggers"] == [{"code": "large_event", "label": "重大活动预计参与 800 人（≥500 人）"}]
    small = await projects.create(category="event", sub_kind=None, expected_participants=499, interests=["employment"])
    assert small["mandatory"] is False and small["mandatory_triggers"] == []


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"title": "   "}, "不能为空"),
        ({"title": None}, "应为字符串"),
        ({"category": "factory"}, "取值无效"),
        ({"sub_kind": None}, "工程子类"),
        ({"category": "policy"}, "只有重大工程项目"),
        ({"category": "event", "sub_kind": None}, "预计参与人数"),
        ({"category": "policy", "sub_kind": None, "expected_participants": 10}, "只有重大活动"),
        ({"deadline": "2027-06-01"}, "不得晚于计划决策日期"),
        ({"deadline": "2026-13-01"}, "日期"),
        ({"interests": ["land_requisition", "mining"]}, "取值无效"),
        ({"affected_population": -1}, "不能小于"),
        ({"initiation": "designation"}, "指定评估"),
        ({"region_code": "620700"}, "不允许的字段"),
        ({"responsible_org_id": org_id("张掖市自然资源局")}, "不允许的字段"),
        ({"status": "approved"}, "不允许的字段"),
        ({"agency_id": "x"}, "不允许的字段"),
        ({"title": "长" * 201}, "200"),
    ],
)
async def test_bad_filings_answer_422_in_chinese_and_create_nothing(
    system: WenpingSystem, projects: Projects, overrides: dict[str, Any], fragment: str
) -> None:
    before = await projects.count()
    response = await system.intake.post(
        "/api/v1/projects", json=project_body(**overrides), headers=await system.auth("jx.fgw.filer")
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert fragment in problem["detail"] or any(fragment in e["msg"] for e in problem["errors"])
    assert await projects.count() == before


async def test_only_filers_file(system: WenpingSystem, projects: Projects) -> None:
    before = await projects.count()
    for user in ("jx.reviewer", "jx.supervisor", "agency.jx", "zj.admin"):
        response = await system.intake.post("/api/v1/projects", json=project_body(), headers=await system.auth(user))
        assert response.status_code == 403, (user, response.text)
        assert response.json()["code"] == "project.filer_only"
    service = await system.service_headers("review", "intake")
    assert (await system.intake.post("/api/v1/projects", json=project_body(), headers=service)).status_code == 403
    assert (await system.intake.post("/api/v1/projects", json=project_body())).status_code == 401
    assert await projects.count() == before


async def test_registry_down_answers_503_and_creates_nothing(system: WenpingSystem, projects: Projects, peer_down: PeerDown) -> None:
    headers = await system.auth("jx.fgw.filer")
    before = await projects.count()
    organization_names(system.apps["intake"].state.peers).clear()  # a name not yet known to this process
    peer_down("registry")
    response = await system.intake.post("/api/v1/projects", json=project_body(), headers=headers)
    assert response.status_code == 503, response.text
    assert response.json()["detail"]
    assert await projects.count() == before


async def test_idempotency_key_replays_refuses_other_bodies_and_creates_once(system: WenpingSystem, projects: Projects) -> None:
    headers = {**await system.auth("jx.fgw.filer"), "Idempotency-Key": f"file-{uuid.uuid4()}"}
    body = project_body()
    before = await projects.count()
    first = await system.intake.post("/api/v1/projects", json=body, headers=headers)
    again = await system.intake.post("/api/v1/projects", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.json()["number"] == first.json()["number"]
    other = await system.intake.post("/api/v1/projects", json={**body, "title": "另一个项目"}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency.key_reused"
    assert await projects.count() == before + 1


async def test_concurrent_duplicates_create_one_project(system: WenpingSystem, projects: Projects) -> None:
    headers = {**await system.auth("jx.fgw.filer"), "Idempotency-Key": f"dup-{uuid.uuid4()}"}
    body = project_body()
    before = await projects.count()
    answers = await asyncio.gather(
        *[system.intake.post("/api/v1/projects", json=body, headers=headers) for _ in range(5)]
    )
    # The key is claimed with the answer (run_idempotent(claim_with_answer=True)): the duplicates
    # find it taken once the first has committed and answer what it answered, none a 409.
    assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
    assert len({(a.json()["id"], a.json()["number"]) for a in answers}) == 1
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true", "true", "true", "true"]
    assert await projects.count() == before + 1
    # What the duplicates did was rolled back, their numbers with it: the next filing is the next number.
    following = await system.intake.post("/api/v1/projects", json=project_body(), headers=await system.auth("jx.fgw.filer"))
    seq = int(answers[0].json()["number"].rsplit("-", 1)[1])
    assert following.status_code == 201 and following.json()["number"].endswith(f"-{seq + 1:05d}"), following.text


async def test_concurrent_filings_get_distinct_consecutive_numbers(system: WenpingSystem, projects: Projects) -> None:
    headers = await system.auth("tx.filer")
    answers = await asyncio.gather(
        *[system.intake.post("/api/v1/projects", json=project_body(), headers=headers) for _ in range(20)]
    )
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers if a.status_code != 201]
    numbers = [a.json()["number"] for a in answers]
    assert len(set(numbers)) == 20
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert seqs == list(range(seqs[0], seqs[0] + 20))
    async with system.apps["intake"].state.sessionmaker() as session:
        rows = (await session.exec(select(Project).where(Project.number.in_(numbers)))).all()  # type: ignore[attr-defined]
        assert {r.seq for r in rows} == set(seqs) and {r.region_code for r in rows} == {"330483"}


async def test_supervisor_designates_a_department_of_the_subtree(system: WenpingSystem, projects: Projects) -> None:
    target = org_id("嘉善县住房和城乡建设局")
    response = await system.intake.post(
        "/api/v1/projects/designations",
        json={**project_body(initiation="designation"), "responsible_org_id": target},
        headers=await system.auth("jx.supervisor"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["initiation"] == "designation" and body["status"] == "filed"
    assert body["region_code"] == "330421" and body["responsible_org_id"] == target
    assert body["designated_by_org_id"] == org_id("嘉兴市维稳办")
    assert body["allowed_actions"] == []  # the supervisor designates; the department assesses
    seen = await projects.get(body["id"], "js.zjj.filer")
    assert seen["allowed_actions"] == ["start_assessment", "withdraw"]
    ledger = await system.intake.get(f"/api/v1/projects/{body['id']}/ledger", headers=await system.auth("jx.supervisor"))
    assert [(e["action"], e["to_status"]) for e in ledger.json()["items"]] == [("designate", "filed")]


@pytest.mark.parametrize(
    ("user", "target", "status", "code"),
    [
        ("jx.supervisor", org_id("张掖市自然资源局"), 400, "project.responsible_org_not_found"),
        ("jx.supervisor", str(uuid.uuid4()), 400, "project.responsible_org_not_found"),
        ("jx.supervisor", org_id("嘉兴和谐社会风险评估咨询有限公司"), 400, "project.responsible_org_not_department"),
        ("jx.fgw.filer", org_id("嘉兴市发展和改革委员会"), 403, "project.supervisor_only"),
        ("jx.reviewer", org_id("嘉兴市发展和改革委员会"), 403, "project.supervisor_only"),
    ],
)
async def test_designation_refusals(
    system: WenpingSystem, projects: Projects, user: str, target: str, status: int, code: str
) -> None:
    before = await projects.count()
    response = await system.intake.post(
        "/api/v1/projects/designations",
        json={**project_body(initiation="designation"), "responsible_org_id": target},
        headers=await system.auth(user),
    )
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert await projects.count() == before


async def test_designation_is_not_possible_through_the_filing_route(system: WenpingSystem) -> None:
    response = await system.intake.post(
        "/api/v1/projects",
        json={**project_body(), "initiation": "designation", "responsible_org_id": org_id("嘉兴市发展和改革委员会")},
        headers=await system.auth("jx.supervisor"),
    )
    assert response.status_code == 422


async def test_every_filing_writes_one_ledger_row(system: WenpingSystem, projects: Projects) -> None:
    project = await projects.create()
    async with system.apps["intake"].state.sessionmaker() as session:
        rows = (await session.exec(select(LedgerEntry).where(LedgerEntry.project_id == project["id"]))).all()
    assert len(rows) == 1
    assert rows[0].actor_org_id == org_id("嘉兴市发展和改革委员会") and rows[0].actor_roles == ["filer"]
    assert rows[0].prev_hash is None and len(rows[0].hash) == 64


async def test_meta_enums(system: WenpingSystem) -> None:
    response = await system.intake.get("/api/v1/meta/enums")
    assert response.status_code == 200
    statuses = {e["value"]: e["label"] for e in response.json()["project_status"]}
    assert statuses["under_review"] == "审查中"
