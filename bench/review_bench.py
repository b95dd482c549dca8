"""Benchmark of the review service, measured through the real apps.

The three apps are built as in production (migrated SQLite databases in a temporary folder,
demo seed, lifespans running, outbox relays on) and wired over in-process ASGI transports;
requests carry real ES256 tokens. The measured requests are handed to the review app's ASGI
callable directly (``DirectCall``, as a server hands them over), so an HTTP client's own work
per request is not counted as the service's; the precheck through httpx is reported beside.
Measured:

- precheck: POST /api/v1/precheck of the complete sample report (`complete_report()`), as an
  agency user, 1,000 times — target median <= 1.5 ms; a diagnostic row counts the caller's
  allowance (rate limit) as for every user, which the 1,000 from one principal turn off;
- open review: POST /api/v1/reviews as intake's hand-off of a submitted round (a new project
  each time): evaluation of all 45 items incl. registry lookups, storage of the review, its 45
  items, audit and outbox message — target p99 <= 30 ms.

Baselines measured in the same run: the bare engine (`evaluate()` on the parsed report with
facts in memory), a trivial authenticated call (GET /api/v1/whoami, through httpx and handed
to the app) and /healthz.
Bounded: fixed iteration counts and a time limit per phase. Writes bench/results/review.json
and review.md. Each row also gives the process's CPU time per call (`cpu_mean_ms`), steadier than
wall time when the machine is shared.

Knobs (environment): `REVIEW_BENCH_PROFILE=precheck` or `=open` runs that phase under pyinstrument
and writes bench/results/profile-review-<phase>.txt; `REVIEW_BENCH_SCALE=0.3` scales the
iteration counts (quick A/B runs; the targets are judged on the full counts).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from wenping_intake.config import IntakeSettings
from wenping_intake.main import MIGRATIONS as INTAKE_MIGRATIONS
from wenping_intake.main import create_app as create_intake
from wenping_intake.seed import seed_demo as seed_intake
from wenping_registry import passwords
from wenping_registry.config import RegistrySettings
from wenping_registry.main import MIGRATIONS as REGISTRY_MIGRATIONS
from wenping_registry.main import create_app as create_registry
from wenping_registry.seed import seed_demo as seed_registry
from wenping_review.checklist import ProjectFacts, RegistryFacts, evaluate, load_checklist, region_config
from wenping_review.config import ReviewSettings
from wenping_review.main import MIGRATIONS as REVIEW_MIGRATIONS
from wenping_review.main import create_app as create_review
from wenping_review.seed import seed_demo as seed_review
from wenping_shared import upgrade_to_head
from wenping_shared.contracts import samples
from wenping_shared.contracts.report import Report
from wenping_shared.demo import DEMO_PASSWORD, SERVICE_CLIENTS

RESULTS = Path(__file__).parent / "results"
SCALE = float(os.environ.get("REVIEW_BENCH_SCALE", "1"))
PROFILE = os.environ.get("REVIEW_BENCH_PROFILE", "")
WARMUP = 30
PRECHECK_N = max(1, round(1000 * SCALE))
OPEN_N = max(1, round(300 * SCALE))
BASELINE_N = max(1, round(500 * SCALE))
PHASE_LIMIT_S = 60.0
TARGET_PRECHECK_MEDIAN_MS = 1.5
TARGET_OPEN_P99_MS = 30.0


class Routes(httpx.AsyncBaseTransport):
    """http://<service>.bench -> that service's in-process app."""

    def __init__(self) -> None:
        self.apps: dict[str, httpx.ASGITransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.apps[request.url.host.removesuffix(".bench")].handle_async_request(request)


class DirectCall:
    """A request handed straight to an app's ASGI callable, as its server would hand it over: what a
    call costs the service itself, without an HTTP client's own work per request (httpx builds the
    URL and request and runs its cookie jar over every response: about 0.2 ms of a precheck's 1.7
    in cProfile). The app's own calls to its peers still go through httpx, as in production."""

    def __init__(self, app: Any, host: str) -> None:
        self.app, self.host = app, host

    async def __call__(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", self.host.encode()), (b"content-length", str(len(body)).encode()),
                        *((k.lower().encode(), v.encode()) for k, v in headers.items())],
            "client": ("127.0.0.1", 50000), "server": (self.host, 80),
        }
        sent = False
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # the body is all there is: wait like an idle client
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


class Timed(list[float]):
    """Wall-clock milliseconds per call, and the process's CPU seconds over all of them."""

    cpu_s: float = 0.0


