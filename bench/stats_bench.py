"""Benchmark of GET /api/v1/stats/summary on a million projects, through the real intake app.

A scratch database (SQLite under a temporary folder by default; ``--postgresql``: a scratch
database on 127.0.0.1:5432, created and dropped) is migrated with the intake migrations and
bulk-loaded with 1,000,000 projects spread over the demo regions, an approved report round for
every project whose assessment completed (and the project's denormalised ``approved_on``), and
return reasons for the returned rounds. Rows are generated as tuples with sequential ids and
loaded with the table's secondary indexes dropped and rebuilt afterwards (the migration's own
DDL): SQLite — one executemany per batch; PostgreSQL — COPY; then the statistics tallies are
rebuilt from the rows with the tally migration's own backfill (a bulk load goes around the service,
which keeps them at every change), then VACUUM ANALYZE (so the visibility map allows index-only
scans, as autovacuum would in service). The summary is then requested in-process over ASGI with an
ES256 token signed by a throwaway key, for the province 330000, the city 330400 and the county
330421, as a reviewer of the province; median and p99 of 200 sequential runs after a warm-up.

Baselines measured in the same run: the same three summaries on a 10,000-project database built
the same way, and a GET /healthz round trip. The statements each summary issues are captured
(SQLAlchemy event listener on the engine GET requests read through) at 10k and 1M: the count must
not change; the captured province statements are EXPLAINed on the 1M database as issued. Bounded
(< 5 minutes per backend): fixed sizes and run counts. Writes bench/results/stats.json and stats.md
(a ``--postgresql`` run adds its section to the JSON and keeps the SQLite one).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import json
import math
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event

from wenping_intake.config import IntakeSettings
from wenping_intake.main import MIGRATIONS, create_app
from wenping_shared import TokenVerifier, upgrade_to_head
from wenping_shared.contracts.vocab import project_level_for_region
from wenping_shared.demo import REGIONS
from wenping_shared.tokens import generate_private_key_pem, public_jwk, sign

RESULTS = Path(__file__).parent / "results"
BIG = int(__import__("os").environ.get("STATS_BENCH_BIG", 1_000_000))  # smaller only to try the script
SMALL = 10_000
BATCH = 50_000
RUNS = 200  # enough for a p99 (the target is p99 <= 50 ms for the province)
HEALTH_RUNS = 200
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SCOPES = (("province", "330000"), ("city", "330400"), ("county", "330421"))
YEARS = (2022, 2023, 2024, 2025, 2026)
STATUSES = (
    ("draft", 4), ("filed", 6), ("assessing", 8), ("report_submitted", 3), ("under_review", 3), ("returned", 4),
    ("approved", 6), ("implement", 10), ("implement_with_measures", 12), ("deferred", 3), ("rejected", 3),
    ("tracking", 12), ("evaluated", 6), ("closed", 18), ("withdrawn", 2),
)
COMPLETED = {"approved", "implement", "implement_with_measures", "deferred", "rejected", "tracking", "evaluated", "closed"}
CATEGORIES = ("policy", "reform", "project", "event", "other")
CATEGORY_CODES = tuple(f"C{i:02d}" for i in range(1, 11))
BEIJING = dt.timedelta(hours=8)

#: The GROUP BY summary (covering indexes, before the tallies), 1M database, median ms, measured
#: 2026-11-24T05:2xZ at commit 6097816's predecessor (bench/results/stats.md of then).
BEFORE_TALLIES_1M_MS = {
    "sqlite": {"province": 536.7, "city": 377.9, "county": 74.9},
    "postgresql": {"province": 280.1, "city": 234.8, "county": 69.6},
}
#: The same benchmark before the covering indexes and the denormalised on-time/return-reason columns
#: (per-project correlated on-time subquery, reasons joined to projects): SQLite, 1M database,
#: median ms, measured 2026-11-24T04:54Z at commit bb3fa10 — kept for the comparison.
BEFORE_SQLITE_1M_MS = {"province": 9801.3, "city": 6491.0, "county": 1324.8}

PROJECT_COLUMNS = (
    "id", "number", "year", "seq", "title", "category", "initiation", "filing_batch", "interests",
    "already_implemented", "region_code", "level", "responsible_org_id", "assessor_kind", "mandatory",
    "mandatory_triggers", "status", "risk_level", "report_rounds", "created_by", "version", "created_at",
    "updated_at", "filed_at", "deadline", "approved_on", "ledger_seq",
)
ROUND_COLUMNS = (
    "id", "project_id", "round", "report", "submitted_at", "submitted_on", "submitted_by", "assessor_kind",
    "verdict", "decided_at",
)
REASON_COLUMNS = (
    "id", "project_id", "round", "review_id", "verdict", "item_code", "category_code", "region_code", "year",
    "decided_at",
)
Rows = list[tuple[Any, ...]]


def generate(n: int, seed: int) -> tuple[Rows, Rows, Rows]:
    """n projects over the demo regions, plus approved rounds and return reasons, as tuples in the
    column orders above (aware datetimes, dates; JSON as text). Ids are uuid-shaped and sequential."""
    rng = random.Random(seed)
    codes = [(code, project_level_for_region(code).value) for code, _, _ in REGIONS]
    statuses = [s for s, w in STATUSES for _ in range(w)]
    seqs: dict[tuple[str, int], int] = {}
    projects: Rows = []
    rounds: Rows = []
    reasons: Rows = []
    base = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    day, one_day = dt.timedelta(days=1), dt.timedelta(days=1)
    choice, randrange, sample, rand = rng.choice, rng.randrange, rng.sample, rng.random
    reason_seq = 0
    for i in range(n):
        code, level = choice(codes)
        year = choice(YEARS)
        seq = seqs[(code, year)] = seqs.get((code, year), 0) + 1
        status = choice(statuses)
        created = base + dt.timedelta(days=(year - 2022) * 365 + randrange(300), seconds=randrange(86400))
        deadline = (created + day * randrange(30, 120)).date() if rand() < 0.85 else None
        completed = status in COMPLETED
        n_rounds = choice((1, 1, 1, 2, 2, 3)) if completed or status in ("returned", "under_review") else 0
        pid = f"{i:08x}-0000-4000-8000-{seed:012x}"
        approved_on = None
        if completed:
            approved = created + day * randrange(20, 130)
            approved_on = (approved + BEIJING).date()
            rounds.append((
                f"{i:08x}-0001-4000-8000-{seed:012x}", pid, n_rounds, "{}", approved, approved.date(), "bench", "self",
                "approved", approved,
            ))
        projects.append((
            pid, f"WP-{code}-{year}-{seq:05d}", year, seq, f"压测项目 {code}-{year}-{seq}", choice(CATEGORIES),
            "initiation", "ad_hoc", "[]", False, code, level, f"org-{code}", "self", False, "[]", status,
            choice(("low", "medium", "high")) if completed else None, n_rounds, "bench", 1, created, created,
            None if status == "draft" else created + one_day, deadline, approved_on, 0,
        ))
        for r in range(1, n_rounds if completed else n_rounds + 1):
            review_id = f"rv-{pid}-{r}"
            for item in sample(CATEGORY_CODES, choice((1, 1, 2))):
                reason_seq += 1
                reasons.append((
                    f"{reason_seq:08x}-0002-4000-8000-{seed:012x}", pid, r, review_id, "returned_for_revision",
                    f"{item}.1", item, code, year, created + day * (10 * r),
                ))
    return projects, rounds, reasons


def _sqlite_value(value: Any) -> Any:
    # What the column types store on SQLite: naive UTC text, ISO dates.
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


TEMPORAL = {"created_at", "updated_at", "filed_at", "deadline", "approved_on", "submitted_at", "submitted_on", "decided_at"}


def _sqlite_rows(rows: Rows, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    convert = [i for i, c in enumerate(columns) if c in TEMPORAL]
    out = []
    for row in rows:
        values = list(row)
        for i in convert:
            if values[i] is not None:
                values[i] = _sqlite_value(values[i])
        out.append(tuple(values))
    return out


TABLES = (("project", PROJECT_COLUMNS), ("report_round", ROUND_COLUMNS), ("return_reason", REASON_COLUMNS))
TALLY_MIGRATION = Path(MIGRATIONS) / "versions" / "b7a11e5d0c01_statistics_tallies.py"


def tally_backfill(dialect: str) -> list[str]:
    """The statements that rebuild the statistics tallies from the rows just loaded: the tally
    migration's own backfill (the service keeps them at every change; a bulk load goes around it)."""
    spec = importlib.util.spec_from_file_location("tally_migration", TALLY_MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    statements: list[str] = module.backfill_statements(dialect)
    return statements


def load_sqlite(path: Path, n: int, seed: int) -> dict[str, Any]:
    """Migrate a fresh database and bulk-insert n projects; timings in seconds."""
    url = f"sqlite+aiosqlite:///{path}"
    started = time.perf_counter()
    upgrade_to_head(MIGRATIONS, url)
    migrated = time.perf_counter()
    data = generate(n, seed)
    generated = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")  # a rollback journal for the load (WAL would copy every page twice)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")  # 1 GB page cache while the indexes are built
    conn.execute("BEGIN")
    for (table, columns), rows in zip(TABLES, data, strict=True):
        ddl = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL", (table,)
        ).fetchall()
        for name, _ in ddl:
            conn.execute(f"DROP INDEX {name}")
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        for i in range(0, len(rows), BATCH):
            conn.executemany(sql, _sqlite_rows(rows[i : i + BATCH], columns))
        for _, create in ddl:
            conn.execute(create)
    for statement in tally_backfill("sqlite"):
        conn.execute(statement)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")  # as the service runs it
    conn.close()
    inserted = time.perf_counter()
    return _load_figures(data, started, migrated, generated, inserted)


