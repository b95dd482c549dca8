"""Registry-dependent items (C02.2-C02.4): what the review asks the registry, and what happens
when it knows the ids, does not know them (404), or is down."""

from __future__ import annotations

import datetime as dt

import pytest
from review_kit import RegistryFront, System, TakeDown, draft, handoff, items_by_code, judge_all_pending, open_review

from wenping_review.evaluation import REGISTRY_DOWN_EVIDENCE
from wenping_shared.contracts import samples
from wenping_shared.demo import demo_id, org_id


async def test_review_asks_eligibility_on_the_submission_date(system: System, registry_front: RegistryFront) -> None:
    review = await open_review(system, handoff())
    items = items_by_code(review)
    assert items["C02.2"]["result"] == "pass", items["C02.2"]["evidence"]
    assert "B级" in items["C02.2"]["evidence"]
    assert items["C02.3"]["result"] == "pass" and items["C02.4"]["result"] == "pass"
    eligibility = [p for path, p in registry_front.calls if path.endswith("/eligibility")]
    assert eligibility == [
        {"project_level": "city", "on": samples.SUBMITTED_ON.isoformat(), "project_region_code": "330400"}
    ]
    experts = [p for path, p in registry_front.calls if path == "/api/v1/experts"]
    assert len(experts) == 1 and set(experts[0]["ids"].split(",")) == set(samples.EXPERT_IDS)


async def test_suspended_or_expired_agency_fails_c022(system: System, registry_front: RegistryFront) -> None:
    registry_front.agency_status = "suspended"
    items = items_by_code(await open_review(system, handoff()))
    assert items["C02.2"]["result"] == "fail" and "暂停" in items["C02.2"]["evidence"]
    registry_front.agency_status = "active"
    registry_front.grade_valid_until = dt.date(2026, 4, 1)  # before the submission date
    system.apps["review"].state.registry_source.eligibility.clear()
    items = items_by_code(await open_review(system, handoff()))
    assert items["C02.2"]["result"] == "fail" and "2026-04-01" in items["C02.2"]["evidence"]


async def test_ids_the_registry_does_not_know_fail_with_evidence(system: System, fresh_caches: None) -> None:
    # The sample's agency and expert ids are not in the demo registry: it answers 404 / nothing.
    review = await open_review(system, handoff())
    items = items_by_code(review)
    assert review["registry_unavailable"] is False
    assert items["C02.2"]["result"] == "fail" and "机构库中未找到" in items["C02.2"]["evidence"]
    assert items["C02.3"]["result"] == "fail" and "专家库中未找到" in items["C02.3"]["evidence"]
    assert items["C02.4"]["result"] == "fail" and "无法核实" in items["C02.4"]["evidence"]


async def test_registry_down_leaves_its_items_pending_and_the_review_opens(
    system: System, fresh_caches: None, peer_down: TakeDown
) -> None:
    headers = await system.service_headers("intake", "review")
    reviewer = await system.auth("jx.reviewer")
    await system.review.get("/api/v1/checklists", headers=reviewer)  # the review app knows the keys
    peer_down("registry")
    r = await system.review.post("/api/v1/reviews", json=handoff(), headers=headers)
    assert r.status_code == 201, r.text
    review = r.json()
    assert review["registry_unavailable"] is True
    items = items_by_code(review)
    for code in ("C02.2", "C02.3", "C02.4"):
        assert items[code]["result"] == "pending", code
        assert items[code]["evidence"] == REGISTRY_DOWN_EVIDENCE
    assert items["C01.1"]["result"] == "pass"
    assert set(review["pending_items"]) >= {"C02.2", "C02.3", "C02.4"}
    # They are auto items: a reviewer settles them with a comment, then may decide.
    r = await system.review.put(
        f"/api/v1/reviews/{review['id']}/items/C02.2", json={"result": "pass"}, headers=reviewer
    )
    assert r.status_code == 422 and r.json()["code"] == "review.override_comment_required"
    review = await judge_all_pending(system, review)
    r = await system.decide_review(review['id'], {}, reviewer)
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "approved"


async def test_precheck_caches_registry_answers(system: System, registry_front: RegistryFront) -> None:
    headers = await system.auth("agency.jx")
    for _ in range(3):
        r = await system.review.post("/api/v1/precheck", json={"report": draft()}, headers=headers)
        assert r.status_code == 200
    eligibility = [p for path, p in registry_front.calls if path.endswith("/eligibility")]
    experts = [p for path, p in registry_front.calls if path == "/api/v1/experts"]
    assert len(eligibility) == 1 and len(experts) == 1
    # Without a project: the least demanding level, no project region.
    assert eligibility[0]["project_level"] == "county" and "project_region_code" not in eligibility[0]
    assert r.json()["registry_unavailable"] is False


async def _real_registry_team(system: System) -> tuple[str, list[str]]:
    """The demo agency and three active 嘉兴 experts with a matching field and no conflict."""
    agency_id = demo_id("agency", "嘉兴和谐社会风险评估咨询有限公司")
    headers = await system.service_headers("review", "registry")
    r = await system.registry.get(
        f"/api/v1/agencies/{agency_id}/eligibility", params={"project_level": "city"}, headers=headers
    )
    if r.status_code == 404 and r.json().get("code") != "agency.not_found":
        pytest.skip("registry agencies endpoints are not in the tree")
    assert r.status_code == 200, r.text
    r = await system.registry.get("/api/v1/experts", params={"limit": 200}, headers=await system.auth("jx.reviewer"))
    if r.status_code == 404:
        pytest.skip("registry experts endpoints are not in the tree")
    assert r.status_code == 200, r.text
    avoid = {org_id("嘉兴市住房和城乡建设局"), samples.IMPLEMENTING_UNIT_ORG_ID}
    wanted = {"construction", "land_requisition", "environment", "social_governance"}
    experts = [
        e["id"]
        for e in r.json()["items"]
        if e.get("status") == "active" and set(e.get("fields") or ()) & wanted and e.get("employer_org_id") not in avoid
        and e.get("employer_name") != "嘉兴市住房和城乡建设局"
    ]
    assert len(experts) >= 3
    return agency_id, experts[:3]


async def test_real_registry_answers_the_items(system: System, fresh_caches: None) -> None:
    # Submitted today: the demo agency's grade is valid from its seeding date on.
    agency_id, experts = await _real_registry_team(system)
    data = draft()
    data["assessor"]["agency_id"] = agency_id
    data["assessment_team"] = [
        {"name": f"专家{i}", "role": "专家", "expert_id": e} for i, e in enumerate(experts, 1)
    ] + [m for m in data["assessment_team"] if not m.get("expert_id")]
    today = dt.date.today()
    review = await open_review(
        system,
        handoff(
            rep=data,
            submitted_on=today,
            agency_id=agency_id,
            planned_decision_date=(today + dt.timedelta(days=90)).isoformat(),
        ),
    )
    items = items_by_code(review)
    for code in ("C02.2", "C02.3", "C02.4"):
        assert items[code]["result"] == "pass", (code, items[code]["evidence"])