def summary(samples_ms: list[float]) -> dict[str, float | int]:
    cpu = getattr(samples_ms, "cpu_s", None)
    return {
        "n": len(samples_ms),
        **({"cpu_mean_ms": round(cpu * 1000 / len(samples_ms), 3)} if cpu is not None else {}),
        "median_ms": round(statistics.median(samples_ms), 3),
        "p95_ms": round(percentile(samples_ms, 95), 3),
        "p99_ms": round(percentile(samples_ms, 99), 3),
        "max_ms": round(max(samples_ms), 3),
        "mean_ms": round(statistics.fmean(samples_ms), 3),
    }


async def measure(n: int, call: Callable[[int], Awaitable[None]], profile_as: str = "") -> Timed:
    for i in range(WARMUP):
        await call(-1 - i)
    out = Timed()
    deadline = time.monotonic() + PHASE_LIMIT_S
    profiler = _profiler() if profile_as and profile_as == PROFILE else None
    cpu = time.process_time()
    for i in range(n):
        start = time.perf_counter()
        await call(i)
        out.append((time.perf_counter() - start) * 1000)
        if time.monotonic() > deadline:
            break
    out.cpu_s = time.process_time() - cpu
    if profiler is not None:
        profiler.stop()
        tree = profiler.output_text(unicode=True, color=False)
        # Self time per function, library frames included: where the time of the hidden frames goes.
        flat = profiler.output_text(color=False, show_all=True, flat=True).splitlines()[:70]
        text = tree + "\nSelf time per function (flat, all frames), top 60:\n" + "\n".join(flat) + "\n"
        (RESULTS / f"profile-review-{profile_as}.txt").write_text(text, encoding="utf-8")
    return out


def _profiler() -> Any:
    from pyinstrument import Profiler  # dev lock only; imported when a profile is asked for

    profiler = Profiler(interval=0.0002, async_mode="enabled")
    profiler.start()
    return profiler


def measure_sync(n: int, call: Callable[[], object]) -> Timed:
    for _ in range(WARMUP):
        call()
    out = Timed()
    cpu = time.process_time()
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    out.cpu_s = time.process_time() - cpu
    return out


async def run() -> dict[str, Any]:
    passwords.configure(memory_cost_kib=8192, time_cost=1)  # logins are not what is measured
    with tempfile.TemporaryDirectory(prefix="wenping-bench-") as tmp:
        common: dict[str, Any] = {
            "environment": "test",
            "registry_url": "http://registry.bench",
            "intake_url": "http://intake.bench",
            "review_url": "http://review.bench",
            "log_json": True,
            "log_level": "WARNING",
            "rate_limit_prechecks": 0,  # one principal sends PRECHECK_N prechecks: measured, not limited
        }
        registry_settings = RegistrySettings(data_dir=Path(tmp) / "registry", **common)
        intake_settings = IntakeSettings(data_dir=Path(tmp) / "intake", **common)
        review_settings = ReviewSettings(data_dir=Path(tmp) / "review", **common)
        for url, migrations in (
            (registry_settings.resolved_database_url, REGISTRY_MIGRATIONS),
            (intake_settings.resolved_database_url, INTAKE_MIGRATIONS),
            (review_settings.resolved_database_url, REVIEW_MIGRATIONS),
        ):
            await asyncio.to_thread(upgrade_to_head, migrations, url)
        await seed_registry(registry_settings)
        await seed_intake(intake_settings)
        await seed_review(review_settings)
        routes = Routes()
        apps = {
            "registry": create_registry(registry_settings, transport=routes),
            "intake": create_intake(intake_settings, transport=routes),
            "review": create_review(review_settings, transport=routes),
        }
        async with (
            LifespanManager(apps["registry"]) as registry_app,
            LifespanManager(apps["intake"]) as intake_app,
            LifespanManager(apps["review"]) as review_app,
        ):
            for name, app in (("registry", registry_app.app), ("intake", intake_app.app), ("review", review_app.app)):
                routes.apps[name] = httpx.ASGITransport(app=app)
            async with (
                httpx.AsyncClient(transport=routes, base_url="http://registry.bench") as registry,
                httpx.AsyncClient(transport=routes, base_url="http://review.bench") as review,
            ):
                return await measure_all(registry, review, apps["review"], DirectCall(review_app.app, "review.bench"))


