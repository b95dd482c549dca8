"""Report drafts, kept in the portal's own small SQLite file.

Why here and not in the session: a report is written over days, by several assessors of the
same agency, across sign-outs and restarts of the portal; a session lasts hours and belongs to
one person. Why not in intake: the API accepts only submitted rounds, and a draft is nobody's
business but its agency's until then. One row per (project, organisation), the report as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from ..storage import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS report_draft (
    project_id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    report TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (project_id, org_id)
)
"""


@dataclass
class Draft:
    project_id: str
    org_id: str
    report: dict[str, Any]
    updated_at: str | None
    updated_by: str | None


class DraftStore(SqliteFile):
    SCHEMA = (_SCHEMA,)

    async def get(self, project_id: str, org_id: str) -> Draft | None:
        async with self.db.execute(
            "SELECT report, updated_at, updated_by FROM report_draft WHERE project_id = ? AND org_id = ?",
            (project_id, org_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return Draft(project_id, org_id, json.loads(row[0]), row[1], row[2])

    async def save(self, project_id: str, org_id: str, report: dict[str, Any], username: str) -> Draft:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        await self.db.execute(
            "INSERT INTO report_draft (project_id, org_id, report, updated_at, updated_by) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (project_id, org_id) DO UPDATE SET report = excluded.report, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            (project_id, org_id, json.dumps(report, ensure_ascii=False), now, username),
        )
        await self.db.commit()
        return Draft(project_id, org_id, report, now, username)
