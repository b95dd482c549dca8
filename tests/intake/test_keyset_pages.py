"""Keyset pages as a row-value comparison, (created_at, id) < (x, y): walking a list page by page
returns every row once, in order, also across rows that share a creation instant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from intake_kit import Projects, tied_projects


async def test_pages_cover_every_row_once_in_order_across_equal_timestamps(system: Any, projects: Projects) -> None:
    # Five of them share one instant, so only the id breaks the tie.
    ids, projects_in_order = await tied_projects(system, projects, "zy.filer", dt.datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=dt.UTC))
    rows = [p.id for p in projects_in_order]
    seen = [item["id"] for item in await system.every_item("intake", "/api/v1/projects", await system.auth("zy.filer"), limit=2)]
    assert seen == list(rows)
    assert set(ids) <= set(seen) and len(seen) == len(set(seen))
