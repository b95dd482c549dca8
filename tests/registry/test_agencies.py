"""Agencies over HTTP: credit codes, filings, status, practitioners, gradings against the
configured thresholds, eligibility with every reason, misconduct province-wide, performance from
the review service, region scoping and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from registry_kit import unique
from sqlmodel import select
from system_kit import WenpingSystem

from wenping_registry.agencies.credit_code import credit_code_check_char
from wenping_registry.audit.models import AuditEntry
from wenping_shared import local_today
from wenping_shared.demo import demo_id, org_id, user_id

JX_AGENCY = demo_id("agency", "嘉兴和谐社会风险评估咨询有限公司")
ZY_AGENCY = demo_id("agency", "张掖市稳评咨询中心")
SUSPENDED = demo_id("agency", "嘉兴安和评估咨询有限公司")
EXPIRED = demo_id("agency", "嘉兴和信稳评事务所")
TODAY = local_today("Asia/Shanghai")

_codes = iter(range(1, 10**5))


def credit_code(region: str = "330400") -> str:
    first17 = f"91{region}MA7{next(_codes):06d}"[:17]
    return first17 + credit_code_check_char(first17)


async def create_agency(system: WenpingSystem, admin: str = "zj.admin", **overrides: Any) -> dict[str, Any]:
    region = overrides.get("region_code", "330400")
    body: dict[str, Any] = {
        "name": unique("测试稳评机构"),
        "credit_code": credit_code(region),
        "region_code": region,
        "filings": [{"province_code": f"{region[:2]}0000", "filed_on": (TODAY - dt.timedelta(days=30)).isoformat()}],
        **overrides,
    }
    r = await system.registry.post("/api/v1/agencies", json=body, headers=await system.auth(admin))
    assert r.status_code == 201, r.text
    return r.json()


async def add_practitioners(system: WenpingSystem, agency_id: str, n: int, admin: str = "zj.admin", **cert: Any) -> None:
    for _ in range(n):
        certificate = {"number": unique("ZS-"), "issued_on": (TODAY - dt.timedelta(days=100)).isoformat(),
                       "expires_on": (TODAY + dt.timedelta(days=300)).isoformat(), **cert}
        r = await system.registry.post(f"/api/v1/agencies/{agency_id}/practitioners",
                                       json={"name": unique("从业人员"), "certificates": [certificate]},
                                       headers=await system.auth(admin))
        assert r.status_code == 201, r.text


async def grade(system: WenpingSystem, agency_id: str, grade_: str, admin: str = "zj.admin", **extra: Any) -> Any:
    body = {"grade": grade_, "valid_from": (TODAY - dt.timedelta(days=10)).isoformat(),
            "valid_until": (TODAY + dt.timedelta(days=365)).isoformat(), **extra}
    return await system.registry.post(f"/api/v1/agencies/{agency_id}/gradings", json=body,
                                      headers=await system.auth(admin))


async def eligibility(system: WenpingSystem, agency_id: str, level: str, caller: str = "jx.fgw.filer", **params: Any) -> Any:
    r = await system.registry.get(f"/api/v1/agencies/{agency_id}/eligibility", params={"project_level": level, **params},
                                  headers=await system.auth(caller))
    assert r.status_code == 200, r.text
    return r.json()


def codes(answer: dict[str, Any]) -> set[str]:
    return {r["code"] for r in answer["reasons"]}


# --- credit codes ---------------------------------------------------------------------------


async def test_valid_credit_code_is_accepted_and_normalised(system: WenpingSystem) -> None:
    code = credit_code()
    created = await create_agency(system, credit_code=f" {code.lower()} ")
    assert created["credit_code"] == code and created["status"] == "active" and created["on_file"] is True
    org = await system.registry.get(f"/api/v1/organizations/{created['org_id']}", headers=await system.auth("zj.admin"))
    assert org.json()["kind"] == "agency" and org.json()["credit_code"] == code
    dup = await system.registry.post("/api/v1/agencies", json={"name": unique("另一机构"), "credit_code": code,
                                                               "region_code": "330400"},
                                     headers=await system.auth("zj.admin"))
    assert dup.status_code == 409 and dup.json()["code"] == "agency.duplicate_credit_code"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91330400MA2A0000", "长度"),  # 16 characters
        ("91330400MA2A00000155", "长度"),  # 20 characters
        ("91330400MA2AI00001", "I"),
        ("91330400MA2AO00001", "O"),
        ("91330400MA2AZ00001", "Z"),
        ("91330400MA2AS00001", "S"),
        ("91330400MA2AV00001", "V"),
        ("91330400MA2A000016", "校验码"),  # the right one is 5
    ],
)
async def test_invalid_credit_codes_are_refused(system: WenpingSystem, code: str, message: str) -> None:
    name = unique("无效代码机构")
    r = await system.registry.post("/api/v1/agencies", json={"name": name, "credit_code": code, "region_code": "330400"},
                                   headers=await system.auth("zj.admin"))
    assert r.status_code == 422, r.text
    assert message in r.json()["detail"] and r.headers["content-type"].startswith("application/problem+json")
    listed = await system.registry.get("/api/v1/agencies", params={"q": name}, headers=await system.auth("zj.admin"))
    assert listed.json()["items"] == []


# --- the demo agencies and eligibility ---------------------------------------------------


async def test_demo_agencies_eligibility(system: WenpingSystem) -> None:
    service = await system.service_headers("intake", "registry")
    for level in ("county", "city", "province"):
        r = await system.registry.get(f"/api/v1/agencies/{JX_AGENCY}/eligibility", params={"project_level": level},
                                      headers=service)
        assert r.status_code == 200 and r.json()["eligible"] is True and r.json()["reasons"] == [], r.text
    body = r.json()
    assert body["agency"]["grade"] == "B" and body["agency"]["on_file"] is True
    assert body["agency"]["org_id"] == org_id("嘉兴和谐社会风险评估咨询有限公司")

    zy_county = await eligibility(system, ZY_AGENCY, "county", caller="zy.filer")
    assert zy_county["eligible"] is True and zy_county["agency"]["grade"] == "D"
    zy_city = await eligibility(system, ZY_AGENCY, "city", caller="zy.filer")
    assert zy_city["eligible"] is False and codes(zy_city) == {"agency.grade_too_low"}
    assert "D级机构最高只能承接县级项目" in zy_city["reasons"][0]["message"]

    suspended = await eligibility(system, SUSPENDED, "county")
    assert codes(suspended) == {"agency.suspended", "agency.recent_misconduct"}
    expired = await eligibility(system, EXPIRED, "county")
    assert codes(expired) == {"agency.grade_expired"} and expired["agency"]["grade"] is None
    detail = await system.registry.get(f"/api/v1/agencies/{EXPIRED}", headers=await system.auth("jx.reviewer"))
    assert detail.json()["grade"] is None and detail.json()["latest_grading"]["grade"] == "C"

    # On a past date the expired grade was still valid.
    then = await eligibility(system, EXPIRED, "county", on=(TODAY - dt.timedelta(days=200)).isoformat())
    assert then["eligible"] is True and then["agency"]["grade"] == "C"

    unknown = await system.registry.get("/api/v1/agencies/nope/eligibility", params={"project_level": "city"},
                                        headers=service)
    assert unknown.status_code == 404 and unknown.json()["code"] == "agency.not_found"
    bad = await system.registry.get(f"/api/v1/agencies/{JX_AGENCY}/eligibility", params={"project_level": "nation"},
                                    headers=service)
    assert bad.status_code == 422


async def test_new_agency_collects_every_reason_until_it_qualifies(system: WenpingSystem) -> None:
    agency = await create_agency(system, filings=[])
    url = f"/api/v1/agencies/{agency['id']}"
    answer = await eligibility(system, agency["id"], "city")
    assert answer["eligible"] is False and codes(answer) == {"agency.not_on_file", "agency.ungraded"}

    # Grades are checked against the thresholds: C needs 3 projects, an average of 60, 3 staff.
    refused = await grade(system, agency["id"], "C")
    assert refused.status_code == 409 and refused.json()["code"] == "agency_grading.criteria_not_met"
    assert refused.json()["suggested_grade"] == "D" and len(refused.json()["unmet"]) == 3
    d = await grade(system, agency["id"], "D", note="首次评定")
    assert d.status_code == 201 and d.json()["criteria_source"] == "records"
    assert d.json()["criteria"] == {"projects_completed": 0, "average_review_score": None, "certified_staff": 0,
                                    "misconduct_records": 0}

    answer = await eligibility(system, agency["id"], "city")
    assert codes(answer) == {"agency.not_on_file", "agency.grade_too_low", "agency.insufficient_certified_staff"}

    await add_practitioners(system, agency["id"], 2)
    await add_practitioners(system, agency["id"], 1, expires_on=(TODAY - dt.timedelta(days=1)).isoformat())
    staff = await system.registry.get(f"{url}/practitioners", headers=await system.auth("jx.reviewer"))
    assert [p["certified"] for p in staff.json()].count(True) == 2
    assert "agency.insufficient_certified_staff" in codes(await eligibility(system, agency["id"], "county"))
    await add_practitioners(system, agency["id"], 1)

    etag = (await system.registry.get(url, headers=await system.auth("zj.admin"))).headers["etag"]
    filed = await system.registry.patch(
        url, json={"filings": [{"province_code": "330000", "filed_on": TODAY.isoformat(), "filing_number": "浙稳备1号"}]},
        headers={**await system.auth("zj.admin"), "If-Match": etag},
    )
    assert filed.status_code == 200 and filed.json()["on_file"] is True
    county = await eligibility(system, agency["id"], "county")
    assert county["eligible"] is True and county["certified_staff"] == 3

    # A grading with submitted criteria (earlier performance) may give C: now city-level too.
    c = await grade(system, agency["id"], "C", criteria={"projects_completed": 4, "average_review_score": 70,
                                                         "certified_staff": 3, "misconduct_records": 0})
    assert c.status_code == 201 and c.json()["criteria_source"] == "submitted" and c.json()["suggested_grade"] == "C"
    assert (await eligibility(system, agency["id"], "city"))["eligible"] is True
    assert codes(await eligibility(system, agency["id"], "province")) == {"agency.grade_too_low"}
    history = await system.registry.get(f"{url}/gradings", headers=await system.auth("jx.fgw.filer"))
    assert [g["grade"] for g in history.json()] == ["C", "D"]

    # Suspension stops everything; every change is in the audit trail.
    etag = (await system.registry.get(url, headers=await system.auth("zj.admin"))).headers["etag"]
    suspended = await system.registry.patch(url, json={"status": "suspended", "status_reason": "报告造假调查中"},
                                            headers={**await system.auth("zj.admin"), "If-Match": etag})
    assert suspended.status_code == 200
    assert codes(await eligibility(system, agency["id"], "county")) == {"agency.suspended"}
    async with system.apps["registry"].state.sessionmaker() as session:
        trail = (await session.exec(select(AuditEntry).where(AuditEntry.object_id == agency["id"]))).all()
    actions = sorted(a.action for a in trail if a.result == "success")
    assert actions.count("agency.grade") == 2 and actions.count("agency.practitioner.create") == 4
    [refused_grading] = [a for a in trail if a.result == "failed"]
    assert refused_grading.action == "agency.grade" and refused_grading.changes["code"] == "agency_grading.criteria_not_met"
    assert "agency.create" in actions and actions.count("agency.update") == 2
    status_change = next(a for a in trail if a.action == "agency.update" and "status" in a.changes)
    assert status_change.changes["status"] == {"from": "active", "to": "suspended"}
    assert status_change.actor == user_id("zj.admin") and status_change.result == "success"


async def test_grading_bodies_and_thresholds(system: WenpingSystem) -> None:
    agency = await create_agency(system)
    strong = {"projects_completed": 30, "average_review_score": 90, "certified_staff": 12, "misconduct_records": 0}
    assert (await grade(system, agency["id"], "A", criteria=strong)).status_code == 201
    one_misconduct = {**strong, "misconduct_records": 1}
    refused = await grade(system, agency["id"], "A", criteria=one_misconduct)
    assert refused.status_code == 409 and refused.json()["suggested_grade"] == "B"
    assert "不良行为" in refused.json()["detail"]
    assert (await grade(system, agency["id"], "E")).status_code == 422
    for bad in ({"valid_until": (TODAY - dt.timedelta(days=30)).isoformat()},
                {"criteria": {**strong, "average_review_score": 101}}, {"status": "active"}):
        r = await grade(system, agency["id"], "A", **bad)
        assert r.status_code == 422 and r.json()["detail"].startswith("请求数据校验失败"), bad
    assert (await grade(system, agency["id"], "A", admin="jx.reviewer")).status_code == 403
    assert (await grade(system, agency["id"], "A", admin="zy.admin")).status_code == 404
    listed = await system.registry.get("/api/v1/agencies", params={"grade": "A", "q": agency["name"]},
                                       headers=await system.auth("jx.fgw.filer"))
    assert [a["id"] for a in listed.json()["items"]] == [agency["id"]]
    listed_b = await system.registry.get("/api/v1/agencies", params={"grade": "B", "q": agency["name"]},
                                         headers=await system.auth("jx.fgw.filer"))
    assert listed_b.json()["items"] == []


async def test_configured_thresholds_apply(system: WenpingSystem) -> None:
    settings = system.apps["registry"].state.settings
    original = settings.grading
    agency = await create_agency(system)
    criteria = {"projects_completed": 3, "average_review_score": 60, "certified_staff": 3, "misconduct_records": 0}
    try:
        settings.grading = original.model_copy(update={"C": original.C.model_copy(update={"min_projects": 4})})
        assert (await grade(system, agency["id"], "C", criteria=criteria)).status_code == 409
    finally:
        settings.grading = original
    assert (await grade(system, agency["id"], "C", criteria=criteria)).status_code == 201


# --- misconduct, province-wide ----------------------------------------------------------


async def test_misconduct_restricts_across_the_province(system: WenpingSystem) -> None:
    agency = await create_agency(system)
    await add_practitioners(system, agency["id"], 3)
    criteria = {"projects_completed": 12, "average_review_score": 80, "certified_staff": 6, "misconduct_records": 0}
    assert (await grade(system, agency["id"], "B", criteria=criteria)).status_code == 201
    assert (await eligibility(system, agency["id"], "city"))["eligible"] is True

    old = await system.registry.post(
        f"/api/v1/agencies/{agency['id']}/misconduct",
        json={"recorded_on": (TODAY - dt.timedelta(days=400)).isoformat(), "description": "两年前的报告抄袭", "region_code": "330483"},
        headers=await system.auth("zj.admin"),
    )
    assert old.status_code == 201
    assert (await eligibility(system, agency["id"], "city"))["eligible"] is True  # older than a year

    # Recorded in a county of the province: the agency (of the city) is restricted everywhere in Zhejiang.
    recent = await system.registry.post(
        f"/api/v1/agencies/{agency['id']}/misconduct",
        json={"recorded_on": (TODAY - dt.timedelta(days=20)).isoformat(), "description": "问卷数据造假", "region_code": "330421"},
        headers=await system.auth("zj.admin"),
    )
    assert recent.status_code == 201 and recent.json()["credit_code"] == agency["credit_code"]
    answer = await eligibility(system, agency["id"], "county", project_region_code="330602")
    assert codes(answer) == {"agency.recent_misconduct"} and "330421" in answer["reasons"][0]["message"]
    record = await system.registry.get(f"/api/v1/agencies/{agency['id']}", headers=await system.auth("jx.reviewer"))
    assert record.json()["misconduct_last_year"] == 1
    listed = await system.registry.get(f"/api/v1/agencies/{agency['id']}/misconduct", headers=await system.auth("jx.reviewer"))
    assert [m["description"] for m in listed.json()] == ["问卷数据造假", "两年前的报告抄袭"]

    future = await system.registry.post(
        f"/api/v1/agencies/{agency['id']}/misconduct",
        json={"recorded_on": (TODAY + dt.timedelta(days=5)).isoformat(), "description": "未来"},
        headers=await system.auth("zj.admin"),
    )
    assert future.status_code == 400
    other = await system.registry.post(f"/api/v1/agencies/{agency['id']}/misconduct",
                                       json={"recorded_on": TODAY.isoformat(), "description": "越权登记"},
                                       headers=await system.auth("zy.admin"))
    assert other.status_code == 404


# --- performance from the review service --------------------------------------------------


async def test_performance_is_idempotent_by_review_and_only_for_review(system: WenpingSystem) -> None:
    agency = await create_agency(system)
    url = f"/api/v1/agencies/{agency['id']}/performance"
    review = await system.service_headers("review", "registry")
    first_review = unique("review-")
    body = {"review_id": first_review, "project_id": "p-1", "round": 1, "verdict": "returned_for_revision",
            "score": 70.0, "decided_at": "2026-11-20T10:00:00+08:00"}
    created = await system.registry.post(url, json=body, headers=review)
    assert created.status_code == 201, created.text
    again = await system.registry.post(url, json={**body, "score": 10.0}, headers=review)
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"] and again.json()["score"] == 70.0
    second = {**body, "review_id": unique("review-"), "round": 2, "verdict": "approved", "score": 90.0}
    assert (await system.registry.post(url, json=second, headers=review)).status_code == 201

    record = (await system.registry.get(f"/api/v1/agencies/{agency['id']}", headers=await system.auth("zj.admin"))).json()
    assert record["performance"] == {"reviews_count": 2, "approved_count": 1, "returned_count": 1,
                                     "projects_completed": 1, "average_score": 80.0}
    graded = await grade(system, agency["id"], "D")
    assert graded.json()["criteria"]["projects_completed"] == 1 and graded.json()["criteria"]["average_review_score"] == 80.0

    for caller in (await system.service_headers("intake", "registry"), await system.auth("zj.admin")):
        refused = await system.registry.post(url, json={**body, "review_id": unique("x")}, headers=caller)
        assert refused.status_code == 403 and refused.json()["code"] == "auth.service_only"
    missing = await system.registry.post("/api/v1/agencies/nope/performance", json=body, headers=review)
    assert missing.status_code == 404
    for bad in ({"verdict": "maybe"}, {"score": 101}, {"round": 0}, {"decided_at": "2026-11-20T10:00:00"}):
        r = await system.registry.post(url, json={**body, "review_id": unique("bad-"), **bad}, headers=review)
        assert r.status_code == 422, bad
    async with system.apps["registry"].state.sessionmaker() as session:
        trail = (await session.exec(select(AuditEntry).where(AuditEntry.object_id == agency["id"],
                                                             AuditEntry.action == "agency.performance.record"))).all()
    assert len(trail) == 2 and trail[0].actor == "service:review"


# --- region scoping ---------------------------------------------------------------------


async def test_admins_manage_only_their_subtree(system: WenpingSystem) -> None:
    # A county admin of Jiaxing sees the province's agencies but manages only the county's.
    username = unique("js.admin.")
    user = await system.registry.post("/api/v1/users", headers=await system.auth("zj.admin"), json={
        "username": username, "display_name": "桐乡市管理员", "password": "a-long-password-1", "roles": ["admin"],
        "org_id": org_id("桐乡市自然资源和规划局"),
    })
    assert user.status_code == 201, user.text
    county_admin = {"Authorization": f"Bearer {await system.token(username, password='a-long-password-1')}"}

    seen = await system.registry.get(f"/api/v1/agencies/{JX_AGENCY}", headers=county_admin)
    assert seen.status_code == 200
    patch = await system.registry.patch(f"/api/v1/agencies/{JX_AGENCY}", json={"address": "x"},
                                        headers={**county_admin, "If-Match": seen.headers["etag"]})
    assert patch.status_code == 403 and patch.json()["code"] == "agency.manage_forbidden"
    async with system.apps["registry"].state.sessionmaker() as session:
        denied = (await session.exec(select(AuditEntry).where(AuditEntry.object_id == JX_AGENCY,
                                                              AuditEntry.result == "denied"))).all()
    assert any(a.action == "agency.update" and a.actor == user.json()["id"] for a in denied)
    unchanged = await system.registry.get(f"/api/v1/agencies/{JX_AGENCY}", headers=county_admin)
    assert unchanged.json()["version"] == seen.json()["version"]
    outside = await system.registry.post("/api/v1/agencies", headers=county_admin, json={
        "name": unique("越权机构"), "credit_code": credit_code(), "region_code": "330400"})
    assert outside.status_code == 403 and outside.json()["code"] == "agency.outside_region"
    own = await system.registry.post("/api/v1/agencies", headers=county_admin, json={
        "name": unique("桐乡机构"), "credit_code": credit_code("330483"), "region_code": "330483"})
    assert own.status_code == 201

    # Another province: 404 for reading and for managing.
    for method, path in (("GET", ""), ("GET", "/practitioners"), ("GET", "/eligibility?project_level=county")):
        r = await system.registry.request(method, f"/api/v1/agencies/{JX_AGENCY}{path}", headers=await system.auth("zy.admin"))
        assert r.status_code == 404, path
    r = await system.registry.patch(f"/api/v1/agencies/{JX_AGENCY}", json={"address": "x"},
                                    headers={**await system.auth("zy.admin"), "If-Match": '"1"'})
    assert r.status_code == 404
    r = await system.registry.post(f"/api/v1/agencies/{JX_AGENCY}/practitioners", json={"name": "某人"},
                                   headers=await system.auth("zy.admin"))
    assert r.status_code == 404
    zy_list = await system.registry.get("/api/v1/agencies", headers=await system.auth("zy.reviewer"))
    assert {a["region_code"][:2] for a in zy_list.json()["items"]} == {"62"}

    # The agency's own staff see their agency; filings of other provinces are not for this admin.
    assert (await system.registry.get(f"/api/v1/agencies/{ZY_AGENCY}", headers=await system.auth("agency.zy"))).status_code == 200
    foreign_filing = await system.registry.post("/api/v1/agencies", headers=await system.auth("zj.admin"), json={
        "name": unique("跨省备案"), "credit_code": credit_code(), "region_code": "330400",
        "filings": [{"province_code": "620000", "filed_on": TODAY.isoformat()}]})
    assert foreign_filing.status_code == 403 and foreign_filing.json()["code"] == "agency.filing_outside_province"


async def test_patch_rules(system: WenpingSystem) -> None:
    agency = await create_agency(system)
    url = f"/api/v1/agencies/{agency['id']}"
    admin = await system.auth("zj.admin")
    assert (await system.registry.patch(url, json={"address": "南湖路1号"}, headers=admin)).status_code == 428
    assert (await system.registry.patch(url, json={"address": "南湖路1号"}, headers={**admin, "If-Match": '"9"'})).status_code == 412
    for bad in ({"status": "blacklisted"}, {"credit_code": credit_code()}, {"org_id": "x"}, {"grade": "A"}, {"name": None}):
        r = await system.registry.patch(url, json=bad, headers={**admin, "If-Match": '"1"'})
        assert r.status_code == 422, bad
    ok = await system.registry.patch(url, json={"status": "blacklisted", "status_reason": "严重失信"},
                                     headers={**admin, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"' and ok.json()["status_label"] == "列入黑名单"
    assert "agency.blacklisted" in codes(await eligibility(system, agency["id"], "county"))
    listed = await system.registry.get("/api/v1/agencies", params={"status": "blacklisted", "q": agency["name"]},
                                       headers=admin)
    assert [a["id"] for a in listed.json()["items"]] == [agency["id"]]


async def test_practitioner_bodies(system: WenpingSystem) -> None:
    agency = await create_agency(system)
    url = f"/api/v1/agencies/{agency['id']}/practitioners"
    admin = await system.auth("zj.admin")
    number = unique("ZS-")
    cert = {"number": number, "issued_on": "2025-01-01", "expires_on": "2028-01-01"}
    assert (await system.registry.post(url, json={"name": "甲", "certificates": [cert]}, headers=admin)).status_code == 201
    dup = await system.registry.post(url, json={"name": "乙", "certificates": [cert]}, headers=admin)
    assert dup.status_code == 409 and dup.json()["code"] == "practitioner.duplicate_certificate"
    backwards = {**cert, "number": unique("ZS-"), "expires_on": "2024-01-01"}
    assert (await system.registry.post(url, json={"name": "丙", "certificates": [backwards]}, headers=admin)).status_code == 422
    assert (await system.registry.post(url, json={"name": "丁"}, headers=await system.auth("jx.reviewer"))).status_code == 403
    people = await system.registry.get(url, headers=await system.auth("jx.fgw.filer"))
    assert [p["name"] for p in people.json()] == ["甲"]
