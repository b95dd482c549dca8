"""Benchmark of GET /api/v1/stats/summary on a million projects, through the real intake app.

A scratch SQLite database under a temporary folder is migrated with the intake migrations and
bulk-loaded (core ``insert()`` executemany, batches of 20,000, plain sync engine) with 1,000,000
projects spread over the demo regions, an approved report round for every project whose
assessment completed, and return reasons for the returned rounds. The summary is then requested
in-process over ASGI with an ES256 token signed by a throwaway key (the app's token verifier is
given that key), for the province 330000, the city 330400 and the county 330421, as a reviewer
of the province; median of several runs after a warm-up.

Baselines measured in the same run: the same three summaries on a 10,000-project database built
the same way, and a GET /healthz round trip. The statements each summary issues are counted
(SQLAlchemy event listener) at 10k and 1M: the count must not change. Bounded (< 5 minutes):
fixed sizes and run counts. Writes bench/results/stats.json and stats.md.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import create_engine, event, text

from wenping_intake.config import IntakeSettings
from wenping_intake.main import MIGRATIONS, create_app
from wenping_intake.projects.models import Project
from wenping_intake.reports.models import ReportRound, ReturnReason
from wenping_shared import TokenVerifier, upgrade_to_head
from wenping_shared.contracts.vocab import project_level_for_region
from wenping_shared.demo import REGIONS
from wenping_shared.tokens import generate_private_key_pem, public_jwk, sign

RESULTS = Path(__file__).parent / "results"
BIG = 1_000_000
SMALL = 10_000
BATCH = 20_000
RUNS = 3
HEALTH_RUNS = 200
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


def generate(n: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """n projects over the demo regions, plus approved rounds and return reasons."""
    rng = random.Random(seed)
    codes = [code for code, _, _ in REGIONS]
    statuses = [s for s, w in STATUSES for _ in range(w)]
    seqs: dict[tuple[str, int], int] = {}
    projects, rounds, reasons = [], [], []
    base = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    for _ in range(n):
        code = rng.choice(codes)
        year = rng.choice(YEARS)
        seq = seqs[(code, year)] = seqs.get((code, year), 0) + 1
        status = rng.choice(statuses)
        created = base + dt.timedelta(days=(year - 2022) * 365 + rng.randrange(300), seconds=rng.randrange(86400))
        deadline = (created + dt.timedelta(days=rng.randrange(30, 120))).date() if rng.random() < 0.85 else None
        completed = status in COMPLETED
        n_rounds = rng.choice((1, 1, 1, 2, 2, 3)) if completed or status in ("returned", "under_review") else 0
        pid = str(uuid.uuid4())
        projects.append({
            "id": pid, "number": f"WP-{code}-{year}-{seq:05d}", "year": year, "seq": seq,
            "title": f"压测项目 {code}-{year}-{seq}", "category": rng.choice(CATEGORIES), "initiation": "initiation",
            "filing_batch": "ad_hoc", "interests": [], "already_implemented": False,
            "region_code": code, "level": project_level_for_region(code).value, "responsible_org_id": f"org-{code}",
            "assessor_kind": "self", "mandatory": False, "mandatory_triggers": [], "status": status,
            "risk_level": rng.choice(("low", "medium", "high")) if completed else None,
            "report_rounds": n_rounds, "created_by": "bench", "version": 1, "created_at": created,
            "updated_at": created, "filed_at": None if status == "draft" else created + dt.timedelta(days=1),
            "deadline": deadline, "ledger_seq": 0,
        })
        if completed:
            approved = created + dt.timedelta(days=rng.randrange(20, 130))
            rounds.append({
                "id": str(uuid.uuid4()), "project_id": pid, "round": n_rounds, "report": {},
                "submitted_at": approved, "submitted_on": approved.date(), "submitted_by": "bench",
                "assessor_kind": "self", "verdict": "approved", "decided_at": approved,
            })
        for r in range(1, n_rounds if completed else n_rounds + 1):
            review_id = f"rv-{pid}-{r}"
            for item in rng.sample(CATEGORY_CODES, rng.choice((1, 1, 2))):
                reasons.append({
                    "id": str(uuid.uuid4()), "project_id": pid, "round": r, "review_id": review_id,
                    "verdict": "returned_for_revision", "item_code": f"{item}.1", "category_code": item,
                    "region_code": code, "decided_at": created + dt.timedelta(days=10 * r),
                })
    return projects, rounds, reasons


def _raw(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def load(path: Path, n: int, seed: int) -> dict[str, Any]:
    """Migrate a fresh database and bulk-insert n projects; timings in seconds."""
    url = f"sqlite+aiosqlite:///{path}"
    started = time.perf_counter()
    upgrade_to_head(MIGRATIONS, url)
    migrated = time.perf_counter()
    projects, rounds, reasons = generate(n, seed)
    generated = time.perf_counter()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:  # a rollback journal for the load (WAL would copy every page twice)
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-1000000")  # 1 GB page cache: the random-key indexes stay in memory
        for table, rows in ((Project.__table__, projects), (ReportRound.__table__, rounds), (ReturnReason.__table__, reasons)):  # type: ignore[attr-defined]
            # Bulk-load practice: drop the table's secondary indexes, insert, rebuild them (each
            # rebuilt index is the migration's own DDL, read back from sqlite_master).
            ddl = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL", (table.name,)
            ).all()
            for name, _ in ddl:
                conn.exec_driver_sql(f"DROP INDEX {name}")
            # One INSERT, executemany per batch; values pre-converted to what the column types store on
            # SQLite (naive UTC text, ISO dates, JSON text), so no per-value type processing.
            columns = list(rows[0]) if rows else []
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
            for i in range(0, len(rows), BATCH):
                conn.exec_driver_sql(sql, [tuple(_raw(r[c]) for c in columns) for r in rows[i : i + BATCH]])
            for _, create in ddl:
                conn.exec_driver_sql(create)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")  # as the service runs it
    engine.dispose()
    inserted = time.perf_counter()
    return {
        "projects": len(projects), "report_rounds": len(rounds), "return_reasons": len(reasons),
        "migrate_s": round(migrated - started, 2), "generate_s": round(generated - migrated, 2),
        "insert_s": round(inserted - generated, 2),
        "insert_rows_per_s": round((len(projects) + len(rounds) + len(reasons)) / (inserted - generated)),
    }


async def measure(path: Path, key_pem: bytes, jwk: dict[str, Any]) -> dict[str, Any]:
    settings = IntakeSettings(
        database_url=f"sqlite+aiosqlite:///{path}", data_dir=path.parent / "data", environment="test", log_level="WARNING"
    )
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
        engine = app.state.runtime.engine.sync_engine
        statements: list[str] = []

        def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

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
                out[name] = {
                    "region_code": code, "projects_in_scope": body["total"], "runs": RUNS,
                    "median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
                    "max_ms": round(max(times), 1),
                    # The outbox relay polls the same engine meanwhile: count only this request's reads.
                    "statements": len([
                        s for s in statements if s.lstrip().upper().startswith("SELECT") and "outbox_message" not in s
                    ]),
                    "figures": {k: body[k] for k in ("filed", "completed", "deferred", "rejected", "overdue")}
                    | {"on_time_rate": body["on_time"]["rate"], "average_rounds": body["review_rounds"]["average"]},
                }
    return out


def plans(path: Path) -> dict[str, list[str]]:
    """SQLite's plan for the county facet and on-time queries (index use, no full scan)."""
    engine = create_engine(f"sqlite:///{path}")
    lo, hi = "330421", "330421"
    queries = {
        "facets (county)": f"SELECT region_code, year, status, count(*) FROM project WHERE region_code >= '{lo}' AND region_code <= '{hi}' GROUP BY region_code, year, status",
        "on-time (county)": f"SELECT count(*) FROM project WHERE region_code >= '{lo}' AND region_code <= '{hi}' AND deadline IS NOT NULL AND (SELECT max(decided_at) FROM report_round WHERE report_round.project_id = project.id AND verdict = 'approved') IS NOT NULL",
        "return reasons (county)": f"SELECT category_code, count(*) FROM return_reason JOIN project ON project.id = return_reason.project_id WHERE return_reason.region_code >= '{lo}' AND return_reason.region_code <= '{hi}' AND project.region_code >= '{lo}' AND project.region_code <= '{hi}' GROUP BY category_code",
    }
    out = {}
    with engine.connect() as conn:
        for name, sql in queries.items():
            out[name] = [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    engine.dispose()
    return out


async def main() -> int:
    started = time.perf_counter()
    key_pem = generate_private_key_pem()
    jwk = public_jwk(key_pem)
    with tempfile.TemporaryDirectory(prefix="wenping-stats-bench-") as tmp:
        small_db, big_db = Path(tmp) / "small.db", Path(tmp) / "big.db"
        small_load = await asyncio.to_thread(load, small_db, SMALL, 1)
        print(f"[stats] loaded {SMALL:,} projects: {small_load}", flush=True)
        big_load = await asyncio.to_thread(load, big_db, BIG, 2)
        print(f"[stats] loaded {BIG:,} projects: {big_load}", flush=True)
        small = await measure(small_db, key_pem, jwk)
        big = await measure(big_db, key_pem, jwk)
        query_plans = await asyncio.to_thread(plans, big_db)
    results: dict[str, Any] = {
        "benchmark": "GET /api/v1/stats/summary",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.platform()} (Python {platform.python_version()})",
        "database": "SQLite (aiosqlite), WAL, migrated with the intake migrations",
        "load": {"10k": small_load, "1M": big_load},
        "baseline_10k": small,
        "one_million": big,
        "ratios_1M_over_10k": {name: round(big[name]["median_ms"] / small[name]["median_ms"], 1) for name, _ in SCOPES},
        "ratios_1M_over_healthz": {name: round(big[name]["median_ms"] / big["healthz_median_ms"], 1) for name, _ in SCOPES},
        "statements_constant": all(big[n]["statements"] == small[n]["statements"] for n, _ in SCOPES),
        "query_plans_1M": query_plans,
        "total_s": round(time.perf_counter() - started, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stats.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "stats.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0 if results["statements_constant"] else 1


def markdown(r: dict[str, Any]) -> str:
    lines = [
        "# Statistics benchmark (GET /api/v1/stats/summary)",
        "",
        f"Measured {r['measured_at']} on {r['machine']}. {r['database']}; the real intake app in-process over ASGI,",
        "ES256 token of a province reviewer (330000); median of 3 runs after a warm-up.",
        "",
        f"Load of 1M: {r['load']['1M']['projects']:,} projects + {r['load']['1M']['report_rounds']:,} approved rounds + "
        f"{r['load']['1M']['return_reasons']:,} return reasons inserted in {r['load']['1M']['insert_s']} s "
        f"({r['load']['1M']['insert_rows_per_s']:,} rows/s, core insert executemany in batches of {BATCH:,}).",
        "",
        "| scope | projects in scope (10k db) | median ms (10k db) | projects in scope (1M db) | median ms (1M db) | ratio 1M/10k | ratio to /healthz | SELECTs 10k / 1M |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, code in SCOPES:
        s, b = r["baseline_10k"][name], r["one_million"][name]
        lines.append(
            f"| {name} {code} | {s['projects_in_scope']:,} | {s['median_ms']} | {b['projects_in_scope']:,} | {b['median_ms']} | "
            f"{r['ratios_1M_over_10k'][name]}x | {r['ratios_1M_over_healthz'][name]}x | {s['statements']} / {b['statements']} |"
        )
    lines += [
        "",
        f"- GET /healthz round trip (baseline): {r['one_million']['healthz_median_ms']} ms median.",
        f"- Statements per summary constant from 10k to 1M: {'yes' if r['statements_constant'] else 'NO'}.",
        "- Query plans on the 1M database (county):",
    ]
    for name, plan in r["query_plans_1M"].items():
        lines.append(f"  - {name}: " + "; ".join(plan))
    lines.append(f"- Whole benchmark: {r['total_s']} s.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
