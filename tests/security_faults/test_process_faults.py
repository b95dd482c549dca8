"""Faults with real processes (uvicorn subprocesses on free 127.0.0.1 ports, scratch SQLite
databases): a peer that is down only delays work, a peer that never answers is a clear 503
within the configured deadline, two reviewers deciding at once cannot both win.

Run once, in the SQLite pass (the process-level behaviour does not depend on the backend).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fault_kit import PG_BIN, BlackHole, Fleet, ThrowawayPostgres, project_body
from system_kit import docx_bytes

from wenping_shared.contracts.samples import complete_report
from wenping_shared.demo import org_id

pytestmark = pytest.mark.e2e

REPORTS = 50
#: How old an uncompleted Idempotency-Key reservation must be before a retry takes it over.
STALE = 2.0
FILER = "jx.fgw.filer"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    if os.environ.get("WENPING_TEST_DB", "sqlite") != "sqlite":
        pytest.skip("the process-level fault tests run once, on the embedded database")
    fleet = Fleet(tmp_path_factory.mktemp("faults"), ("registry", "intake", "review"),
                  settings={"RATE_LIMIT_REPORT_SUBMISSIONS": "0", "IDEMPOTENCY_STALE_SECONDS": str(STALE)})
    try:
        fleet.start()
        yield fleet
    finally:
        fleet.close()


def assessing_project(intake: httpx.Client, headers: dict[str, str]) -> str:
    created = intake.post("/api/v1/projects", json=project_body(), headers=headers)
    assert created.status_code == 201, created.text
    project = created.json()
    for action in ("file", "start_assessment"):
        moved = intake.post(f"/api/v1/projects/{project['id']}/transitions", json={"action": action},
                            headers={**headers, "If-Match": f'"{project["version"]}"'})
        assert moved.status_code == 200, moved.text
        project = moved.json()
    return str(project["id"])


def submit_report(intake: httpx.Client, headers: dict[str, str], project_id: str) -> None:
    upload = intake.post("/api/v1/files", files={"file": ("报告.docx", docx_bytes(), "application/octet-stream")},
                         headers=headers)
    assert upload.status_code == 201, upload.text
    submitted = intake.post(f"/api/v1/projects/{project_id}/reports",
                            json={"report": complete_report(), "document_file_id": upload.json()["id"]},
                            headers=headers)
    assert submitted.status_code == 201, submitted.text


def reviews_by_round(fleet: Fleet) -> Counter[tuple[str, int]]:
    database = Path(fleet.root) / "review" / "review.db"
    with sqlite3.connect(database, timeout=30) as connection:
        rows = connection.execute("SELECT project_id, round FROM review").fetchall()
    return Counter((str(p), int(r)) for p, r in rows)


def test_review_down_50_reports_then_up_50_reviews_none_twice(fleet: Fleet) -> None:
    headers = fleet.token(FILER)
    fleet.stop("review")
    try:
        with fleet.client("intake") as intake, ThreadPoolExecutor(6) as pool:
            projects = list(pool.map(lambda _: assessing_project(intake, headers), range(REPORTS)))
            # Every submission is acknowledged while review is down: the handoff waits in the outbox.
            list(pool.map(lambda pid: submit_report(intake, headers, pid), projects))
    finally:
        fleet.start("review")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        reviews = reviews_by_round(fleet)
        if sum(1 for project, _ in reviews if project in projects) >= REPORTS:
            break
        time.sleep(1)
    reviews = reviews_by_round(fleet)
    ours = {key: count for key, count in reviews.items() if key[0] in projects}
    assert sorted(ours) == sorted((pid, 1) for pid in projects), "every report became a review"
    assert set(ours.values()) == {1}, "no report was reviewed twice"
    # The review's opening reached intake too: every project is under review, exactly once.
    with fleet.client("intake") as intake:
        deadline = time.monotonic() + 60
        while True:
            statuses = Counter(intake.get(f"/api/v1/projects/{pid}", headers=headers).json()["status"]
                               for pid in projects)
            if statuses == Counter({"under_review": REPORTS}) or time.monotonic() > deadline:
                break
            time.sleep(1)
    assert statuses == Counter({"under_review": REPORTS})


def test_two_reviewers_decide_at_once_one_wins(fleet: Fleet) -> None:
    filer = fleet.token(FILER)
    with fleet.client("intake") as intake:
        project_id = assessing_project(intake, filer)
        submit_report(intake, filer, project_id)
    reviewer = fleet.token("jx.reviewer")
    with fleet.client("review") as review:
        deadline = time.monotonic() + 90
        found: list[dict[str, Any]] = []
        while not found and time.monotonic() < deadline:
            listed = review.get("/api/v1/reviews", params={"project_id": project_id}, headers=reviewer)
            found = [r for r in listed.json().get("items", []) if r["project_id"] == project_id] if listed.status_code == 200 else []
            time.sleep(0.5)
        assert found, "the review was opened"
        review_id = found[0]["id"]
        current = review.get(f"/api/v1/reviews/{review_id}", headers=reviewer)
        for item in current.json()["items"]:
            if item["result"] == "pending":
                judged = review.put(f"/api/v1/reviews/{review_id}/items/{item['code']}",
                                    json={"result": "pass", "comment": "经人工核实"}, headers=reviewer)
                assert judged.status_code == 200, judged.text
        etag = review.get(f"/api/v1/reviews/{review_id}", headers=reviewer).headers["etag"]

    def decide(_: int) -> httpx.Response:
        with fleet.client("review") as own:
            return own.post(f"/api/v1/reviews/{review_id}/decision", json={},
                            headers={**reviewer, "If-Match": etag})

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(decide, range(2)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses[0] == 200 and statuses[1] in (409, 412), [a.text for a in answers]
    loser = max(answers, key=lambda a: a.status_code)
    assert loser.headers["content-type"].startswith("application/problem+json")


def test_a_peer_that_never_answers_is_a_503_within_the_deadline(tmp_path: Path) -> None:
    """The registry draws experts for a project it asks intake about; intake here accepts the
    connection and never answers. With a 2 s deadline and one retry the caller gets a clear 503."""
    if os.environ.get("WENPING_TEST_DB", "sqlite") != "sqlite":
        pytest.skip("the process-level fault tests run once, on the embedded database")
    timeout, retries = 2.0, 1
    with BlackHole() as silent:
        fleet = Fleet(tmp_path, ("registry",), peers={"intake": silent.url},
                      settings={"HTTP_TIMEOUT_SECONDS": str(timeout), "HTTP_RETRIES": str(retries)})
        try:
            fleet.start()
            reviewer = fleet.token("jx.reviewer")
            with fleet.client("registry") as registry:
                started = time.monotonic()
                answer = registry.post("/api/v1/expert-draws", headers=reviewer, json={
                    "project_id": "any-project", "region_code": "330400", "count": 1, "fields": ["construction"]})
                elapsed = time.monotonic() - started
        finally:
            fleet.close()
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "暂不可用" in answer.json()["detail"]
    # Every attempt ends at its deadline (plus the short backoff between them and a loaded machine's slack).
    assert elapsed < timeout * (1 + retries) + 8, elapsed


def creates_killed_midway(
    fleet: Fleet, route: str, headers: dict[str, str], bodies: dict[str, dict[str, Any]], killed_once: str,
    params: tuple[Any, ...] = (),
) -> list[int | None]:
    """``bodies`` created at ``route`` (each with its key) from 12 threads, and intake killed -9
    once ``killed_once`` (a count over intake's database) is not 0: each create's status, or None
    where the kill left it unanswered."""
    database = fleet.root / "intake" / "intake.db"

    def create(key: str) -> int | None:
        try:
            with fleet.client("intake", timeout=30) as intake:
                return intake.post(route, json=bodies[key], headers={**headers, "Idempotency-Key": key}).status_code
        except httpx.HTTPError:
            return None  # the process died under it: no answer

    with ThreadPoolExecutor(12) as pool:
        futures = [pool.submit(create, key) for key in bodies]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with sqlite3.connect(database, timeout=30) as connection:
                if connection.execute(killed_once, params).fetchone()[0]:
                    break
            time.sleep(0.005)
        fleet.kill("intake")
        return [f.result() for f in futures]


def test_kill_9_during_an_idempotent_create_then_retry_makes_exactly_one(fleet: Fleet) -> None:
    """Designations carrying Idempotency-Keys (reserved in a transaction of their own before the
    work) are in flight when intake is killed -9 (right after a key was reserved, before its work
    committed); intake starts again and every create is retried with its key: each key ends with
    exactly one project, whatever the kill interrupted."""
    database = fleet.root / "intake" / "intake.db"
    target = org_id("嘉善县住房和城乡建设局")
    bodies = {
        f"kill9-{uuid.uuid4().hex}": {**project_body(), "initiation": "designation", "responsible_org_id": target}
        for _ in range(12)
    }
    route = "/api/v1/projects/designations"
    try:
        headers = fleet.token("jx.supervisor")
        # Killed right after a key was reserved, before its work committed.
        first = creates_killed_midway(fleet, route, headers, bodies,
                                      "SELECT count(*) FROM idempotency_record WHERE completed = 0")
        with sqlite3.connect(database, timeout=30) as connection:
            orphaned = connection.execute("SELECT count(*) FROM idempotency_record WHERE completed = 0").fetchone()[0]
        fleet.start("intake")
        time.sleep(STALE)
        with fleet.client("intake", timeout=60) as intake:
            for key, body in bodies.items():
                deadline = time.monotonic() + 60
                while True:
                    retried = intake.post(route, json=body, headers={**headers, "Idempotency-Key": key})
                    if retried.status_code != 409 or time.monotonic() > deadline:
                        break
                    time.sleep(0.5)
                assert retried.status_code == 201, (key, retried.text)
        with sqlite3.connect(database, timeout=30) as connection:
            for body in bodies.values():
                count = connection.execute("SELECT count(*) FROM project WHERE title = ?", (body["title"],)).fetchone()[0]
                assert count == 1, (body["title"], count)
    finally:
        if "intake" not in fleet.processes:
            fleet.start("intake")
    assert None in first, "the kill interrupted requests in flight"
    assert orphaned >= 1, "a key was left reserved by the killed process (the case the retry must take over)"


def test_kill_9_during_keyed_filings_then_retry_makes_exactly_one(fleet: Fleet) -> None:
    """Filings claim their Idempotency-Key with their answer, in the one statement that files them:
    killed -9 with filings in flight, intake leaves no key reserved, and retried with their keys
    every filing answers 201 (the first answer where it had committed) with one project per key."""
    database = fleet.root / "intake" / "intake.db"
    bodies = {f"kill9-filing-{uuid.uuid4().hex}": project_body() for _ in range(48)}
    titles = [body["title"] for body in bodies.values()]
    marks = ",".join("?" * len(titles))
    try:
        headers = fleet.token(FILER)
        # Killed once the first of them has committed.
        first = creates_killed_midway(fleet, "/api/v1/projects", headers, bodies,
                                      f"SELECT count(*) FROM project WHERE title IN ({marks})", tuple(titles))
        with sqlite3.connect(database, timeout=30) as connection:
            reserved = connection.execute("SELECT count(*) FROM idempotency_record WHERE completed = 0").fetchone()[0]
        fleet.start("intake")
        with fleet.client("intake", timeout=60) as intake:
            for key, body in bodies.items():
                retried = intake.post("/api/v1/projects", json=body, headers={**headers, "Idempotency-Key": key})
                assert retried.status_code == 201, (key, retried.text)
        with sqlite3.connect(database, timeout=30) as connection:
            for title in titles:
                count = connection.execute("SELECT count(*) FROM project WHERE title = ?", (title,)).fetchone()[0]
                assert count == 1, (title, count)
    finally:
        if "intake" not in fleet.processes:
            fleet.start("intake")
    assert None in first, "the kill interrupted filings in flight"
    assert reserved == 0, "a filing reserves nothing before the statement that files it"


def test_postgresql_restart_under_load_loses_no_acknowledged_write() -> None:
    """Our own throwaway PostgreSQL (never the machine's shared one) is restarted (immediate stop:
    a crash) while filers keep creating projects: the services recover by themselves (creates
    succeed again without restarting them) and every create answered 201 is in the database."""
    if os.environ.get("WENPING_TEST_DB", "sqlite") != "sqlite":
        pytest.skip("the process-level fault tests run once, on the embedded database")
    if not (PG_BIN / "initdb").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL 15 server binaries (initdb, pg_ctl) are needed: apt-get install postgresql-15")
        pytest.skip("PostgreSQL 15 server binaries are not installed")
    root = Path(tempfile.mkdtemp(prefix="wenping-pg-"))
    os.chmod(root, 0o755)  # the cluster runs as the postgres user
    pg = ThrowawayPostgres(root / "cluster")
    pg.pg_ctl("start")
    fleet: Fleet | None = None
    try:
        for name in ("registry", "intake"):
            pg.create_database(name)
        fleet = Fleet(root / "services", ("registry", "intake"),
                      databases={name: pg.url(name) for name in ("registry", "intake")})
        fleet.start()
        headers = fleet.token(FILER)
        acknowledged: list[str] = []
        after_restart: list[str] = []
        restarted = False
        deadline = time.monotonic() + 120
        with fleet.client("intake", timeout=30) as intake:
            while time.monotonic() < deadline and len(after_restart) < 5:
                body = project_body()
                try:
                    answer = intake.post("/api/v1/projects", json=body, headers=headers)
                except httpx.HTTPError:
                    continue
                if answer.status_code == 201:
                    acknowledged.append(body["title"])
                    if restarted:
                        after_restart.append(body["title"])
                if len(acknowledged) >= 5 and not restarted:
                    pg.pg_ctl("restart", "-m", "immediate")
                    restarted = True
        assert restarted and len(after_restart) >= 5, "creates succeed again after the restart, unaided"
        stored = pg.titles("intake")
        assert all(stored.count(title) == 1 for title in acknowledged), "no acknowledged write was lost"
    finally:
        if fleet is not None:
            fleet.close()
        pg.pg_ctl("stop", "-m", "fast")
        shutil.rmtree(root, ignore_errors=True)
