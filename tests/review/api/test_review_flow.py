"""Opening, judging and deciding reviews through the API."""

from __future__ import annotations

from typing import Any

from review_kit import handoff, items_by_code, judge_all_pending, open_review


async def test_handoff_opens_a_review_with_all_45_items(system: Any, registry_front: Any) -> None:
    body = handoff()
    review = await open_review(system, body)
    assert len(review["items"]) == 45
    assert review["status"] == "pending"
    items = items_by_code(review)
    assert all(items[c]["result"] != "pending" for c in items if items[c]["mode"] == "auto"), [
        (c, i["result"], i["evidence"]) for c, i in items.items() if i["result"] == "pending"
    ]
    failed = [(c, i["evidence"]) for c, i in items.items() if i["result"] == "fail"]
    assert failed == []
    review = await judge_all_pending(system, review)
    r = await system.review.post(
        f"/api/v1/reviews/{review['id']}/decision", json={}, headers=await system.auth("jx.reviewer")
    )
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "approved"
