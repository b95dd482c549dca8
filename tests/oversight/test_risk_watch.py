"""The risk watch (issue 12, point 6): the supervisor's board by risk level and phase, the
warning register written when a high-risk decision is rejected or deferred, the flag on a new
filing that resembles an entry (on the project and in the review), and incidents during
implementation (a supervisor's reminder at once, a webhook delivery, a count in the appraisal)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from sqlmodel import col, select
from system_kit import WenpingSystem, docx_bytes

from wenping_intake.appraisals import scoring
from wenping_intake.appraisals.schemas import DEFAULT_PENALTIES, DEFAULT_WEIGHTS, Penalties
from wenping_intake.projects.models import Project
from wenping_intake.reports.models import ReportRound
from wenping_intake.risk_watch import similarity
from wenping_shared import local_today
from wenping_shared.contracts.samples import complete_report
from wenping_shared.demo import INTEGRATION_CLIENT, org_id

BOARD_YEAR = 2007
INCIDENT_YEAR = 2008


async def _file(system: WenpingSystem, user: str, *items: dict[str, Any]) -> list[str]:
    """File these items as one decision list (each already 已报备); their ids in order."""
    body = {"batch": "start_of_year", "year": 2026, "title": f"清单-{uuid.uuid4().hex[:8]}",
            "items": [{"category": "policy", "initiation": "initiation", **item} for item in items]}
    response = await system.intake.post("/api/v1/decision-lists", json=body, headers=await system.auth(user))
    assert response.status_code == 201, response.text
    return [i["project_id"] for i in response.json()["items"]]


def _titled(n: int) -> list[dict[str, Any]]:
    return [{"title": f"看板事项-{uuid.uuid4().hex[:8]}"} for _ in range(n)]


async def _put(system: WenpingSystem, project_id: str, *, location: str | None = None, **fields: Any) -> None:
    """Put a project where the review flow would have taken it; ``location`` adds its approved round."""
    async with system.apps["intake"].state.sessionmaker() as session:
        project = (await session.exec(select(Project).where(col(Project.id) == project_id))).one()
        for name, value in fields.items():
            setattr(project, name, value)
        session.add(project)
        if location is not None:
            project.report_rounds = 1
            session.add(ReportRound(
                project_id=project_id, round=1, report={"overview": {"location": location}},
                submitted_on=local_today(), submitted_by="test", assessor_kind="self",
                review_id=f"rv-{uuid.uuid4().hex[:12]}", verdict="approved", decided_at=dt.datetime.now(dt.UTC),
            ))
        await session.commit()


async def _get(system: WenpingSystem, path: str, user: str, expect: int = 200, **params: Any) -> Any:
    response = await system.intake.get(path, params=params, headers=await system.auth(user))
    assert response.status_code == expect, response.text
    return response.json()


async def _act(system: WenpingSystem, project_id: str, user: str, action: str, expect: int = 200, **extra: Any) -> Any:
    current = await _get(system, f"/api/v1/projects/{project_id}", user)
    headers = {**await system.auth(user), "If-Match": f'"{current["version"]}"'}
    response = await system.intake.post(
        f"/api/v1/projects/{project_id}/transitions", json={"action": action, **extra}, headers=headers
    )
    assert response.status_code == expect, response.text
    return response.json()


async def _ledger(system: WenpingSystem, project_id: str, user: str) -> list[str]:
    """The project's ledger actions, oldest first (the hash chain verified intact)."""
    ledger = await _get(system, f"/api/v1/projects/{project_id}/ledger", user, verify="true")
    assert ledger["verified"] is True, ledger
    return [e["action"] for e in ledger["items"]]


