"""Expert draws over HTTP against a real project in intake: avoidance, no repeats,
reproducibility (verify), the 409, who may draw, audit; plus fairness over many seeded draws
through the draw service itself."""

from __future__ import annotations

from collections import Counter
from typing import Any

from registry_kit import make_expert, make_project, unique
from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_registry.audit.models import AuditEntry
from wenping_registry.draws.algorithm import DrawCandidate, DrawRequest, draw_experts
from wenping_registry.draws.models import ExpertDraw
from wenping_registry.draws.schemas import DrawProject, ExpertDrawCreate
from wenping_registry.draws.service import ExpertDrawService
from wenping_shared import Principal
from wenping_shared.demo import org_id, user_id

FGW = org_id("嘉兴市发展和改革委员会")
ZJJ = org_id("嘉兴市住房和城乡建设局")
COLLEGE = org_id("嘉兴学院")


async def draw(system: WenpingSystem, caller: str, body: dict[str, Any]) -> Any:
    return await system.registry.post("/api/v1/expert-draws", json=body, headers=await system.auth(caller))


async def shown(system: WenpingSystem, draw_id: str, caller: str = "jx.reviewer") -> dict[str, Any]:
    r = await system.registry.get(f"/api/v1/expert-draws/{draw_id}", headers=await system.auth(caller))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def audits(system: WenpingSystem, **where: Any) -> list[AuditEntry]:
    async with system.apps["registry"].state.sessionmaker() as session:
        query = select(AuditEntry)
        for name, value in where.items():
            query = query.where(getattr(AuditEntry, name) == value)
        return list((await session.exec(query)).all())


