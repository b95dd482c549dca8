"""Keyset pages as a row-value comparison, (created_at, id) < (x, y): walking a list page by page
returns every row once, in order, also across rows that share a creation instant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from intake_kit import Projects
from sqlmodel import col, select, update

from wenping_intake.projects.models import Project


async def test_pages_cover_every_row_once_in_order_across_equal_timestamps(system: Any, projects: Projects) -> None:
    created = [await projects.create("zy.filer") for _ in range(7)]
    ids = [p["id"] for p in created]
    tie = dt.datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=dt.UTC)
    async with system.apps["intake"].state.sessionmaker() as session:
        # Five of them share one instant, so only the id breaks the tie.
        await session.exec(update(Project).where(col(Project.id).in_(ids[:5])).values(created_at=tie))  # type: ignore[call-overload]
        await session.commit()
        rows = (await session.exec(
            select(Project.id).where(col(Project.responsible_org_id) == created[0]["responsible_org_id"])
            .order_by(col(Project.created_at).desc(), col(Project.id).desc())
        )).all()
    headers = await system.auth("zy.filer")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await system.intake.get("/api/v1/projects", params=params, headers=headers)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(rows)
    assert set(ids) <= set(seen) and len(seen) == len(set(seen))
