"""The baseline of the HTTP load benchmark: bare FastAPI over raw asyncpg (or aiosqlite) on
intake's own tables, with the same statements Wenping issues (the same columns: ProjectPublic's,
and for the GET whether the project has warning flags) — no auth, no ORM, no middleware, no
ledger, no idempotency record, no outbox. Started by bench/http_bench.py as a uvicorn process
(one worker, httptools like the services, and uvloop, its fastest loop):

    BARE_DSN=postgresql://postgres@127.0.0.1:5432/<db>  uvicorn bare_app:app --app-dir bench
    BARE_DSN=sqlite:////path/to/intake.db                uvicorn bare_app:app --app-dir bench

The list cursor has Wenping's format (wenping_shared.encode_cursor), so the harness can hand
both apps the same 20,000-rows-deep cursor.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

DSN = os.environ.get("BARE_DSN", "")
SQLITE = DSN.startswith("sqlite:")
BEIJING = dt.timezone(dt.timedelta(hours=8))
SQLITE_READERS = 4
#: The columns Wenping's reads select (intake's projects.repository.PUBLIC_COLUMNS: what ProjectPublic
#: shows), so both apps run the same statements; the GET adds the flags EXISTS, as Wenping's does.
PROJECT_COLUMNS = (
    "id, number, year, title, category, sub_kind, expected_participants, initiation, filing_batch, interests, "
    "affected_population, description, already_implemented, region_code, level, responsible_org_id, "
    "responsible_org_name, implementing_unit_name, implementing_org_id, assessor_kind, agency_id, agency_org_id, "
    "agency_name, commissioned_at, planned_decision_date, deadline, mandatory, mandatory_triggers, status, risk_level, "
    "decision_outcome, report_rounds, current_review_id, decision_list_id, designated_by_org_id, version, created_at, "
    "updated_at, filed_at, decided_at, closed_at, withdrawn_at"
)
FLAGGED = "EXISTS (SELECT 1 FROM risk_warning_flag WHERE risk_warning_flag.project_id = project.id) AS flagged"


class Database:
    """asyncpg pool, or on SQLite one writing connection and a few reading ones (WAL: reads run
    beside the writer, as with Wenping's read engine)."""

    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.lite: aiosqlite.Connection | None = None
        self.readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self.writer = asyncio.Lock()  # one transaction at a time on the one writing connection

    async def open(self) -> None:
        if SQLITE:
            self.lite = await aiosqlite.connect(DSN.removeprefix("sqlite:///"), isolation_level=None)
            self.lite.row_factory = aiosqlite.Row
            await self.lite.execute("PRAGMA journal_mode=WAL")
            await self.lite.execute("PRAGMA busy_timeout=5000")
            for _ in range(SQLITE_READERS):
                reader = await aiosqlite.connect(DSN.removeprefix("sqlite:///"), isolation_level=None)
                reader.row_factory = aiosqlite.Row
                await reader.execute("PRAGMA busy_timeout=5000")
                self.readers.put_nowait(reader)
        else:
            self.pool = await asyncpg.create_pool(DSN, min_size=10, max_size=20)

    async def close(self) -> None:
        if self.lite is not None:
            await self.lite.close()
            while not self.readers.empty():
                await self.readers.get_nowait().close()
        if self.pool is not None:
            await self.pool.close()

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        if self.lite is not None:
            reader = await self.readers.get()
            try:
                async with reader.execute(_qmarks(sql), args) as cursor:
                    return [dict(row) for row in await cursor.fetchall()]
            finally:
                self.readers.put_nowait(reader)
        assert self.pool is not None
        return [dict(row) for row in await self.pool.fetch(sql, *args)]


def _qmarks(sql: str) -> str:
    """asyncpg's numbered parameters ($1, $2, ...) as SQLite's qmarks, in the same order."""
    return re.sub(r"\$\d+", "?", sql)


db = Database()


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await db.open()
    yield
    await db.close()


app = FastAPI(lifespan=lifespan)


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


JSON_COLUMNS = ("interests", "mandatory_triggers")


def _row(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: _json(v) for k, v in row.items()}
    for name in JSON_COLUMNS:  # the driver gives JSON as text (no codecs here)
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out


def _bound(value: Any) -> Any:
    # SQLite stores naive UTC text (Wenping's UTCDateTime); asyncpg takes aware datetimes.
    if SQLITE and isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return value


def _subtree(code: str) -> tuple[str, str]:
    prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
    return prefix, prefix + "\uffff"


@app.get("/projects/{project_id}")
async def get_project(project_id: str) -> Response:
    rows = await db.fetch(f"SELECT {PROJECT_COLUMNS}, {FLAGGED} FROM project WHERE id = $1", project_id)
    if not rows:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return JSONResponse(_row(rows[0]))


@app.get("/projects")
async def list_projects(region_code: str, status: str | None = None, limit: int = 20, cursor: str | None = None) -> Response:
    low, high = _subtree(region_code)
    where = ["region_code >= $1", "region_code < $2"]
    args: list[Any] = [low, high]
    if status:
        args.append(status)
        where.append(f"status = ${len(args)}")
    if cursor:
        created, last_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        args += [_bound(dt.datetime.fromisoformat(created["dt"])), last_id]
        where.append(f"(created_at, id) < (${len(args) - 1}, ${len(args)})")
    args.append(limit + 1)
    rows = await db.fetch(
        f"SELECT {PROJECT_COLUMNS} FROM project WHERE {' AND '.join(where)} "
        f"ORDER BY created_at DESC, id DESC LIMIT ${len(args)}", *args,
    )
    return JSONResponse({"items": [_row(r) for r in rows[:limit]], "more": len(rows) > limit})


@app.post("/projects", status_code=201)
async def file_project(request: Request) -> Response:
    """The numbered INSERT: bump the (region, year) counter and insert the project, one transaction."""
    body = await request.json()
    region, org = body["region_code"], body["org_id"]
    now = dt.datetime.now(dt.UTC)
    year = now.astimezone(BEIJING).year
    pid = str(uuid.uuid4())
    bump = "UPDATE project_number_counter SET last_seq = last_seq + 1 WHERE region_code = $1 AND year = $2 RETURNING last_seq"
    insert = (
        "INSERT INTO project (id, number, year, seq, title, category, initiation, filing_batch, interests, "
        "already_implemented, region_code, level, responsible_org_id, assessor_kind, mandatory, mandatory_triggers, "
        "status, report_rounds, created_by, version, created_at, updated_at, ledger_seq) VALUES "
        "($1, $2, $3, $4, $5, $6, 'initiation', 'ad_hoc', '[]', false, $7, 'county', $8, 'self', false, '[]', "
        "'draft', 0, 'bare', 1, $9, $10, 0)"
    )
    if db.lite is not None:
        async with db.writer:
            await db.lite.execute("BEGIN IMMEDIATE")
            try:
                async with db.lite.execute(_qmarks(bump), (region, year)) as cursor:
                    seq = (await cursor.fetchone())[0]  # type: ignore[index]
                number = f"WP-{region}-{year}-{seq:05d}"
                await db.lite.execute(_qmarks(insert), (pid, number, year, seq, body["title"], body["category"], region, org,
                                                        _bound(now), _bound(now)))
                await db.lite.execute("COMMIT")
            except BaseException:
                await db.lite.execute("ROLLBACK")
                raise
    else:
        assert db.pool is not None
        async with db.pool.acquire() as conn, conn.transaction():
            seq = await conn.fetchval(bump, region, year)
            number = f"WP-{region}-{year}-{seq:05d}"
            await conn.execute(insert, pid, number, year, seq, body["title"], body["category"], region, org, now, now)
    return JSONResponse({"id": pid, "number": number, "status": "draft"}, status_code=201)


@app.get("/stats/summary")
async def stats_summary(region_code: str) -> Response:
    """The three GROUP BY statements of intake's statistics, folded per status/category/reason."""
    low, high = _subtree(region_code)
    today = dt.datetime.now(BEIJING).date()
    facets = await db.fetch(
        "SELECT region_code, year, status, count(*) AS n, sum(CASE WHEN filed_at IS NOT NULL THEN 1 ELSE 0 END) AS filed, "
        "sum(CASE WHEN deadline < $3 THEN 1 ELSE 0 END) AS overdue, sum(report_rounds) AS rounds, "
        "sum(CASE WHEN report_rounds > 0 THEN 1 ELSE 0 END) AS with_rounds, "
        "sum(CASE WHEN deadline IS NOT NULL AND approved_on IS NOT NULL THEN 1 ELSE 0 END) AS timed, "
        "sum(CASE WHEN approved_on <= deadline THEN 1 ELSE 0 END) AS on_time "
        "FROM project WHERE region_code >= $1 AND region_code < $2 GROUP BY region_code, year, status",
        low, high, today.isoformat() if SQLITE else today,
    )
    kinds = await db.fetch(
        "SELECT region_code, year, category, initiation, risk_level, count(*) AS n FROM project "
        "WHERE region_code >= $1 AND region_code < $2 GROUP BY region_code, year, category, initiation, risk_level",
        low, high,
    )
    reasons = await db.fetch(
        "SELECT region_code, year, category_code, count(*) AS n, count(DISTINCT review_id) AS reviews FROM return_reason "
        "WHERE region_code >= $1 AND region_code < $2 GROUP BY region_code, year, category_code",
        low, high,
    )
    by_status: dict[str, int] = {}
    for f in facets:
        by_status[f["status"]] = by_status.get(f["status"], 0) + int(f["n"])
    by_category: dict[str, int] = {}
    for k in kinds:
        by_category[k["category"]] = by_category.get(k["category"], 0) + int(k["n"])
    by_reason: dict[str, int] = {}
    for r in reasons:
        by_reason[r["category_code"]] = by_reason.get(r["category_code"], 0) + int(r["n"])
    return JSONResponse({"total": sum(by_status.values()), "by_status": by_status, "by_category": by_category,
                         "return_reasons": by_reason})