async def test_avoidance_no_repeats_verify_and_the_409(system: WenpingSystem) -> None:
    region = "330411"
    mk = make_expert
    decision_body = [await mk(system, "zj.admin", region, ["construction"], employer_org_id=FGW) for _ in range(2)]
    implementing = [await mk(system, "zj.admin", region, ["construction", "transport"], employer_org_id=ZJJ)]
    avoided = [await mk(system, "zj.admin", region, ["land_requisition"], employer_org_id=COLLEGE)]
    free = [await mk(system, "zj.admin", region, ["construction"]) for _ in range(4)]
    suspended = await mk(system, "zj.admin", region, ["construction"])
    admin = await system.auth("zj.admin")
    r = await system.registry.patch(f"/api/v1/experts/{suspended['id']}", json={"status": "suspended", "status_reason": "暂停"},
                                    headers={**admin, "If-Match": '"1"'})
    assert r.status_code == 200
    await mk(system, "zj.admin", region, ["finance"])  # another field: not a candidate at all

    project = await make_project(system, "jx.fgw.filer", implementing_org_id=ZJJ, interests=["demolition"])
    assert project["responsible_org_id"] == FGW
    body = {"project_id": project["id"], "fields": ["construction", "land_requisition"], "count": 2,
            "region_code": region, "avoid_org_ids": [COLLEGE], "seed": 20261124}

    first = await draw(system, "jx.fgw.filer", body)
    assert first.status_code == 201, first.text
    assert first.json()["pool"] is None  # the pool is for GET /expert-draws/{id}
    assert {c["reason"]: c["count"] for c in first.json()["exclusion_counts"]} == {
        "inactive": 1, "employer_is_decision_body": 2, "employer_is_implementing_unit": 1, "employer_avoided": 1}
    one = await shown(system, first.json()["id"])
    assert {k: v for k, v in one.items() if k != "pool"} == {k: v for k, v in first.json().items() if k != "pool"}
    assert one["chosen"] == first.json()["chosen"] and one["seed"] == first.json()["seed"]
    free_ids = {e["id"] for e in free}
    chosen_first = [c["expert_id"] for c in one["chosen"]]
    assert len(chosen_first) == 2 and set(chosen_first) <= free_ids
    assert one["algorithm_version"] == "draw-v1" and one["seed"] == 20261124 and one["seed_supplied"] is True
    assert one["pool_size"] == 9 and one["eligible_count"] == 4
    reasons = {p["expert_id"]: set(p["excluded_for"]) for p in one["pool"]}
    assert all(reasons[e["id"]] == {"employer_is_decision_body"} for e in decision_body)
    assert reasons[implementing[0]["id"]] == {"employer_is_implementing_unit"}
    assert reasons[avoided[0]["id"]] == {"employer_avoided"}
    assert reasons[suspended["id"]] == {"inactive"}
    assert all(p["draws_this_year"] == 0 for p in one["pool"])

    # Same project again: never the same people (and the rest of the pool is as before).
    second = await draw(system, "jx.reviewer", {**body, "seed": None})
    assert second.status_code == 201, second.text
    two = await shown(system, second.json()["id"])
    chosen_second = [c["expert_id"] for c in two["chosen"]]
    assert set(chosen_second) == free_ids - set(chosen_first)
    assert two["seed_supplied"] is False and 0 <= two["seed"] < 2**63
    previously = {p["expert_id"] for p in two["pool"] if p["previously_drawn_for_project"]}
    assert previously == set(chosen_first)
    assert {p["expert_id"]: p["draws_this_year"] for p in two["pool"]}[chosen_first[0]] == 1

    # Nobody left: 409 with how many were eligible and why the rest were excluded.
    third = await draw(system, "jx.reviewer", {**body, "count": 1})
    assert third.status_code == 409, third.text
    problem = third.json()
    assert problem["code"] == "expert_draw.not_enough_experts" and problem["eligible_count"] == 0
    assert problem["requested"] == 1 and problem["pool_size"] == 9
    counts = {e["reason"]: e["count"] for e in problem["exclusions"]}
    assert counts == {"inactive": 1, "employer_is_decision_body": 2, "employer_is_implementing_unit": 1,
                      "employer_avoided": 1, "already_drawn_for_project": 4}
    assert "符合条件的专家只有 0 人" in problem["detail"]
    async with system.apps["registry"].state.sessionmaker() as session:
        stored = (await session.exec(select(ExpertDraw).where(ExpertDraw.project_id == project["id"]))).all()
    assert len(stored) == 2  # the refused draw left nothing behind
    failed = [a for a in await audits(system, object_id=project["id"]) if a.result == "failed"]
    assert len(failed) == 1 and failed[0].action == "expert_draw.create" and failed[0].changes["eligible_count"] == 0

    # Reproducible: the verify endpoint and a re-run on the recorded pool agree.
    for recorded in (one, two):
        v = await system.registry.get(f"/api/v1/expert-draws/{recorded['id']}/verify",
                                      headers=await system.auth("jx.reviewer"))
        assert v.status_code == 200 and v.json()["verified"] is True, v.text
        assert v.json()["rerun_expert_ids"] == [c["expert_id"] for c in recorded["chosen"]]
        pool = [DrawCandidate.model_validate({k: p[k] for k in DrawCandidate.model_fields}) for p in recorded["pool"]]
        request = DrawRequest(fields=frozenset(recorded["fields"]), count=recorded["count"],
                              avoid_org_ids=frozenset(recorded["avoid_org_ids"]),
                              decision_body_org_id=recorded["decision_body_org_id"],
                              implementing_org_id=recorded["implementing_org_id"], region_code=recorded["region_code"])
        assert list(draw_experts(pool, request, recorded["seed"]).chosen_expert_ids) == v.json()["rerun_expert_ids"]

    # A tampered record no longer verifies.
    async with system.apps["registry"].state.sessionmaker() as session:
        row = await session.get(ExpertDraw, one["id"])
        assert row is not None
        row.chosen_expert_ids = [chosen_second[0], chosen_first[1]]
        session.add(row)
        await session.commit()
    tampered = await system.registry.get(f"/api/v1/expert-draws/{one['id']}/verify", headers=await system.auth("jx.reviewer"))
    assert tampered.json()["verified"] is False and "不一致" in tampered.json()["detail"]

    # Who sees the record.
    assert (await system.registry.get(f"/api/v1/expert-draws/{one['id']}", headers=await system.auth("jx.fgw.filer"))).status_code == 200
    for outsider in ("zy.reviewer", "jx.zjj.filer"):
        hidden = await system.registry.get(f"/api/v1/expert-draws/{one['id']}", headers=await system.auth(outsider))
        assert hidden.status_code == 404
    listed = await system.registry.get("/api/v1/expert-draws", params={"project_id": project["id"]},
                                       headers=await system.auth("jx.supervisor"))
    assert [d["id"] for d in listed.json()["items"]] == [two["id"], one["id"]]

    # Participation history and the audit trail.
    expert = await system.registry.get(f"/api/v1/experts/{chosen_second[0]}", headers=await system.auth("jx.reviewer"))
    assert expert.json()["draws_this_year"] == 1 and expert.json()["participation"][0]["draw_id"] == two["id"]
    created = await audits(system, object_id=two["id"])
    assert len(created) == 1 and created[0].action == "expert_draw.create" and created[0].result == "success"
    assert created[0].actor == user_id("jx.reviewer") and created[0].changes["seed"] == str(two["seed"])


