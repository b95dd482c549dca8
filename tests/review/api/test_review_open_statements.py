"""Opening a review costs a fixed set of statements (bench/review_bench.py's open-review target):
the review is inserted without first asking whether the round has one, and a repeated hand-off
still answers the stored review."""

from __future__ import annotations

from typing import Any

from review_kit import System, handoff, open_review
from sqlalchemy import event


def _review_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("SELECT") and " FROM review " in s]


async def test_a_new_review_is_inserted_without_reading_the_round_first(system: System) -> None:
    engine = system.apps["review"].state.runtime.engine.sync_engine
    statements: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    body = handoff()
    event.listen(engine, "before_cursor_execute", note)
    try:
        review = await open_review(system, body)
        first = list(statements)
        statements.clear()
        headers = await system.service_headers("intake", "review")
        again = await system.review.post("/api/v1/reviews", json=body, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert _review_reads(first) == []
    assert any(s.startswith("INSERT INTO review ") for s in first)
    # The repeat meets (project_id, round)'s unique key, rolls back and reads the stored review.
    assert again.status_code == 200 and again.json()["id"] == review["id"]
    assert _review_reads(statements)