def _load_figures(data: tuple[Rows, Rows, Rows], started: float, migrated: float, generated: float, inserted: float) -> dict[str, Any]:
    projects, rounds, reasons = data
    return {
        "projects": len(projects), "report_rounds": len(rounds), "return_reasons": len(reasons),
        "migrate_s": round(migrated - started, 2), "generate_s": round(generated - migrated, 2),
        "insert_s": round(inserted - generated, 2),
        "insert_rows_per_s": round((len(projects) + len(rounds) + len(reasons)) / (inserted - generated)),
    }


async def bulk_copy(conn: asyncpg.Connection, table: str, columns: Sequence[str], records: Iterable[Sequence[Any]]) -> None:
    """COPY rows into a PostgreSQL table with its secondary indexes (not those behind primary-key or
    unique constraints) dropped first and rebuilt after: one index build instead of a million inserts."""
    ddl = await conn.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint)", table,
    )
    for row in ddl:
        await conn.execute(f'DROP INDEX "{row["indexname"]}"')
    await conn.copy_records_to_table(table, records=records, columns=list(columns))
    for row in ddl:
        await conn.execute(row["indexdef"])


async def load_postgresql(database: str, n: int, seed: int) -> dict[str, Any]:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    started = time.perf_counter()
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    migrated = time.perf_counter()
    data = await asyncio.to_thread(generate, n, seed)
    generated = time.perf_counter()
    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")
    try:
        for (table, columns), rows in zip(TABLES, data, strict=True):
            await bulk_copy(conn, table, columns, rows)
        for statement in tally_backfill("postgresql"):
            await conn.execute(statement)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    inserted = time.perf_counter()
    return _load_figures(data, started, migrated, generated, inserted)