async def test_who_may_draw(system: WenpingSystem) -> None:
    region = "330411"
    project = await make_project(system, "jx.fgw.filer", category="policy", sub_kind=None)
    body = {"project_id": project["id"], "count": 1, "region_code": region}

    forbidden = await draw(system, "jx.supervisor", body)
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "expert_draw.forbidden"
    denied = [a for a in await audits(system, object_id=project["id"]) if a.result == "denied"]
    assert denied and denied[0].actor == user_id("jx.supervisor")
    for caller in ("jx.zjj.filer", "zy.reviewer", "zy.admin", "js.zjj.filer"):
        hidden = await draw(system, caller, body)
        assert hidden.status_code == 404 and hidden.json()["code"] == "project.not_found", caller
    outside = await draw(system, "jx.reviewer", {**body, "region_code": "330000"})
    assert outside.status_code == 403 and outside.json()["code"] == "expert_draw.region_outside"
    unknown_region = await draw(system, "jx.reviewer", {**body, "region_code": "330499"})
    assert unknown_region.status_code == 400 and unknown_region.json()["code"] == "region.not_found"
    unknown = await draw(system, "jx.reviewer", {**body, "project_id": "no-such-project"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "project.not_found"
    for bad in ({"count": 0}, {"fields": ["astrology"]}, {"seed": -1}, {"region_code": "33"}, {"extra": 1},
                {"project_id": "../../etc"}):
        malformed = await draw(system, "jx.reviewer", {**body, **bad})
        assert malformed.status_code == 422 and malformed.json()["detail"].startswith("请求数据校验失败"), bad

    # Without fields the project's matching fields are used (policy: law_policy, finance, social_governance).
    await make_expert(system, "zj.admin", region, ["finance"])
    ok = await draw(system, "zj.admin", {**body, "seed": 7})
    assert ok.status_code == 201, ok.text
    assert ok.json()["fields"] == ["finance", "law_policy", "social_governance"]
    assert (await system.registry.get(f"/api/v1/expert-draws/{ok.json()['id']}",
                                      headers=await system.auth("zy.admin"))).status_code == 404


async def test_withdrawn_project_takes_no_experts(system: WenpingSystem) -> None:
    project = await make_project(system, "jx.fgw.filer")
    headers = {**await system.auth("jx.fgw.filer"), "If-Match": f'"{project["version"]}"'}
    withdrawn = await system.intake.post(f"/api/v1/projects/{project['id']}/transitions",
                                         json={"action": "withdraw", "reason": "决策事项取消"}, headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    r = await draw(system, "jx.reviewer", {"project_id": project["id"], "count": 1, "region_code": "330411"})
    assert r.status_code == 409 and r.json()["code"] == "expert_draw.project_closed"


async def test_too_small_a_pool_answers_409_in_gansu(system: WenpingSystem) -> None:
    region = "620724"
    await make_expert(system, "zy.admin", region, ["water"])
    await make_expert(system, "zy.admin", region, ["water"])
    retired = await make_expert(system, "zy.admin", region, ["water"])
    r = await system.registry.patch(f"/api/v1/experts/{retired['id']}", json={"status": "retired", "status_reason": "退休"},
                                    headers={**await system.auth("zy.admin"), "If-Match": '"1"'})
    assert r.status_code == 200
    project = await make_project(system, "zy.filer", sub_kind="water")
    short = await draw(system, "zy.reviewer", {"project_id": project["id"], "count": 3, "region_code": region})
    assert short.status_code == 409
    body = short.json()
    assert body["eligible_count"] == 2 and body["excluded_count"] == 1
    assert body["exclusions"] == [{"reason": "inactive", "label": "非在库状态（暂停或退出）", "count": 1}]
    assert body["detail"].startswith("符合条件的专家只有 2 人，需要抽取 3 人")
    ok = await draw(system, "zy.filer", {"project_id": project["id"], "count": 2, "region_code": region})
    assert ok.status_code == 201


def _principal() -> Principal:
    return Principal(subject=user_id("zy.reviewer"), kind="user", roles=frozenset({"reviewer"}),
                     org_id=org_id("张掖市委政法委"), region_code="620700")


async def test_fairness_over_many_seeded_draws(system: WenpingSystem) -> None:
    """Draws for 60 projects from one pool of 5: the load balance keeps every expert within one
    draw of every other at every moment, so nobody eligible is ever starved."""
    region = "620724"
    experts = [await make_expert(system, "zy.admin", region, ["heritage"]) for _ in range(5)]
    ids = {e["id"] for e in experts}
    app = system.apps["registry"]
    tally: Counter[str] = Counter()
    recorded_ids: list[str] = []
    for i in range(60):
        project = DrawProject(id=unique("synthetic-"), region_code="620702", responsible_org_id=org_id("张掖市自然资源局"))
        async with app.state.sessionmaker() as session:
            service = ExpertDrawService(session, app.state.sessionmaker, "Asia/Shanghai")
            recorded = await service.draw(
                _principal(), ExpertDrawCreate(project_id=project.id, fields=["heritage"], count=1, region_code=region,
                                               seed=i), project
            )
            await session.commit()
        [chosen] = recorded.chosen_expert_ids
        recorded_ids.append(recorded.id)
        assert chosen in ids
        tally[chosen] += 1
        assert max(tally[e] for e in ids) - min(tally[e] for e in ids) <= 1
    assert all(tally[e] == 12 for e in ids)

    # Within a tier the seed decides: the first pick of each round (everyone tied) varies.
    async with app.state.sessionmaker() as session:
        rows = (await session.exec(
            select(ExpertDraw).where(col(ExpertDraw.id).in_(recorded_ids)).order_by(col(ExpertDraw.drawn_at))
        )).all()
    round_openers = [r.chosen_expert_ids[0] for r in rows if all(c["draws_this_year"] == rows.index(r) // 5 for c in r.pool)]
    assert len(round_openers) == 12 and len(set(round_openers)) >= 3


async def test_experts_outside_their_term_are_not_candidates(system: WenpingSystem) -> None:
    region = "620724"
    in_term = await make_expert(system, "zy.admin", region, ["work_safety"], term_start="2024-01-01", term_end="2099-12-31")
    await make_expert(system, "zy.admin", region, ["work_safety"], term_start="2019-01-01", term_end="2023-12-31")
    await make_expert(system, "zy.admin", region, ["work_safety"], term_start="2098-01-01")
    project = await make_project(system, "zy.filer", category="event", sub_kind=None, expected_participants=800)
    body = {"project_id": project["id"], "fields": ["work_safety"], "count": 2, "region_code": region}
    short = await draw(system, "zy.reviewer", body)
    assert short.status_code == 409
    assert short.json()["eligible_count"] == 1 and short.json()["out_of_term_count"] == 2
    assert {"reason": "out_of_term", "label": "不在聘期内", "count": 2} in short.json()["exclusions"]
    assert "另有 2 人不在聘期内" in short.json()["detail"]
    one = await draw(system, "zy.reviewer", {**body, "count": 1})
    assert one.status_code == 201
    assert [p["expert_id"] for p in (await shown(system, one.json()["id"], "zy.reviewer"))["pool"]] == [in_term["id"]]


async def test_concurrent_draws_for_one_project_never_share_an_expert(system: WenpingSystem) -> None:
    import asyncio

    region = "620724"
    only = await make_expert(system, "zy.admin", region, ["petition_stability"])
    project = await make_project(system, "zy.filer", category="other", sub_kind=None)
    body = {"project_id": project["id"], "fields": ["petition_stability"], "count": 1, "region_code": region}
    answers = await asyncio.gather(draw(system, "zy.reviewer", body), draw(system, "zy.admin", body))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["code"] in {"expert_draw.not_enough_experts", "expert_draw.concurrent_draw"}
    async with system.apps["registry"].state.sessionmaker() as session:
        stored = (await session.exec(select(ExpertDraw).where(ExpertDraw.project_id == project["id"]))).all()
    assert [d.chosen_expert_ids for d in stored] == [[only["id"]]]
