"""Opening, reading, judging and deciding reviews through the API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from review_kit import RegistryFront, System, handoff, items_by_code, judge_all_pending, open_review, report
from sqlmodel import col, func, select

from wenping_review.database import OutboxMessage
from wenping_review.reviews.models import Review, ReviewItem
from wenping_shared.contracts import samples

MANUAL = {"C03.3", "C04.2", "C04.4", "C07.4", "C07.5", "C08.5", "C09.3"}


async def _outbox(system: System, review_id: str) -> list[OutboxMessage]:
    async with system.apps["review"].state.sessionmaker() as s:
        rows = (await s.exec(select(OutboxMessage).order_by(col(OutboxMessage.created_at)))).all()
    return [m for m in rows if m.payload.get("review_id") == review_id]


async def test_handoff_opens_a_review_with_all_45_items(system: System, registry_front: RegistryFront) -> None:
    body = handoff()
    review = await open_review(system, body)
    assert len(review["items"]) == 45 and review["status"] == "pending"
    assert review["checklist_version"] == "v1"
    assert review["report_title"] == samples.complete_report()["title"]
    items = items_by_code(review)
    for code, item in items.items():
        assert item["evidence"], code
        if code in MANUAL:
            assert item["mode"] == "manual" and item["result"] == "pending"
        else:
            assert item["mode"] == "auto" and item["result"] in ("pass", "not_applicable"), (code, item["evidence"])
            assert item["auto_result"] == item["result"]
    # The manual items with a rule carry the service's suggestion; C07.5 has none.
    assert items["C07.5"]["suggestion"] is None
    assert {c for c in MANUAL if items[c]["suggestion"] is not None} == MANUAL - {"C07.5"}
    assert review["pending_items"] == sorted(MANUAL, key=lambda c: list(items).index(c))
    assert review["provisional_verdict"] is None
    # Intake is told through the outbox, in the same transaction.
    messages = await _outbox(system, review["id"])
    assert [(m.destination, m.path, m.payload["event"]) for m in messages] == [
        ("intake", f"/api/v1/projects/{body['project_id']}/review-events", "opened")
    ]
    # The hand-off is idempotent by (project_id, round).
    headers = await system.service_headers("intake", "review")
    again = await system.review.post("/api/v1/reviews", json=body, headers=headers)
    assert again.status_code == 200 and again.json()["id"] == review["id"]
    async with system.apps["review"].state.sessionmaker() as s:
        n = (await s.exec(select(func.count()).select_from(Review).where(Review.project_id == body["project_id"]))).one()
        stored = (await s.exec(select(func.count()).select_from(ReviewItem).where(ReviewItem.review_id == review["id"]))).one()
    assert n == 1 and stored == 45
    assert len(await _outbox(system, review["id"])) == 1


async def test_handoff_refusals_leave_nothing(system: System) -> None:
    headers = await system.service_headers("intake", "review")
    pid = str(uuid.uuid4())
    body = handoff(pid)
    bad_report = handoff(pid, rep={**report(), "risks": [{**report()["risks"][0], "impact": 2}]})
    cases = [
        ({k: v for k, v in body.items() if k != "report"}, 422, "review.handoff_incomplete"),
        ({**body, "project": {**body["project"], "project_id": "other"}}, 422, "review.project_mismatch"),
        ({**body, "round": 0}, 422, None),
        ({**body, "project": {**body["project"], "region_code": "33"}}, 422, None),
        (bad_report, 422, None),
        ({**body, "verdict": "approved"}, 422, None),
    ]
    for payload, status, code in cases:
        r = await system.review.post("/api/v1/reviews", json=payload, headers=headers)
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        if code:
            assert r.json()["code"] == code
    # Not intake, not a reviewer.
    for user in ("jx.zjj.filer", "agency.jx", "jx.supervisor"):
        r = await system.review.post("/api/v1/reviews", json=body, headers=await system.auth(user))
        assert r.status_code in (403, 422), (user, r.text)
    async with system.apps["review"].state.sessionmaker() as s:
        n = (await s.exec(select(func.count()).select_from(Review).where(Review.project_id == pid))).one()
    assert n == 0


async def test_reviewer_opening_needs_only_project_and_round(system: System) -> None:
    headers = await system.auth("jx.reviewer")
    r = await system.review.post("/api/v1/reviews", json=handoff(), headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "review.reviewer_body"
    r = await system.review.post(
        "/api/v1/reviews", json={"project_id": str(uuid.uuid4()), "round": 1}, headers=headers
    )
    assert r.status_code in (404, 503), r.text
    assert r.json()["code"] in ("project.not_found", "review.intake_unavailable")


async def test_queue_is_oldest_first_with_keyset_pages(system: System, registry_front: RegistryFront) -> None:
    mine = [(await open_review(system, handoff()))["id"] for _ in range(3)]
    headers = await system.auth("jx.reviewer")
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(200):
        params: dict[str, Any] = {"status": "pending", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        r = await system.review.get("/api/v1/reviews", params=params, headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 2
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [s["id"] for s in seen]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if i in mine] == mine
    created = [s["created_at"] for s in seen]
    assert created == sorted(created)
    assert all(s["status"] == "pending" and s["region_code"].startswith("3304") for s in seen)
    # Another city's reviewer does not see them.
    r = await system.review.get("/api/v1/reviews", params={"limit": 200}, headers=await system.auth("zy.reviewer"))
    assert not {s["id"] for s in r.json()["items"]} & set(mine)
    # A region filter narrows to a subtree; outside the caller's own subtree there is nothing.
    r = await system.review.get("/api/v1/reviews", params={"region_code": "330402", "limit": 200}, headers=headers)
    assert all(s["region_code"] == "330402" for s in r.json()["items"])
    assert not {s["id"] for s in r.json()["items"]} & set(mine)  # mine are in 330400
    r = await system.review.get("/api/v1/reviews", params={"region_code": "620700"}, headers=headers)
    assert r.status_code == 200 and r.json() == {"items": [], "next_cursor": None}
    r = await system.review.get("/api/v1/reviews", params={"cursor": "not-a-cursor"}, headers=headers)
    assert r.status_code == 400
    r = await system.review.get("/api/v1/reviews", params={"status": "open"}, headers=headers)
    assert r.status_code == 422


async def test_visibility_by_tenant(system: System, registry_front: RegistryFront) -> None:
    review = await open_review(system, handoff())
    rid = review["id"]
    for user in ("jx.reviewer", "jx.supervisor", "jx.zjj.filer", "agency.jx"):
        r = await system.review.get(f"/api/v1/reviews/{rid}", headers=await system.auth(user))
        assert r.status_code == 200, user
        assert r.headers["etag"] == f'"{r.json()["version"]}"'
    for user in ("jx.fgw.filer", "agency.zy", "zy.reviewer", "js.zjj.filer", "expert.jx1", "zj.admin"):
        r = await system.review.get(f"/api/v1/reviews/{rid}", headers=await system.auth(user))
        assert r.status_code == 404, user
        assert r.json()["code"] == "review.not_found"
    # Filers see their organisation's reviews, agencies the ones of reports they submitted.
    for user, expected in (("jx.zjj.filer", True), ("agency.jx", True), ("jx.fgw.filer", False), ("agency.zy", False)):
        r = await system.review.get("/api/v1/reviews", params={"limit": 200, "status": "pending"}, headers=await system.auth(user))
        assert r.status_code == 200
        found = rid in {s["id"] for s in r.json()["items"]}
        if expected:
            # The list is oldest first; walk it if this review is beyond the first page.
            cursor = r.json()["next_cursor"]
            while not found and cursor:
                r = await system.review.get(
                    "/api/v1/reviews", params={"limit": 200, "status": "pending", "cursor": cursor}, headers=await system.auth(user)
                )
                found = rid in {s["id"] for s in r.json()["items"]}
                cursor = r.json()["next_cursor"]
        assert found is expected, user
    r = await system.review.get("/api/v1/reviews", headers=await system.auth("expert.jx1"))
    assert r.status_code == 403
    # Readers who are not the region's reviewer may not act: 403 (they can see it).
    for user in ("jx.zjj.filer", "agency.jx", "jx.supervisor"):
        r = await system.review.put(
            f"/api/v1/reviews/{rid}/items/C07.5", json={"result": "pass"}, headers=await system.auth(user)
        )
        assert r.status_code == 403, user
        r = await system.decide_review(rid, {}, await system.auth(user))
        assert r.status_code == 403, user
    # Another tenant's reviewer: 404 for acting too.
    r = await system.review.put(
        f"/api/v1/reviews/{rid}/items/C07.5", json={"result": "pass"}, headers=await system.auth("zy.reviewer")
    )
    assert r.status_code == 404


async def test_judging_items_and_the_audit(system: System, registry_front: RegistryFront) -> None:
    review = await open_review(system, handoff())
    rid = review["id"]
    headers = await system.auth("jx.reviewer")
    # A manual item needs no comment.
    r = await system.review.put(f"/api/v1/reviews/{rid}/items/C07.5", json={"result": "pass"}, headers=headers)
    assert r.status_code == 200, r.text
    assert items_by_code(r.json())["C07.5"]["result"] == "pass"
    version = r.json()["version"]
    # Overriding an auto result without a comment is refused, in Chinese, and changes nothing.
    for comment in (None, "", "   "):
        body: dict[str, Any] = {"result": "fail"}
        if comment is not None:
            body["comment"] = comment
        r = await system.review.put(f"/api/v1/reviews/{rid}/items/C05.2", json=body, headers=headers)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "review.override_comment_required"
        assert "意见" in r.json()["detail"]
    r = await system.review.get(f"/api/v1/reviews/{rid}", headers=headers)
    assert items_by_code(r.json())["C05.2"]["result"] == "pass" and r.json()["version"] == version
    # Confirming the auto result needs no comment; overriding with one is recorded as such.
    r = await system.review.put(f"/api/v1/reviews/{rid}/items/C05.2", json={"result": "pass"}, headers=headers)
    assert r.status_code == 200
    r = await system.review.put(
        f"/api/v1/reviews/{rid}/items/C06.6",
        json={"result": "fail", "comment": "问卷样本集中于一个社区，代表性不足"},
        headers={**headers, "If-Match": r.headers["etag"]},
    )
    assert r.status_code == 200, r.text
    c066 = items_by_code(r.json())["C06.6"]
    assert c066["result"] == "fail" and c066["auto_result"] == "pass" and c066["overridden"] is True
    assert c066["comment"] == "问卷样本集中于一个社区，代表性不足" and c066["judged_by"]
    # A stale If-Match is refused.
    r2 = await system.review.put(
        f"/api/v1/reviews/{rid}/items/C07.4", json={"result": "pass"}, headers={**headers, "If-Match": '"1"'}
    )
    assert r2.status_code == 412
    # Bad inputs.
    for code, body, status in (
        ("C99.9", {"result": "pass"}, 404),
        ("XYZ", {"result": "pass"}, 422),
        ("C07.4", {"result": "pending"}, 422),
        ("C07.4", {"result": "pass", "extra": 1}, 422),
        ("C07.4", {}, 422),
    ):
        r3 = await system.review.put(f"/api/v1/reviews/{rid}/items/{code}", json=body, headers=headers)
        assert r3.status_code == status, (code, body, r3.text)
    r = await system.review.put(f"/api/v1/reviews/{uuid.uuid4()}/items/C07.4", json={"result": "pass"}, headers=headers)
    assert r.status_code == 404
    # Every judgement is in the audit, with who, what, before, after, comment and request id.
    r = await system.review.get(f"/api/v1/reviews/{rid}/audit", headers={**headers, "X-Request-ID": "t-audit"})
    assert r.status_code == 200
    judged = [a for a in r.json() if a["action"] == "judge_item"]
    assert [(a["item_code"], a["before"], a["after"]) for a in judged] == [
        ("C07.5", "pending", "pass"),
        ("C05.2", "pass", "pass"),
        ("C06.6", "pass", "fail"),
    ]
    assert judged[2]["comment"] == "问卷样本集中于一个社区，代表性不足"
    assert all(a["actor"] and a["at"] and a["request_id"] for a in judged)
    r = await system.review.get(f"/api/v1/reviews/{rid}/audit", headers=await system.auth("jx.zjj.filer"))
    assert r.status_code == 403


async def test_decision_waits_for_every_pending_item(system: System, registry_front: RegistryFront) -> None:
    review = await open_review(system, handoff())
    headers = await system.auth("jx.reviewer")
    r = await system.decide_review(review['id'], {}, headers)
    assert r.status_code == 409
    problem = r.json()
    assert problem["code"] == "review.manual_items_pending"
    assert {i["code"] for i in problem["items"]} == MANUAL
    assert "待判定" in problem["detail"]
    r = await system.review.get(f"/api/v1/reviews/{review['id']}", headers=headers)
    assert r.json()["status"] == "pending" and r.json()["verdict"] is None
    assert await _outbox(system, review["id"]) and all(m.payload["event"] == "opened" for m in await _outbox(system, review["id"]))


async def test_decision_approved(system: System, registry_front: RegistryFront) -> None:
    review = await judge_all_pending(system, await open_review(system, handoff()))
    headers = await system.auth("jx.reviewer")
    assert review["provisional_verdict"] == "approved"
    r = await system.decide_review(review['id'], {"rectification_deadline": "2099-01-01"}, headers)
    assert r.status_code == 422 and r.json()["code"] == "review.deadline_not_applicable"
    r = await system.decide_review(review['id'], {"comment": "同意备案"}, headers)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["status"] == "decided" and decided["verdict"] == "approved" and decided["score"] == 100
    assert decided["rectification_deadline"] is None
    assert decided["document_number"].endswith("号") and "〔" in decided["document_number"]
    messages = await _outbox(system, review["id"])
    events = {(m.destination, m.payload.get("event")) for m in messages}
    assert ("intake", "decided") in events
    perf = [m for m in messages if m.destination == "registry"]
    assert len(perf) == 1 and perf[0].path == f"/api/v1/agencies/{samples.AGENCY_ID}/performance"
    assert perf[0].payload["verdict"] == "approved" and perf[0].payload["score"] == 100
    # Deciding twice, or judging after the decision: 409.
    r = await system.decide_review(review['id'], {}, headers)
    assert r.status_code == 409 and r.json()["code"] == "review.already_decided"
    r = await system.review.put(f"/api/v1/reviews/{review['id']}/items/C07.5", json={"result": "fail"}, headers=headers)
    assert r.status_code == 409
    assert len(await _outbox(system, review["id"])) == len(messages)


async def test_decision_revision_default_deadline_and_score(system: System, registry_front: RegistryFront) -> None:
    data = report()
    data["filing_form"]["sealed"] = False  # C01.4, general
    review = await open_review(system, handoff(rep=data))
    assert items_by_code(review)["C01.4"]["result"] == "fail"
    review = await judge_all_pending(system, review)
    r = await system.decide_review(review['id'], {}, await system.auth("jx.reviewer"))
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["verdict"] == "returned_for_revision"
    assert decided["score"] == 97.5  # C01 has 4 items: one failed costs 2.5 of its 10 points
    decided_on = dt.date.fromisoformat(decided["decided_at"][:10])
    deadline = dt.date.fromisoformat(decided["rectification_deadline"])
    assert (deadline - decided_on).days in (30, 31)  # 30 days in China's calendar
    intake_msg = next(m for m in await _outbox(system, review["id"]) if m.payload.get("event") == "decided")
    assert intake_msg.payload["failed_items"] == [{"code": "C01.4", "category_code": "C01"}]
    assert intake_msg.payload["verdict"] == "returned_for_revision"
    assert intake_msg.payload["rectification_deadline"] == decided["rectification_deadline"]


async def test_decision_reassessment_with_a_given_deadline(system: System, registry_front: RegistryFront) -> None:
    data = report()
    data["procedure"]["public_notice"]["end"] = "2026-03-11"  # C05.2, critical
    review = await judge_all_pending(system, await open_review(system, handoff(rep=data)))
    headers = await system.auth("jx.reviewer")
    r = await system.decide_review(review['id'], {"rectification_deadline": "2020-01-01"}, headers)
    assert r.status_code == 422 and r.json()["code"] == "review.deadline_in_past"
    r = await system.decide_review(review['id'], {"rectification_deadline": "not a date"}, headers)
    assert r.status_code == 422
    r = await system.review.get(f"/api/v1/reviews/{review['id']}", headers=headers)
    assert r.json()["status"] == "pending"
    deadline = (dt.date.today() + dt.timedelta(days=45)).isoformat()
    r = await system.decide_review(review['id'], {"rectification_deadline": deadline}, headers)
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "returned_for_reassessment"
    assert r.json()["rectification_deadline"] == deadline


async def test_default_reassessment_deadline_is_60_days(system: System, registry_front: RegistryFront) -> None:
    data = report()
    data["consultations"] = [c for c in data["consultations"] if c["group"] != "key_populations"]  # C06.2 critical
    review = await judge_all_pending(system, await open_review(system, handoff(rep=data)))
    r = await system.decide_review(review['id'], {}, await system.auth("jx.reviewer"))
    decided = r.json()
    assert decided["verdict"] == "returned_for_reassessment"
    days = (dt.date.fromisoformat(decided["rectification_deadline"]) - dt.date.fromisoformat(decided["decided_at"][:10])).days
    assert days in (60, 61)


async def test_second_round_shows_what_changed(system: System, registry_front: RegistryFront) -> None:
    pid = str(uuid.uuid4())
    first = report()
    first["procedure"]["public_notice"]["end"] = "2026-03-11"
    r1 = await open_review(system, handoff(pid, 1, rep=first))
    assert r1["changes_since_previous"] is None
    r1 = await judge_all_pending(system, r1)
    r = await system.decide_review(r1['id'], {}, await system.auth("jx.reviewer"))
    assert r.status_code == 200
    second = report()
    second["overview"]["affected_population"] = 4000
    r2 = await open_review(system, handoff(pid, 2, rep=second))
    changes = r2["changes_since_previous"]
    assert changes["previous_review_id"] == r1["id"] and changes["previous_round"] == 1
    assert {"code": "C05.2", "title": "依规公开公示", "before": "fail", "after": "pass"} in changes["flipped_items"]
    paths = {c["path"]: c for c in changes["changed_fields"]}
    assert paths["procedure.public_notice.end"]["before"] == "2026-03-11"
    assert paths["procedure.public_notice.end"]["after"] == "2026-03-18"
    assert paths["overview.affected_population"]["after"] == 4000
    assert len(paths) == 2
    # The same through GET.
    r = await system.review.get(f"/api/v1/reviews/{r2['id']}", headers=await system.auth("jx.zjj.filer"))
    assert r.json()["changes_since_previous"]["flipped_items"] == changes["flipped_items"]


async def test_region_config_is_recorded_and_later_versions_do_not_change_a_review(system: System, registry_front: RegistryFront) -> None:
    # 330402 (南湖区) belongs to this test: notice_days 11 fails the sample's 10-day notice.
    sup = await system.auth("jx.supervisor")
    r = await system.review.put(
        "/api/v1/region-configs/330402",
        json={"overrides": {"notice_days": 11, "reassessment_deadline_days": 45}},
        headers=sup,
    )
    assert r.status_code == 200
    v = r.json()["version"]
    old = await open_review(system, handoff(region_code="330402"))
    assert old["config_source"] == {"region_code": "330402", "version": v}
    assert items_by_code(old)["C05.2"]["result"] == "fail"
    r = await system.review.put("/api/v1/region-configs/330402", json={"overrides": {"notice_days": 5}}, headers=sup)
    assert r.status_code == 200
    r = await system.review.get(f"/api/v1/reviews/{old['id']}", headers=sup)
    assert items_by_code(r.json())["C05.2"]["result"] == "fail"
    assert r.json()["config_source"] == {"region_code": "330402", "version": v}
    new = await open_review(system, handoff(region_code="330402"))
    assert items_by_code(new)["C05.2"]["result"] == "pass"
    assert new["config_source"] == {"region_code": "330402", "version": v + 1}
    # The old review is decided with the deadline of the configuration it was opened with.
    old = await judge_all_pending(system, old)
    r = await system.decide_review(old['id'], {}, await system.auth("jx.reviewer"))
    assert r.status_code == 200 and r.json()["verdict"] == "returned_for_reassessment"
    days = (dt.date.fromisoformat(r.json()["rectification_deadline"]) - dt.date.fromisoformat(r.json()["decided_at"][:10])).days
    assert days in (45, 46)
    r = await system.review.put("/api/v1/region-configs/330402", json={"overrides": {}}, headers=sup)
    assert r.status_code == 200


async def test_nearest_ancestor_config_applies_to_a_subregion(system: System, registry_front: RegistryFront) -> None:
    # 绍兴市 (330600) configured by the province's admin; a project in 越城区 (330602) uses it.
    admin = await system.auth("zj.admin")
    r = await system.review.put(
        "/api/v1/region-configs/330600", json={"overrides": {"notice_days": 11, "reassessment_deadline_days": 45}}, headers=admin
    )
    assert r.status_code == 200
    r = await system.review.get("/api/v1/region-configs/330602", headers=admin)
    assert r.json()["source_region_code"] == "330600" and r.json()["config"]["notice_days"] == 11
    review = await open_review(system, handoff(region_code="330602"))
    assert review["config_source"]["region_code"] == "330600"
    assert items_by_code(review)["C05.2"]["result"] == "fail"


async def test_decision_needs_the_current_etag(system: System, registry_front: RegistryFront) -> None:
    review = await judge_all_pending(system, await open_review(system, handoff()))
    headers = await system.auth("jx.reviewer")
    path = f"/api/v1/reviews/{review['id']}/decision"
    missing = await system.review.post(path, json={}, headers=headers)
    assert missing.status_code == 428 and missing.json()["code"] == "request.if_match_required"
    stale = await system.review.post(path, json={}, headers={**headers, "If-Match": '"0"'})
    assert stale.status_code == 412 and stale.json()["code"] == "request.stale_etag"
    still_open = await system.review.get(f"/api/v1/reviews/{review['id']}", headers=headers)
    assert still_open.json()["status"] != "decided"  # nothing was decided by the refused calls
    decided = await system.decide_review(review["id"], {}, headers)
    assert decided.status_code == 200
