"""The security audit trail (issue #10, point 6): every state change, login, refusal, rate limit,
export, draw and configuration change is recorded with time, principal, action, object, result and
request id, in one hash-chained trail per service that admins can verify and list."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_intake.projects.org_names import organization_names
from wenping_review.database import RateWindow
from wenping_shared import AuditRecordFields
from wenping_shared._audit import record_hash
from wenping_shared.demo import DEMO_PASSWORD, user_id


def request_id() -> str:
    return f"audit-{uuid.uuid4().hex}"


async def records_of(system: WenpingSystem, service: str, rid: str) -> list[AuditRecordFields]:
    model = system.apps[service].state.audit.model
    async with system.apps[service].state.sessionmaker() as session:
        query = select(model).where(model.request_id == rid).order_by(col(model.seq))
        return list((await session.exec(query)).all())


async def the_record(system: WenpingSystem, service: str, rid: str) -> AuditRecordFields:
    records = await records_of(system, service, rid)
    assert len(records) == 1, [(r.action, r.result) for r in records]
    record = records[0]
    # Every record is complete and chained.
    assert record.at is not None and record.seq >= 1 and record.request_id == rid
    assert record.actor and record.action and record.result in {"success", "denied", "failed"}
    assert len(record.prev_hash) == 64 and record.hash == record_hash(record)
    return record


async def verify(system: WenpingSystem, service: str) -> dict[str, Any]:
    r = await system.client(service).get(f"/api/v1/audit/{service}/verify", headers=await system.auth("zj.admin"))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_state_change_is_recorded_with_its_transaction(system: WenpingSystem) -> None:
    rid = request_id()
    filer = await system.auth("jx.fgw.filer")
    r = await system.intake.post("/api/v1/projects", json={"title": "审计项目", "category": "policy"},
                                 headers={**filer, "X-Request-ID": rid})
    assert r.status_code == 201, r.text
    record = await the_record(system, "intake", rid)
    assert record.actor == user_id("jx.fgw.filer") and record.actor_roles == ["filer"]
    assert record.action == "POST /api/v1/projects" and record.result == "success" and record.status == 201
    assert record.object_type == "project" and record.object_id == r.json()["id"]

    # A change of the project names it from the path.
    rid = request_id()
    etag = r.headers["etag"]
    changed = await system.intake.patch(f"/api/v1/projects/{r.json()['id']}", json={"title": "审计项目（改）"},
                                        headers={**filer, "If-Match": etag, "X-Request-ID": rid})
    assert changed.status_code == 200, changed.text
    record = await the_record(system, "intake", rid)
    assert (record.action, record.object_type, record.object_id) == (
        "PATCH /api/v1/projects/{project_id}", "project", r.json()["id"])

    # Listed for admins, newest first, filtered by actor and action.
    listed = await system.intake.get("/api/v1/audit/intake", params={
        "actor": user_id("jx.fgw.filer"), "action": "PATCH /api/v1/projects/{project_id}", "limit": 1,
    }, headers=await system.auth("zj.admin"))
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert item["request_id"] == rid and item["seq"] == record.seq and item["hash"] == record.hash
    # Reading the trail is in the trail.
    read = await the_record(system, "intake", listed.headers["x-request-id"])
    assert (read.actor, read.action, read.detail) == (user_id("zj.admin"), "GET /api/v1/audit/intake", {"kind": "audit_read"})


async def test_a_failed_change_leaves_no_success_record(system: WenpingSystem, peer_down: Any) -> None:
    rid = request_id()
    title = f"注册服务不可用 {rid}"
    filer = await system.auth("tx.filer")
    organization_names(system.apps["intake"].state.peers).clear()  # so the filing must ask the registry
    peer_down("registry")
    r = await system.intake.post("/api/v1/projects", json={"title": title, "category": "policy"},
                                 headers={**filer, "X-Request-ID": rid})
    assert r.status_code == 503, r.text
    record = await the_record(system, "intake", rid)  # exactly one record: the failure
    assert record.result == "failed" and record.status == 503 and record.action == "POST /api/v1/projects"


async def test_logins_succeeding_and_failing(system: WenpingSystem) -> None:
    rid = request_id()
    ok = await system.registry.post("/api/v1/auth/token", headers={"X-Request-ID": rid}, data={
        "grant_type": "password", "username": "jx.supervisor", "password": DEMO_PASSWORD})
    assert ok.status_code == 200, ok.text
    record = await the_record(system, "registry", rid)
    assert (record.actor, record.action, record.result, record.status) == (
        user_id("jx.supervisor"), "auth.login", "success", 200)

    rid = request_id()
    wrong = "not-the-password-4711"
    refused = await system.registry.post("/api/v1/auth/token", headers={"X-Request-ID": rid}, data={
        "grant_type": "password", "username": "jx.supervisor", "password": wrong})
    assert refused.status_code == 401, refused.text
    record = await the_record(system, "registry", rid)
    assert (record.actor, record.action, record.result, record.status) == (
        "login:jx.supervisor", "auth.login", "denied", 401)
    assert wrong not in record.model_dump_json()  # the username tried, never the password


async def test_refusals_are_recorded_on_any_method(system: WenpingSystem) -> None:
    reviewer = await system.auth("jx.reviewer")
    rid = request_id()
    forbidden = await system.intake.post("/api/v1/projects", json={"title": "无权", "category": "policy"},
                                         headers={**reviewer, "X-Request-ID": rid})
    assert forbidden.status_code == 403
    record = await the_record(system, "intake", rid)
    assert (record.actor, record.result, record.status) == (user_id("jx.reviewer"), "denied", 403)
    assert record.actor_roles == ["reviewer"]

    rid = request_id()
    missing = str(uuid.uuid4())
    not_found = await system.intake.get(f"/api/v1/projects/{missing}", headers={**reviewer, "X-Request-ID": rid})
    assert not_found.status_code == 404
    record = await the_record(system, "intake", rid)
    assert (record.action, record.object_type, record.object_id, record.result, record.status) == (
        "GET /api/v1/projects/{project_id}", "project", missing, "denied", 404)

    rid = request_id()
    anonymous = await system.review.get("/api/v1/reviews", headers={"X-Request-ID": rid})
    assert anonymous.status_code == 401
    record = await the_record(system, "review", rid)
    assert (record.actor, record.actor_roles, record.result, record.status) == ("anonymous", [], "denied", 401)

    # An ordinary successful read is not a security event.
    rid = request_id()
    assert (await system.intake.get("/api/v1/projects", headers={**reviewer, "X-Request-ID": rid})).status_code == 200
    assert await records_of(system, "intake", rid) == []


async def test_rate_limit_refusals_are_recorded_in_every_service(system: WenpingSystem) -> None:
    settings = system.apps["review"].state.settings
    saved = settings.rate_limit_prechecks
    settings.rate_limit_prechecks = 1
    # A fresh allowance: an earlier test's precheck by the same user in this window would refuse the first.
    async with system.apps["review"].state.sessionmaker() as session:
        await session.exec(delete(RateWindow).where(col(RateWindow.principal) == user_id("agency.zy")))
        await session.commit()
    try:
        headers = await system.auth("agency.zy")
        rids = [request_id() for _ in range(2)]
        answers = [await system.review.post("/api/v1/precheck", json={"report": {}}, headers={**headers, "X-Request-ID": r})
                   for r in rids]
    finally:
        settings.rate_limit_prechecks = saved
    assert answers[-1].status_code == 429, answers[-1].text
    record = await the_record(system, "review", rids[-1])
    assert (record.actor, record.action, record.result, record.status) == (
        user_id("agency.zy"), "rate_limit.prechecks", "denied", 429)
    assert record.detail["retry_after"] == int(answers[-1].headers["Retry-After"])
    # The allowed precheck changed nothing, so it is not chained (only its refusal is).
    assert await records_of(system, "review", rids[0]) == []


async def test_exports_draws_and_configuration_changes(system: WenpingSystem) -> None:
    rid = request_id()
    export = await system.intake.get("/api/v1/projects/export.xlsx",
                                     headers={**await system.auth("jx.reviewer"), "X-Request-ID": rid})
    assert export.status_code == 200
    record = await the_record(system, "intake", rid)
    assert (record.action, record.result, record.status, record.detail) == (
        "GET /api/v1/projects/export.xlsx", "success", 200, {"kind": "export"})

    # A draw (from the demo pool): the registry's own record.
    filer = await system.auth("zy.filer")
    project = await system.intake.post("/api/v1/projects", json={"title": "审计抽取", "category": "policy"}, headers=filer)
    assert project.status_code == 201, project.text
    rid = request_id()
    drawn = await system.registry.post("/api/v1/expert-draws", json={
        "project_id": project.json()["id"], "fields": ["law_policy"], "count": 1, "region_code": "620700",
    }, headers={**filer, "X-Request-ID": rid})
    assert drawn.status_code == 201, drawn.text
    record = await the_record(system, "registry", rid)
    assert (record.actor, record.action, record.result, record.status) == (
        user_id("zy.filer"), "expert_draw.create", "success", 201)

    # A region's configuration.
    region = "620724"
    rid = request_id()
    configured = await system.review.put(f"/api/v1/region-configs/{region}", json={"overrides": {}},
                                         headers={**await system.auth("zy.admin"), "X-Request-ID": rid})
    assert configured.status_code in (200, 201), configured.text
    record = await the_record(system, "review", rid)
    assert (record.action, record.object_type, record.object_id, record.result) == (
        "PUT /api/v1/region-configs/{region_code}", "region_code", region, "success")


async def test_verify_and_list_are_for_admins(system: WenpingSystem) -> None:
    for service in ("intake", "review", "registry"):
        outcome = await verify(system, service)
        assert outcome["intact"] is True and outcome["first_broken_seq"] is None, outcome
        assert outcome["checked"] >= 1
        for path in (f"/api/v1/audit/{service}/verify", f"/api/v1/audit/{service}"):
            refused = await system.client(service).get(path, headers=await system.auth("jx.supervisor"))
            assert refused.status_code == 403, refused.text
            assert (await system.client(service).get(path)).status_code == 401


async def test_concurrent_writes_keep_one_chain(system: WenpingSystem) -> None:
    filer = await system.auth("jx.fgw.filer")
    rids = [request_id() for _ in range(20)]
    answers = await asyncio.gather(*(
        system.intake.post("/api/v1/projects", json={"title": f"并发 {i}", "category": "policy"},
                           headers={**filer, "X-Request-ID": rid})
        for i, rid in enumerate(rids)
    ))
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers if a.status_code != 201]
    seqs = [(await the_record(system, "intake", rid)).seq for rid in rids]
    assert len(set(seqs)) == 20
    model = system.apps["intake"].state.audit.model
    async with system.apps["intake"].state.sessionmaker() as session:
        chain = (await session.exec(select(model).where(col(model.seq) >= min(seqs)).order_by(col(model.seq)))).all()
    assert [r.seq for r in chain] == list(range(min(seqs), min(seqs) + len(chain)))
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(chain))
    assert (await verify(system, "intake"))["intact"] is True