async def _county_supervisor(system: WenpingSystem, region_code: str) -> str:
    """A supervisor of a county's stability office (the demo has only 嘉兴's), made by the admin."""
    admin = await system.auth("zj.admin")
    suffix = uuid.uuid4().hex[:6]
    org = await system.registry.post("/api/v1/organizations", headers=admin, json={
        "name": f"县维稳办{suffix}", "kind": "stability_office", "region_code": region_code})
    assert org.status_code == 201, org.text
    username = f"sup.{region_code}.{suffix}"
    user = await system.registry.post("/api/v1/users", headers=admin, json={
        "username": username, "display_name": "县维稳办负责人", "password": "a-long-password-1",
        "roles": ["supervisor"], "org_id": org.json()["id"]})
    assert user.status_code == 201, user.text
    response = await system.registry.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": username, "password": "a-long-password-1"})
    system._tokens[(username, None)] = response.json()["access_token"]
    return username


def _cells(board: dict[str, Any]) -> dict[tuple[str, str], tuple[int, set[str]]]:
    return {
        (level["risk_level"], cell["phase"]): (cell["count"], {p["id"] for p in cell["projects"]})
        for level in board["levels"] for cell in level["cells"] if cell["count"]
    }


async def test_board_counts_agree_with_a_hand_count_and_stay_in_the_subtree(system: WenpingSystem) -> None:
    js = await _file(system, "js.zjj.filer", *_titled(6))  # 嘉善县 330421
    tx = await _file(system, "tx.filer", *_titled(3))  # 桐乡市 330483
    states = [
        (js[0], "high", "rejected"), (js[1], "high", "tracking"), (js[2], "medium", "implement_with_measures"),
        (js[3], "low", "closed"), (js[4], None, "assessing"), (js[5], None, "filed"),
        (tx[0], "medium", "under_review"), (tx[1], "low", "approved"), (tx[2], None, "withdrawn"),
    ]
    for project_id, level, status in states:
        await _put(system, project_id, year=BOARD_YEAR, risk_level=level, status=status)
    draft = await system.intake.post("/api/v1/projects", headers=await system.auth("js.zjj.filer"),
                                     json={"title": "看板草稿", "category": "policy"})
    await _put(system, draft.json()["id"], year=BOARD_YEAR)  # a draft is not filed: not on the board

    board = await _get(system, "/api/v1/risk-watch/board", "jx.supervisor", year=BOARD_YEAR, region_code="330400")
    # By hand: each (level, phase) cell and the projects in it.
    assert _cells(board) == {
        ("high", "decision"): (1, {js[0]}), ("high", "implementation"): (1, {js[1]}),
        ("medium", "implementation"): (1, {js[2]}), ("medium", "review"): (1, {tx[0]}),
        ("low", "closed"): (1, {js[3]}), ("low", "decision"): (1, {tx[1]}),
        ("unknown", "assessment"): (1, {js[4]}), ("unknown", "filing"): (1, {js[5]}), ("unknown", "closed"): (1, {tx[2]}),
    }
    assert board["total"] == 9
    levels = {level["risk_level"]: level for level in board["levels"]}
    assert [(k, v["count"], v["regime"], v["regime_label"]) for k, v in levels.items()] == [
        ("high", 2, "veto_warning", "否决预警"), ("medium", 2, "key_control", "重点管控"),
        ("low", 2, "routine", "常规监测"), ("unknown", 3, "pending", "待定级"),
    ]
    assert [(p["phase"], p["phase_label"], p["count"]) for p in board["phases"]] == [
        ("filing", "报备", 1), ("assessment", "评估", 1), ("review", "审查", 1), ("decision", "决策", 2),
        ("implementation", "跟踪实施", 2), ("closed", "办结", 2),
    ]

    # The county alone; at most one project listed per cell, the counts unchanged.
    county = await _get(system, "/api/v1/risk-watch/board", "jx.supervisor", year=BOARD_YEAR, region_code="330421",
                        projects_per_cell=1)
    assert county["total"] == 6 and all(len(ids) <= 1 for _, ids in _cells(county).values())

    # A sibling county's supervisor sees their own county only, and may not name another.
    tongxiang = await _county_supervisor(system, "330483")
    own = await _get(system, "/api/v1/risk-watch/board", tongxiang, year=BOARD_YEAR)
    assert own["region_code"] == "330483" and own["total"] == 3
    assert set().union(*(ids for _, ids in _cells(own).values())) == set(tx)
    outside = await _get(system, "/api/v1/risk-watch/board", tongxiang, 403, region_code="330421")
    assert outside["code"] == "oversight.outside_subtree"
    for user in ("js.zjj.filer", "jx.reviewer", "zj.admin"):
        refused = await _get(system, "/api/v1/risk-watch/board", user, 403)
        assert refused["code"] == "risk_watch.supervisor_only" and "维稳办负责人" in refused["detail"]
    bad = await _get(system, "/api/v1/risk-watch/board", "jx.supervisor", 422, region_code="33042")
    assert bad["code"] == "request.validation_failed"


