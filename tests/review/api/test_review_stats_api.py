"""Return-reason statistics for a region subtree and period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from review_kit import RegistryFront, System, handoff, judge_all_pending, open_review, report


async def _decide(system: System, data: dict[str, Any], region: str, fail_manual: str | None = None) -> None:
    review = await open_review(system, handoff(rep=data, region_code=region))
    reviewer = await system.auth("jx.reviewer")
    if fail_manual:
        r = await system.review.put(
            f"/api/v1/reviews/{review['id']}/items/{fail_manual}", json={"result": "fail", "comment": "征求意见范围不广"}, headers=reviewer
        )
        review = r.json()
    review = await judge_all_pending(system, review)
    r = await system.decide_review(review['id'], {}, reviewer)
    assert r.status_code == 200, r.text


async def test_return_reasons_count_failed_categories_and_items(system: System, registry_front: RegistryFront) -> None:
    # 330411 (秀洲区) belongs to this test.
    narrow = report()
    narrow["consultations"] = [c for c in narrow["consultations"] if c["group"] != "key_populations"]  # C06.2
    unsealed = report()
    unsealed["filing_form"]["sealed"] = False  # C01.4
    await _decide(system, narrow, "330411")
    await _decide(system, narrow, "330411", fail_manual="C09.3")
    await _decide(system, unsealed, "330411")
    await _decide(system, report(), "330411")
    today = dt.date.today()
    params = {"region_code": "330411", "from": (today - dt.timedelta(days=2)).isoformat(), "to": (today + dt.timedelta(days=2)).isoformat()}
    r = await system.review.get("/api/v1/stats/return-reasons", params=params, headers=await system.auth("jx.supervisor"))
    assert r.status_code == 200, r.text
    stats = r.json()
    assert stats["decided_reviews"] == 4 and stats["returned_reviews"] == 3
    items = {i["code"]: i for i in stats["items"]}
    assert items["C06.2"]["count"] == 2 and items["C06.2"]["title"] == "重点人群意见必听"
    assert items["C01.4"]["count"] == 1 and items["C09.3"]["count"] == 1
    assert stats["items"][0]["code"] == "C06.2"  # sorted by count
    cats = {c["code"]: c["count"] for c in stats["categories"]}
    assert cats["C06"] == 2 and cats["C01"] == 1 and cats["C09"] == 1
    assert stats["categories"][0] == {"code": "C06", "title": "意见征求（五必听）", "count": 2}
    # The city sees its subtree including 330411; a period before today sees nothing of it.
    r = await system.review.get("/api/v1/stats/return-reasons", params={"region_code": "330400"}, headers=await system.auth("jx.reviewer"))
    assert r.json()["decided_reviews"] >= 4
    r = await system.review.get(
        "/api/v1/stats/return-reasons", params={"region_code": "330411", "to": (today - dt.timedelta(days=3)).isoformat()},
        headers=await system.auth("jx.supervisor"),
    )
    assert r.json()["decided_reviews"] == 0 and r.json()["items"] == []


async def test_return_reasons_refusals(system: System) -> None:
    sup = await system.auth("jx.supervisor")
    r = await system.review.get("/api/v1/stats/return-reasons", params={"region_code": "620700"}, headers=sup)
    assert r.status_code == 404
    r = await system.review.get("/api/v1/stats/return-reasons", params={"from": "2026-05-01", "to": "2026-04-01"}, headers=sup)
    assert r.status_code == 400 and r.json()["code"] == "stats.invalid_period"
    r = await system.review.get("/api/v1/stats/return-reasons", params={"from": "yesterday"}, headers=sup)
    assert r.status_code == 422
    for user in ("jx.zjj.filer", "agency.jx", "zj.admin"):
        r = await system.review.get("/api/v1/stats/return-reasons", headers=await system.auth(user))
        assert r.status_code == 403, user