async def measure(url: str, data_dir: Path, key_pem: bytes, jwk: dict[str, Any]) -> dict[str, Any]:
    settings = IntakeSettings(database_url=url, data_dir=data_dir, environment="test", log_level="WARNING")
    app = create_app(settings)

    async def keys(kid: str) -> dict[str, Any] | None:
        return jwk if kid == jwk["kid"] else None

    now = int(time.time())
    token = sign({
        "iss": settings.jwt_issuer, "aud": ["intake"], "sub": "bench-reviewer", "roles": ["reviewer"],
        "region_code": "330000", "org_id": "bench-org", "iat": now, "nbf": now - 5, "exp": now + 3600, "jti": uuid.uuid4().hex,
    }, key_pem, jwk["kid"])
    headers = {"Authorization": f"Bearer {token}"}
    out: dict[str, Any] = {}
    async with LifespanManager(app) as managed:
        app.state.token_verifier = TokenVerifier(keys, issuer=settings.jwt_issuer, audience="intake")
        engine = app.state.runtime.read_engine.sync_engine  # GET requests read through it
        statements: list[tuple[str, Any]] = []

        def on_execute(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
            statements.append((statement, parameters))

        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=managed.app), base_url="http://intake.bench") as client:
            health = []
            for _ in range(HEALTH_RUNS):
                t = time.perf_counter()
                (await client.get("/healthz")).raise_for_status()
                health.append((time.perf_counter() - t) * 1000)
            out["healthz_median_ms"] = round(statistics.median(health), 3)
            for name, code in SCOPES:
                response = await client.get("/api/v1/stats/summary", params={"region_code": code}, headers=headers)
                response.raise_for_status()  # warm-up (and the figures, for the record)
                body = response.json()
                times = []
                for _ in range(RUNS):
                    t = time.perf_counter()
                    (await client.get("/api/v1/stats/summary", params={"region_code": code}, headers=headers)).raise_for_status()
                    times.append((time.perf_counter() - t) * 1000)
                statements.clear()
                event.listen(engine, "before_cursor_execute", on_execute)
                (await client.get("/api/v1/stats/summary", params={"region_code": code}, headers=headers)).raise_for_status()
                event.remove(engine, "before_cursor_execute", on_execute)
                # The outbox relay may poll meanwhile: count only this request's reads.
                reads = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT") and "outbox_message" not in s]
                out[name] = {
                    "region_code": code, "projects_in_scope": body["total"], "runs": RUNS,
                    "median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
                    "p99_ms": round(sorted(times)[math.ceil(0.99 * len(times)) - 1], 1),
                    "max_ms": round(max(times), 1), "statements": len(reads),
                    "figures": {k: body[k] for k in ("filed", "completed", "deferred", "rejected", "overdue")}
                    | {"on_time_rate": body["on_time"]["rate"], "average_rounds": body["review_rounds"]["average"]},
                }
                if name == "province":
                    out["_province_statements"] = reads
    return out