async def _submit_report(system: WenpingSystem, project_id: str, user: str) -> str:
    """Submit a report round for an assessing project; the id of the review the real review service opens."""
    headers = await system.auth(user)
    upload = await system.intake.post("/api/v1/files", files={"file": ("报告.docx", docx_bytes(), "application/octet-stream")},
                                      headers=headers)
    assert upload.status_code == 201, upload.text
    submitted = await system.intake.post(f"/api/v1/projects/{project_id}/reports", headers=headers,
                                         json={"report": complete_report(), "document_file_id": upload.json()["id"]})
    assert submitted.status_code == 201, submitted.text
    await system.drain_outboxes()
    project = await _get(system, f"/api/v1/projects/{project_id}", user)
    assert project["status"] == "under_review", project
    return str(project["current_review_id"])


async def test_a_rejected_high_risk_decision_is_registered_and_a_similar_filing_is_flagged(system: WenpingSystem) -> None:
    tag = "".join(dict.fromkeys(uuid.uuid4().hex))[:6]  # six distinct characters: no bigram twice, so 13/18 holds
    place = f"嘉善县魏塘街道{tag}村"
    (warned,) = await _file(system, "js.zjj.filer", {"title": f"嘉善县{tag}垃圾焚烧发电项目"})
    (low,) = await _file(system, "js.zjj.filer", {"title": f"低风险{tag}事项"})
    (deferred,) = await _file(system, "js.zjj.filer", {"title": f"高风险暂缓{tag}事项"})
    await _put(system, warned, status="approved", risk_level="high", location=place)
    await _put(system, low, status="approved", risk_level="low", location=place)
    await _put(system, deferred, status="approved", risk_level="high")

    await _act(system, warned, "js.zjj.filer", "decide", outcome="reject")
    await _act(system, low, "js.zjj.filer", "decide", outcome="defer")  # low risk: not a warning
    await _act(system, deferred, "js.zjj.filer", "decide", outcome="defer")

    register = await _get(system, "/api/v1/risk-watch/warnings", "jx.supervisor", region_code="330421", limit=200)
    entries = {e["project_id"]: e for e in register["items"] if e["project_id"] in (warned, low, deferred)}
    assert set(entries) == {warned, deferred}
    assert (entries[deferred]["outcome_label"], entries[deferred]["place"]) == ("暂缓实施", None)
    only_deferred = await _get(system, "/api/v1/risk-watch/warnings", "jx.reviewer", outcome="defer", limit=200)
    assert deferred in {e["project_id"] for e in only_deferred["items"]} and all(
        e["outcome"] == "defer" for e in only_deferred["items"])
    entry = entries[warned]
    assert (entry["project_id"], entry["place"], entry["risk_level"], entry["outcome"], entry["outcome_label"],
            entry["regime_label"]) == (warned, place, "high", "reject", "不予实施", "否决预警")
    assert (await _ledger(system, warned, "jx.supervisor"))[-2:] == ["decide", "warning_registered"]

    # A close filing by another organisation, in the city, naming the same place; and an unrelated one.
    headers = await system.auth("jx.zjj.filer")
    similar = await system.intake.post("/api/v1/projects", headers=headers, json={
        "title": f"嘉善县{tag}生活垃圾焚烧发电厂建设项目", "category": "policy", "description": f"选址{place}"})
    unrelated = await system.intake.post("/api/v1/projects", headers=headers, json={
        "title": f"嘉兴市{uuid.uuid4().hex[:6]}图书馆新馆", "category": "policy"})
    for created in (similar, unrelated):
        assert created.status_code == 201, created.text
        await _act(system, created.json()["id"], "jx.zjj.filer", "file")

    flagged = await _get(system, f"/api/v1/projects/{similar.json()['id']}", "jx.reviewer")
    assert len(flagged["warning_flags"]) == 1
    flag = flagged["warning_flags"][0]
    # title 13/18 (see similarity.py), place named in the description, another organisation.
    assert (flag["warning_id"], flag["matched_fields"], flag["matched_labels"]) == (
        entry["id"], ["title", "place"], ["事项名称", "地点"])
    assert (flag["title_score"], flag["place_score"]) == (round(13 / 18, 4), 1.0) and flag["organization_score"] < 0.8
    assert flag["warned_title"] == f"嘉善县{tag}垃圾焚烧发电项目" and flag["warned_outcome"] == "reject"
    # The filer sees the flag, not the other department's project.
    own_view = await _get(system, f"/api/v1/projects/{similar.json()['id']}", "jx.zjj.filer")
    assert own_view["warning_flags"][0]["score"] == flag["score"] and own_view["warning_flags"][0]["warned_title"] is None
    assert (await _get(system, f"/api/v1/projects/{unrelated.json()['id']}", "jx.reviewer"))["warning_flags"] == []
    # Filed in a decision list (another county, the same title) or designated by the office: flagged too.
    (listed,) = await _file(system, "tx.filer", {"title": f"嘉善县{tag}垃圾焚烧发电项目"})
    designated = await system.intake.post("/api/v1/projects/designations", headers=await system.auth("jx.supervisor"),
                                          json={"title": f"嘉善县{tag}垃圾焚烧发电厂", "category": "policy",
                                                "responsible_org_id": org_id("嘉善县住房和城乡建设局")})
    assert designated.status_code == 201, designated.text
    for other, fields in ((listed, ["title"]), (designated.json()["id"], ["title", "place", "organization"])):
        flags = (await _get(system, f"/api/v1/projects/{other}", "jx.supervisor"))["warning_flags"]
        assert [(f["warning_id"], f["matched_fields"]) for f in flags] == [(entry["id"], fields)]
    assert (await _ledger(system, similar.json()["id"], "jx.zjj.filer"))[-2:] == ["file", "warning_flagged"]

    # The register entry names the filing flagged against it; another county's supervisor gets 404.
    detail = await _get(system, f"/api/v1/risk-watch/warnings/{entry['id']}", "jx.supervisor")
    assert {f["project_id"] for f in detail["flagged_filings"]} == {similar.json()["id"], listed, designated.json()["id"]}
    tongxiang = await _county_supervisor(system, "330483")
    missing = await _get(system, f"/api/v1/risk-watch/warnings/{entry['id']}", tongxiang, 404)
    assert missing["code"] == "risk_watch.warning_not_found"
    sibling = await _get(system, "/api/v1/risk-watch/warnings", tongxiang, limit=200)
    assert entry["id"] not in {e["id"] for e in sibling["items"]}
    assert (await _get(system, "/api/v1/risk-watch/warnings", "js.zjj.filer", 403))["code"] == "risk_watch.reader_only"

    # The review opened from the report round shows the flag to the reviewer.
    await _act(system, similar.json()["id"], "jx.zjj.filer", "start_assessment")
    review_id = await _submit_report(system, similar.json()["id"], "jx.zjj.filer")
    review = await system.review.get(f"/api/v1/reviews/{review_id}", headers=await system.auth("jx.reviewer"))
    assert review.status_code == 200, review.text
    shown = review.json()["warning_flags"]
    assert [(f["warning_id"], f["matched_fields"], f["score"]) for f in shown] == [
        (entry["id"], ["title", "place"], flag["score"])]


