"""The review side of the demo history: decided reviews behind intake's seeded rounds."""

from __future__ import annotations

from review_kit import System
from sqlalchemy import func
from sqlmodel import select

from wenping_review.reviews.models import Review
from wenping_review.seed import seed_reviews
from wenping_shared.demo import demo_id


async def test_seeded_reviews_match_intakes_history(system: System) -> None:
    project_id = demo_id("project", "jx-marathon")
    review_id = demo_id("review", f"{project_id}-1")
    reviewer = await system.auth("jx.reviewer")
    review = await system.review.get(f"/api/v1/reviews/{review_id}", headers=reviewer)
    assert review.status_code == 200, review.text
    body = review.json()
    assert body["verdict"] == "returned_for_revision" and body["score"] == 96.33
    failed = sorted(i["code"] for i in body["items"] if i["result"] == "fail")
    assert failed == ["C06.6", "C09.3"]  # the items intake's seed records as the return reasons
    letter = await system.review.get(f"/api/v1/reviews/{review_id}/feedback.txt", headers=reviewer)
    assert letter.status_code == 200 and "征求意见范围不广" in letter.text
    # The intake project's round points at this review.
    rounds = await system.intake.get(f"/api/v1/projects/{project_id}/reports", headers=reviewer)
    assert review_id in {r["review_id"] for r in rounds.json()}
    # Another province's reviewer does not see it.
    other = await system.review.get(f"/api/v1/reviews/{review_id}", headers=await system.auth("zy.reviewer"))
    assert other.status_code == 404


async def test_return_reason_statistics_show_the_seed_on_day_one(system: System) -> None:
    response = await system.review.get("/api/v1/stats/return-reasons", params={"region_code": "620700"},
                                       headers=await system.auth("zy.reviewer"))
    assert response.status_code == 200, response.text
    assert "C05" in response.text and "C06" in response.text


async def test_seeding_again_adds_nothing(system: System) -> None:
    sessionmaker = system.apps["review"].state.sessionmaker
    async with sessionmaker() as session:
        before = (await session.exec(select(func.count()).select_from(Review))).one()
        await seed_reviews(session)
        await session.commit()
        after = (await session.exec(select(func.count()).select_from(Review))).one()
    assert after == before