QUERY_NAMES = ("tallies (status with on-time and rounds, category, initiation, risk level)", "overdue (due months and this month's days)", "return reason tallies")


def plans_sqlite(path: Path, statements: list[tuple[str, Any]]) -> dict[str, list[str]]:
    """SQLite's plan for each statement the province summary issued, with its parameters."""
    conn = sqlite3.connect(path)
    out = {name: [str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)] for name, (sql, params) in zip(QUERY_NAMES, statements, strict=True)}
    conn.close()
    return out


async def plans_postgresql(database: str, statements: list[tuple[str, Any]]) -> dict[str, list[str]]:
    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")
    try:
        out = {}
        for name, (sql, params) in zip(QUERY_NAMES, statements, strict=True):
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF, SUMMARY OFF) " + sql, *params)
            out[name] = [r[0].strip() for r in rows]
        return out
    finally:
        await conn.close()


def summarise(backend: str, database: str, load: dict[str, Any], small: dict[str, Any], big: dict[str, Any], plans: dict[str, list[str]], started: float) -> dict[str, Any]:
    small.pop("_province_statements", None)
    big.pop("_province_statements", None)
    return {
        "backend": backend,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.platform()} (Python {platform.python_version()})",
        "database": database,
        "load": load,
        "baseline_10k": small,
        "one_million": big,
        "ratios_1M_over_10k": {name: round(big[name]["median_ms"] / small[name]["median_ms"], 1) for name, _ in SCOPES},
        "ratios_1M_over_healthz": {name: round(big[name]["median_ms"] / big["healthz_median_ms"], 1) for name, _ in SCOPES},
        "statements_constant": all(big[n]["statements"] == small[n]["statements"] for n, _ in SCOPES),
        "query_plans_1M_province": plans,
        "total_s": round(time.perf_counter() - started, 1),
    }