def test_similarity_thresholds_as_documented() -> None:
    def side(title: str, region: str = "330421", org: str = "a", place: str | None = None) -> similarity.Side:
        return similarity.Side(title=title, region_code=region, org_id=org, org_name=None, place_text=place)

    warned = side("嘉善县垃圾焚烧发电项目")
    close = similarity.compare(side("嘉善县生活垃圾焚烧发电厂建设项目", org="b"), warned)
    assert close is not None and close.scores[similarity.WarningMatchField.project_title] == round(7 / 12, 4)
    assert close.matched == ["title", "place"]  # related title (≥ 0.35) in the same county
    assert similarity.compare(side("嘉善县生活垃圾焚烧发电厂建设项目", region="330483", org="b"), warned) is None
    assert similarity.compare(side("嘉善县垃圾分类处理中心"), warned) is None  # 4/14, even in the same place


async def test_an_incident_alerts_the_supervisor_at_once_and_counts_in_the_appraisal(system: WenpingSystem) -> None:
    received: list[dict[str, Any]] = []
    hooks = FastAPI()

    @hooks.post("/hook")
    async def hook(request: Request) -> Response:
        received.append(json.loads(await request.body()))
        return Response(status_code=204)

    system.transport.apps["riskwatch-hooks"] = httpx.ASGITransport(app=hooks)
    client_id, secret, _region, _scopes = INTEGRATION_CLIENT
    client = await system.client_auth(client_id, secret)
    subscription = await system.intake.post("/api/v1/webhooks/subscriptions", headers=client, json={
        "url": "http://riskwatch-hooks.test/hook", "event_types": ["incident.reported"]})
    assert subscription.status_code == 201, subscription.text
    try:
        await _incident_story(system, subscription.json()["id"], client, received)
    finally:
        await system.intake.delete(f"/api/v1/webhooks/subscriptions/{subscription.json()['id']}", headers=client)
        system.transport.apps.pop("riskwatch-hooks", None)