async def measure_all(
    registry: httpx.AsyncClient, review: httpx.AsyncClient, review_app: Any, direct: DirectCall
) -> dict[str, Any]:
    async def token(data: dict[str, str]) -> dict[str, str]:
        r = await registry.post("/api/v1/auth/token", data=data)
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    agency = await token({"grant_type": "password", "username": "agency.jx", "password": DEMO_PASSWORD, "resource": "review"})
    intake_service = await token(
        {"grant_type": "client_credentials", "client_id": "intake-service", "client_secret": SERVICE_CLIENTS["intake"], "resource": "review"}
    )
    report = samples.complete_report()

    # Baseline 1: the bare engine on a parsed report, facts in memory.
    parsed = Report.model_validate(report)
    checklist, config = load_checklist("v1"), region_config()
    project = ProjectFacts.from_dict(samples.sample_project_facts())
    facts = RegistryFacts.from_dict(samples.sample_registry_facts())
    engine = measure_sync(
        BASELINE_N,
        lambda: evaluate(parsed, checklist=checklist, config=config, submitted_on=samples.SUBMITTED_ON, project=project, registry=facts),
    )

    # Baseline 2: trivial round trips through the same app and transport.
    async def healthz(_: int) -> None:
        r = await review.get("/healthz")
        assert r.status_code == 200

    async def whoami(_: int) -> None:
        r = await review.get("/api/v1/whoami", headers=agency)
        assert r.status_code == 200

    async def whoami_direct(_: int) -> None:
        status, _body = await direct("GET", "/api/v1/whoami", agency)
        assert status == 200

    health = await measure(BASELINE_N, healthz)
    authed = await measure(BASELINE_N, whoami)
    authed_direct = await measure(BASELINE_N, whoami_direct)

    # Precheck of the complete report, handed to the app directly (``DirectCall``): the body is
    # encoded once and answers are parsed outside the timed calls, since the client's own work is
    # not the service's latency. The same through httpx is reported beside it.
    precheck_body = json.dumps({"report": report}, ensure_ascii=False).encode()
    json_headers = {**agency, "Content-Type": "application/json"}
    r = await review.post("/api/v1/precheck", content=precheck_body, headers=json_headers)
    assert r.status_code == 200 and len(r.json()["items"]) == 38, r.text
    status, answer = await direct("POST", "/api/v1/precheck", json_headers, precheck_body)
    assert status == 200 and json.loads(answer)["items"] == r.json()["items"], answer  # the same answer either way

    async def precheck(_: int) -> None:
        status, answer = await direct("POST", "/api/v1/precheck", json_headers, precheck_body)
        assert status == 200, answer

    async def precheck_httpx(_: int) -> None:
        r = await review.post("/api/v1/precheck", content=precheck_body, headers=json_headers)
        assert r.status_code == 200, r.text

    pre = await measure(PRECHECK_N, precheck, "precheck")
    pre_httpx = await measure(PRECHECK_N, precheck_httpx)
    # Diagnostic, not the target: the same prechecks with the caller's allowance counted, as for
    # every user (the measured ones above send 1,000 from one principal, so the limit is off).
    settings = review_app.state.settings
    settings.rate_limit_prechecks = 10**9
    try:
        pre_limited = await measure(PRECHECK_N, precheck)
    finally:
        settings.rate_limit_prechecks = 0

    # Opening a review of a submitted round (a new project each time).
    base_project = samples.sample_project_facts()
    base_project["planned_decision_date"] = base_project["planned_decision_date"].isoformat()
    base_project["interests"] = list(base_project["interests"])

    def open_body() -> bytes:
        pid = str(uuid.uuid4())
        body = {
            "project_id": pid,
            "round": 1,
            "report": report,
            "submitted_on": samples.SUBMITTED_ON.isoformat(),
            "project": {**base_project, "project_id": pid, "number": f"WP-330400-2026-{pid[:5]}", "title": samples.PROJECT_NAME},
            "document_file": {"id": str(uuid.uuid4()), "filename": "report.docx", "sha256": "0" * 64},
        }
        return json.dumps(body, ensure_ascii=False).encode()

    bodies = iter([open_body() for _ in range(WARMUP + OPEN_N)])  # encoded before the clock runs
    intake_json = {**intake_service, "Content-Type": "application/json"}

    async def open_review(_: int) -> None:
        status, answer = await direct("POST", "/api/v1/reviews", intake_json, next(bodies))
        assert status == 201, answer

    # The review's outbox relay is paused for this phase: delivering `opened` is asynchronous,
    # outside the request, and intake would refuse it for these bench-only projects (404) and
    # have the relay retry, which measures retries rather than the review.
    await review_app.state.outbox.stop()
    try:
        opened = await measure(OPEN_N, open_review, "open")
        stored = await review.get("/api/v1/reviews", params={"limit": 1}, headers=await token(
            {"grant_type": "password", "username": "jx.reviewer", "password": DEMO_PASSWORD, "resource": "review"}
        ))
        assert stored.status_code == 200 and stored.json()["items"], stored.text
    finally:
        review_app.state.outbox.start()

    results: dict[str, Any] = {
        "benchmark": "review",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "processor": platform.processor() or platform.machine()},
        "setup": "three real apps in-process over ASGI, migrated SQLite databases, demo seed, ES256 tokens, "
        "outbox relays running (review's paused while reviews are opened, see the script)",
        "load_average_at_start": _load(),
        "baselines": {
            "engine_evaluate": summary(engine),
            "healthz_round_trip": summary(health),
            "authenticated_round_trip_whoami": summary(authed),
            "authenticated_direct_whoami": summary(authed_direct),
        },
        "precheck_complete_report": summary(pre),
        "precheck_through_httpx": summary(pre_httpx),
        "diagnostic_precheck_rate_limited": summary(pre_limited),
        "open_review_45_items": summary(opened),
    }
    pm, om = results["precheck_complete_report"], results["open_review_45_items"]
    eng, who = results["baselines"]["engine_evaluate"], results["baselines"]["authenticated_direct_whoami"]
    results["ratios"] = {
        "precheck_median_over_engine_median": round(pm["median_ms"] / eng["median_ms"], 2),
        "precheck_median_over_whoami_median": round(pm["median_ms"] / who["median_ms"], 2),
        "open_review_p99_over_engine_median": round(om["p99_ms"] / eng["median_ms"], 2),
        "open_review_median_over_whoami_median": round(om["median_ms"] / who["median_ms"], 2),
    }
    results["targets"] = {
        "precheck_median_ms": TARGET_PRECHECK_MEDIAN_MS,
        "open_review_p99_ms": TARGET_OPEN_P99_MS,
        "precheck_met": pm["median_ms"] <= TARGET_PRECHECK_MEDIAN_MS,
        "open_review_met": om["p99_ms"] <= TARGET_OPEN_P99_MS,
    }
    return results


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def markdown(r: dict[str, Any]) -> str:
    def row(name: str, s: dict[str, Any]) -> str:
        return f"| {name} | {s['n']} | {s['median_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} | {s.get('cpu_mean_ms', '')} |"

    b, t, ratios = r["baselines"], r["targets"], r["ratios"]
    lines = [
        "# Review service benchmark",
        "",
        f"Measured {r['measured_at']} on {r['machine']['platform']} (Python {r['machine']['python']}).",
        f"Setup: {r['setup']}. Load average when it started: {r['load_average_at_start']} "
        f"({os.cpu_count()} CPUs; the machine is shared, so compare with the baselines of the same run).",
        "",
        "| measurement | n | median ms | p95 ms | p99 ms | max ms | CPU ms per call |",
        "|---|---|---|---|---|---|---|",
        row("baseline: engine `evaluate()` (45 items, facts in memory)", b["engine_evaluate"]),
        row("baseline: GET /healthz round trip", b["healthz_round_trip"]),
        row("baseline: GET /api/v1/whoami (token verified), through httpx", b["authenticated_round_trip_whoami"]),
        row("baseline: GET /api/v1/whoami (token verified), handed to the app", b["authenticated_direct_whoami"]),
        row("POST /api/v1/precheck, complete report, handed to the app", r["precheck_complete_report"]),
        row("the same precheck through httpx (client's own work included)", r["precheck_through_httpx"]),
        row("diagnostic: the same precheck with the caller's allowance counted", r["diagnostic_precheck_rate_limited"]),
        row("POST /api/v1/reviews (open, 45 items evaluated and stored), handed to the app", r["open_review_45_items"]),
        "",
        f"- precheck median {r['precheck_complete_report']['median_ms']} ms "
        f"(target <= {t['precheck_median_ms']} ms: {'met' if t['precheck_met'] else 'NOT met'}); "
        f"{ratios['precheck_median_over_engine_median']}x the bare engine, "
        f"{ratios['precheck_median_over_whoami_median']}x an authenticated call.",
        f"- open review p99 {r['open_review_45_items']['p99_ms']} ms "
        f"(target <= {t['open_review_p99_ms']} ms: {'met' if t['open_review_met'] else 'NOT met'}); "
        f"median {ratios['open_review_median_over_whoami_median']}x an authenticated call.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    results = asyncio.run(run())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "review.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "review.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))
    return 0 if results["targets"]["precheck_met"] and results["targets"]["open_review_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