async def run_sqlite(key_pem: bytes, jwk: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wenping-stats-bench-") as tmp:
        small_db, big_db = Path(tmp) / "small.db", Path(tmp) / "big.db"
        small_load = await asyncio.to_thread(load_sqlite, small_db, SMALL, 1)
        print(f"[stats] sqlite: loaded {SMALL:,} projects: {small_load}", flush=True)
        big_load = await asyncio.to_thread(load_sqlite, big_db, BIG, 2)
        print(f"[stats] sqlite: loaded {BIG:,} projects: {big_load}", flush=True)
        small = await measure(f"sqlite+aiosqlite:///{small_db}", Path(tmp) / "data", key_pem, jwk)
        big = await measure(f"sqlite+aiosqlite:///{big_db}", Path(tmp) / "data", key_pem, jwk)
        plans = await asyncio.to_thread(plans_sqlite, big_db, big["_province_statements"])
    return summarise(
        "sqlite", "SQLite (aiosqlite), WAL, migrated with the intake migrations",
        {"10k": small_load, "1M": big_load}, small, big, plans, started,
    )


async def run_postgresql(key_pem: bytes, jwk: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    suffix = uuid.uuid4().hex[:8]
    small_db, big_db = f"wenping_stats_bench_small_{suffix}", f"wenping_stats_bench_big_{suffix}"
    admin = await asyncpg.connect(PG_ADMIN)
    version = await admin.fetchval("SHOW server_version")
    try:
        for db in (small_db, big_db):
            await admin.execute(f"CREATE DATABASE {db}")
        small_load = await load_postgresql(small_db, SMALL, 1)
        print(f"[stats] postgresql: loaded {SMALL:,} projects: {small_load}", flush=True)
        big_load = await load_postgresql(big_db, BIG, 2)
        print(f"[stats] postgresql: loaded {BIG:,} projects: {big_load}", flush=True)
        with tempfile.TemporaryDirectory(prefix="wenping-stats-bench-") as tmp:
            small = await measure(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{small_db}", Path(tmp), key_pem, jwk)
            big = await measure(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{big_db}", Path(tmp), key_pem, jwk)
        plans = await plans_postgresql(big_db, big["_province_statements"])
    finally:
        for db in (small_db, big_db):
            await admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        await admin.close()
    return summarise(
        "postgresql", f"PostgreSQL {version} (asyncpg) on 127.0.0.1, scratch databases, migrated with the intake "
        "migrations, VACUUM ANALYZE after the load", {"10k": small_load, "1M": big_load}, small, big, plans, started,
    )


async def main(argv: list[str]) -> int:
    key_pem = generate_private_key_pem()
    jwk = public_jwk(key_pem)
    runner: Callable[..., Any] = run_postgresql if "--postgresql" in argv else run_sqlite
    result = await runner(key_pem, jwk)
    path = RESULTS / "stats.json"
    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results: dict[str, Any] = {"benchmark": "GET /api/v1/stats/summary"}
    for backend in ("sqlite", "postgresql"):
        if backend == result["backend"]:
            results[backend] = result
        elif isinstance(previous.get(backend), dict):
            results[backend] = previous[backend]
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "stats.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0 if result["statements_constant"] else 1


def markdown(results: dict[str, Any]) -> str:
    lines = ["# Statistics benchmark (GET /api/v1/stats/summary)", ""]
    for backend in ("sqlite", "postgresql"):
        r = results.get(backend)
        if not r:
            continue
        big_load = r["load"]["1M"]
        lines += [
            f"## {backend}",
            "",
            f"Measured {r['measured_at']} on {r['machine']}. {r['database']}; the real intake app in-process over ASGI,",
            f"ES256 token of a province reviewer (330000); median and p99 of {r['one_million']['province'].get('runs', RUNS)} "
            "sequential runs after a warm-up.",
            "",
            f"Load of 1M: {big_load['projects']:,} projects + {big_load['report_rounds']:,} approved rounds + "
            f"{big_load['return_reasons']:,} return reasons: generated in {big_load['generate_s']} s, inserted (indexes "
            f"rebuilt) in {big_load['insert_s']} s ({big_load['insert_rows_per_s']:,} rows/s).",
            "",
            "| scope | projects in scope (10k db) | median ms (10k db) | projects in scope (1M db) | median ms (1M db) | p99 ms (1M db) | ratio 1M/10k | ratio to /healthz | SELECTs 10k / 1M | GROUP BY summary (1M) ms | speed-up |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, code in SCOPES:
            s, b = r["baseline_10k"][name], r["one_million"][name]
            before = BEFORE_TALLIES_1M_MS[backend][name]
            lines.append(
                f"| {name} {code} | {s['projects_in_scope']:,} | {s['median_ms']} | {b['projects_in_scope']:,} | {b['median_ms']} | "
                f"{b.get('p99_ms', '—')} | {r['ratios_1M_over_10k'][name]}x | {r['ratios_1M_over_healthz'][name]}x | "
                f"{s['statements']} / {b['statements']} | {before} | {round(before / b['median_ms'], 1)}x |"
            )
        lines += [
            "",
            f"- GET /healthz round trip (baseline): {r['one_million']['healthz_median_ms']} ms median.",
            "- GROUP BY summary: the same benchmark before the tallies (three GROUP BY statements over covering "
            "indexes per request, 2026-11-24)."
            + (f" Before those, at commit bb3fa10: province {BEFORE_SQLITE_1M_MS['province']} ms." if backend == "sqlite" else ""),
            f"- Statements per summary constant from 10k to 1M: {'yes' if r['statements_constant'] else 'NO'}.",
            "- Query plans on the 1M database, the province summary's statements as issued:",
        ]
        for name, plan in r["query_plans_1M_province"].items():
            lines.append(f"  - {name}: " + "; ".join(plan))
        lines += [f"- Whole benchmark: {r['total_s']} s.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