async def _appraised(system: WenpingSystem) -> dict[str, Any]:
    table = await _get(system, "/api/v1/appraisals", "jx.supervisor", year=INCIDENT_YEAR, region_code="330421")
    return next(o for o in table["organizations"] if o["id"] == org_id("嘉善县住房和城乡建设局"))


async def _incident_story(system: WenpingSystem, subscription_id: str, client: dict[str, str],
                          received: list[dict[str, Any]]) -> None:
    implementing, still_filed = await _file(system, "js.zjj.filer", *_titled(2))
    decided = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    await _put(system, implementing, year=INCIDENT_YEAR, status="implement", risk_level="medium", decided_at=decided)
    before = await _appraised(system)
    path = f"/api/v1/projects/{implementing}/incidents"
    today = local_today()  # the platform's day (Asia/Shanghai), as the service dates incidents
    body = {"occurred_on": (today - dt.timedelta(days=1)).isoformat(), "people_involved": 45,
            "description": "部分村民聚集到施工现场，要求提高补偿标准", "response": "属地街道当日约谈，暂停施工并公开补偿方案"}

    async def report(user: str, expect: int, project: str = implementing, **changes: Any) -> Any:
        response = await system.intake.post(f"/api/v1/projects/{project}/incidents", json={**body, **changes},
                                            headers=await system.auth(user))
        assert response.status_code == expect, response.text
        return response.json()

    # Bad inputs, in Chinese.
    not_tracking = await report("js.zjj.filer", 409, project=still_filed)
    assert not_tracking["code"] == "incident.not_in_tracking" and "已报备" in not_tracking["detail"]
    future = await report("js.zjj.filer", 422, occurred_on=(today + dt.timedelta(days=2)).isoformat())
    assert future["code"] == "incident.date_invalid" and future["errors"][0]["loc"] == ["occurred_on"]
    too_early = await report("js.zjj.filer", 422, occurred_on=(today - dt.timedelta(days=30)).isoformat())
    assert too_early["code"] == "incident.date_invalid" and "决策之后" in too_early["detail"]
    blank = await report("js.zjj.filer", 422, description="  ")
    assert blank["code"] == "request.validation_failed" and "不能为空" in blank["detail"]
    assert (await report("js.zjj.filer", 422, people_involved=-1))["code"] == "request.validation_failed"
    assert (await report("js.zjj.filer", 422, status="closed"))["code"] == "request.validation_failed"
    assert (await report("js.zjj.filer", 422, description="事件\x07经过"))["code"] == "request.validation_failed"
    assert (await report("jx.reviewer", 403))["code"] == "incident.forbidden"
    assert (await report("tx.filer", 404))["code"] == "project.not_found"

    first = await report("js.zjj.filer", 201)
    assert (first["scale"], first["scale_label"], first["region_code"]) == ("large", "较大规模（30至99人）", "330421")
    second = await report("jx.supervisor", 201, people_involved=3)
    assert second["scale"] == "individual"

    # The supervisor's reminders at once; not the filer's, not a sibling county's supervisor's.
    reminders = await _get(system, "/api/v1/reminders", "jx.supervisor", kind="incident", limit=200)
    mine = [r for r in reminders["items"] if r["project_id"] == implementing]
    assert {r["incident_id"] for r in mine} == {first["id"], second["id"]}
    assert {(r["kind_label"], r["severity"], r["due_date"]) for r in mine} == {("实施中发生事件", "incident", today.isoformat())}
    assert "较大规模" in next(r["title"] for r in mine if r["incident_id"] == first["id"])
    filer = await _get(system, "/api/v1/reminders", "js.zjj.filer", limit=200)
    assert all(r["kind"] != "incident" for r in filer["items"])
    tongxiang = await _county_supervisor(system, "330483")
    sibling = await _get(system, "/api/v1/reminders", tongxiang, kind="incident", limit=200)
    assert all(r["project_id"] != implementing for r in sibling["items"])

    # The subscriber's event, delivered and logged.
    await system.drain_outboxes()
    events = [e for e in received if e["data"]["project_id"] == implementing]
    assert sorted(e["data"]["incident_id"] for e in events) == sorted([first["id"], second["id"]])
    assert {e["type"] for e in events} == {"incident.reported"}
    assert next(e for e in events if e["data"]["incident_id"] == first["id"])["data"]["scale_label"] == "较大规模（30至99人）"
    log = await system.intake.get(f"/api/v1/webhooks/subscriptions/{subscription_id}/deliveries",
                                  params={"limit": 200}, headers=client)
    assert [(d["event_type"], d["outcome"]) for d in log.json()["items"]].count(("incident.reported", "delivered")) >= 2

    listed = await _get(system, path, "jx.supervisor")
    assert [i["id"] for i in listed["items"]] == [second["id"], first["id"]]
    assert (await _ledger(system, implementing, "jx.supervisor")).count("incident_reported") == 2

    # The appraisal counts them; the built-in scheme (and any version without an incident
    # penalty) scores as before, a version with one takes it off.
    after = await _appraised(system)
    parts = {p["indicator"]: p for p in after["parts"]}
    assert (parts["incidents"]["numerator"], parts["incidents"]["points"]) == (2, 0)
    assert [p["id"] for p in parts["incidents"]["projects"]] == [implementing]
    assert after["score"] == before["score"]
    old_version = Penalties(**DEFAULT_PENALTIES.model_dump(exclude={"incidents"}))
    assert old_version.incidents == 0
    async with system.apps["intake"].state.sessionmaker() as session:
        project = (await session.exec(select(Project).where(col(Project.id) == implementing))).one()
    facts = scoring.UnitFacts(projects=[project], incidents={implementing: 2})
    with_penalty = Penalties(**{**DEFAULT_PENALTIES.model_dump(), "incidents": 5})
    penalised = {p.indicator: p.points for p in scoring.score_parts(facts, DEFAULT_WEIGHTS, with_penalty)}
    assert penalised["incidents"] == -10
