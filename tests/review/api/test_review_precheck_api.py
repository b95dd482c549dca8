"""POST /api/v1/precheck: every auto item's result and the provisional verdict, nothing stored."""

from __future__ import annotations

from review_kit import RegistryFront, System
from review_kit import draft as report
from sqlmodel import func, select

from wenping_review.checklist import load_checklist
from wenping_review.reviews.models import Review

AUTO_CODES = [i.code for i in load_checklist("v1").items if i.mode == "auto"]


async def _review_count(system: System) -> int:
    async with system.apps["review"].state.sessionmaker() as s:
        return int((await s.exec(select(func.count()).select_from(Review))).one())


async def test_precheck_of_a_complete_report_without_project(system: System, registry_front: RegistryFront) -> None:
    before = await _review_count(system)
    r = await system.review.post("/api/v1/precheck", json={"report": report()}, headers=await system.auth("agency.jx"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [i["code"] for i in body["items"]] == AUTO_CODES
    assert len(body["items"]) == 38 and len(body["manual_items"]) == 7
    results = {i["code"]: i for i in body["items"]}
    for code in ("C01.2", "C02.1", "C02.2"):
        assert results[code]["result"] == "not_applicable"
        assert "未关联项目" in results[code]["evidence"]
    assert body["failed_items"] == []
    assert body["provisional_verdict"] == "approved"
    assert body["provisional_score"] == 100
    assert all(i["evidence"] for i in body["items"])
    assert await _review_count(system) == before  # nothing stored


async def test_precheck_reports_failures_with_evidence(system: System, registry_front: RegistryFront) -> None:
    data = report()
    data["procedure"]["public_notice"]["end"] = "2026-03-11"  # ran 5 days (critical C05.2)
    data["filing_form"]["sealed"] = False  # general C01.4
    r = await system.review.post("/api/v1/precheck", json={"report": data}, headers=await system.auth("jx.zjj.filer"))
    assert r.status_code == 200, r.text
    body = r.json()
    results = {i["code"]: i for i in body["items"]}
    assert results["C05.2"]["result"] == "fail"
    assert results["C01.4"]["result"] == "fail" and "公章" in results["C01.4"]["evidence"]
    assert set(body["failed_items"]) >= {"C05.2", "C01.4"}
    assert body["provisional_verdict"] == "returned_for_reassessment"
    assert body["provisional_score"] < 100


async def test_precheck_refuses_malformed_reports(system: System) -> None:
    headers = await system.auth("agency.jx")
    bad_probability = report()
    bad_probability["risks"][0]["probability"] = 1.5
    unknown_field = report()
    unknown_field["overview"]["colour"] = "red"
    bad_enum = report()
    bad_enum["consultations"][0]["group"] = "aliens"
    for body in ({"report": bad_probability}, {"report": unknown_field}, {"report": bad_enum}, {}, {"report": report(), "x": 1}):
        r = await system.review.post("/api/v1/precheck", json=body, headers=headers)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "校验失败" in r.json()["detail"]


async def test_precheck_roles(system: System) -> None:
    r = await system.review.post("/api/v1/precheck", json={"report": report()}, headers=await system.auth("expert.jx1"))
    assert r.status_code == 403
    r = await system.review.post("/api/v1/precheck", json={"report": report()}, headers=await system.auth("zj.admin"))
    assert r.status_code == 403
    r = await system.review.post("/api/v1/precheck", json={"report": report()})
    assert r.status_code == 401
    for user in ("jx.reviewer", "jx.supervisor", "jx.fgw.filer", "agency.jx"):
        r = await system.review.post("/api/v1/precheck", json={"report": report()}, headers=await system.auth(user))
        assert r.status_code == 200, (user, r.text)


async def test_precheck_with_an_unknown_project_is_404(system: System) -> None:
    r = await system.review.post(
        "/api/v1/precheck",
        json={"report": report(), "project_id": "00000000-0000-4000-8000-000000000000"},
        headers=await system.auth("agency.jx"),
    )
    assert r.status_code in (404, 503), r.text
    assert r.json()["code"] in ("project.not_found", "precheck.intake_unavailable")


async def test_region_override_changes_the_precheck_outcome(system: System, registry_front: RegistryFront) -> None:
    # The sample's public notice ran 10 days: passes the default 7, fails a county asking 11.
    # 330421 (嘉善县) belongs to this test; js.zjj.filer prechecks from there.
    sup = await system.auth("jx.supervisor")
    filer = await system.auth("js.zjj.filer")
    r = await system.review.put("/api/v1/region-configs/330421", json={"overrides": {}}, headers=sup)
    assert r.status_code == 200
    r = await system.review.post("/api/v1/precheck", json={"report": report()}, headers=filer)
    c052 = next(i for i in r.json()["items"] if i["code"] == "C05.2")
    assert c052["result"] == "pass", c052
    r = await system.review.put("/api/v1/region-configs/330421", json={"overrides": {"notice_days": 11}}, headers=sup)
    assert r.status_code == 200
    r = await system.review.post("/api/v1/precheck", json={"report": report()}, headers=filer)
    body = r.json()
    c052 = next(i for i in body["items"] if i["code"] == "C05.2")
    assert c052["result"] == "fail" and "11" in c052["evidence"], c052
    assert body["config_source"]["region_code"] == "330421"
    assert body["provisional_verdict"] == "returned_for_reassessment"
    r = await system.review.put("/api/v1/region-configs/330421", json={"overrides": {}}, headers=sup)
    assert r.status_code == 200


async def test_region_grading_scheme_changes_the_computed_levels(system: System, registry_front: RegistryFront) -> None:
    # The sample states one significant and five moderate initial factors -> medium by the
    # default stacking rule. A region where one significant factor already means high, or one
    # using the index method, computes another overall level, so C08.3 fails there.
    sup = await system.auth("jx.supervisor")
    filer = await system.auth("js.zjj.filer")
    cases = (
        ({"grading": {"stacking": {"high_if_significant_at_least": 1}}}, "叠加法综合等级为高"),
        ({"grading": {"method": "index"}}, "指数法综合等级为低"),
    )
    try:
        for overrides, evidence in cases:
            r = await system.review.put("/api/v1/region-configs/330421", json={"overrides": overrides}, headers=sup)
            assert r.status_code == 200, r.text
            r = await system.review.post("/api/v1/precheck", json={"report": report()}, headers=filer)
            c083 = next(i for i in r.json()["items"] if i["code"] == "C08.3")
            assert c083["result"] == "fail" and evidence in c083["evidence"], c083
    finally:
        r = await system.review.put("/api/v1/region-configs/330421", json={"overrides": {}}, headers=sup)
        assert r.status_code == 200
    r = await system.review.post("/api/v1/precheck", json={"report": report()}, headers=filer)
    assert next(i for i in r.json()["items"] if i["code"] == "C08.3")["result"] == "pass"


async def test_a_body_refused_by_the_json_validator_gets_the_usual_answers(system: System) -> None:
    """The precheck validates its body from the bytes in one pass (precheck/endpoints.py); what that
    refuses goes FastAPI's usual way, with the answers every other route gives."""
    headers = {**await system.auth("agency.jx"), "Content-Type": "application/json"}
    malformed = await system.review.post("/api/v1/precheck", content=b'{"report": ', headers=headers)
    other_route = await system.review.post("/api/v1/reviews", content=b'{"report": ', headers=headers)
    assert malformed.status_code == other_route.status_code and malformed.json()["code"] == other_route.json()["code"]
    unknown = await system.review.post("/api/v1/precheck", json={"report": report(), "extra": 1}, headers=headers)
    assert unknown.status_code == 422, unknown.text
    assert [e["loc"] for e in unknown.json()["errors"]] == [["extra"]], unknown.text
    wrong = report()
    wrong["procedure"]["public_notice"]["end"] = "not a date"
    invalid = await system.review.post("/api/v1/precheck", json={"report": wrong}, headers=headers)
    assert invalid.status_code == 422
    assert [e["loc"][:4] for e in invalid.json()["errors"]] == [["report", "procedure", "public_notice", "end"]], invalid.text
