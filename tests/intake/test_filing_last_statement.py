"""A filing on PostgreSQL takes its number in the last statement before the commit
(projects/numbering.py, ``number_last``): after the counter's UPDATE nothing but COMMIT is sent (or
nothing: the statement is the whole filing and commits on its own), and that one statement wrote
what carries the number (the project, its first ledger row, the Idempotency-Key's record with the
answer, which claims the key: nothing is reserved before) and
what other writers queue on (the audit record, the tallies). What it wrote is what the ordinary path writes: the ledger and audit chains verify, a replay answers the
same number, the first filing of a region and year (no counter row yet) is numbered 1. On SQLite
the same statements run in one call on the connection's thread (below SQLAlchemy); the checks of
what was written run on both."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from intake_kit import Projects, project_body
from sqlalchemy import event, text
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import Scope
from system_kit import WenpingSystem

from wenping_intake.database import IdempotencyRecord
from wenping_intake.ledger.models import LedgerEntry
from wenping_intake.projects.models import Project, ProjectNumberCounter
from wenping_intake.projects.schemas import ProjectCreate
from wenping_intake.projects.service import ProjectService
from wenping_intake.stats.models import ProjectTally
from wenping_shared import Principal, local_today
from wenping_shared._idempotency import Answer, _answered, _work


def _on_postgresql(system: WenpingSystem) -> bool:
    return bool(system.apps["intake"].state.runtime.engine.dialect.name == "postgresql")


async def test_after_the_counter_only_the_commit_is_sent(system: WenpingSystem) -> None:
    engine = system.apps["intake"].state.runtime.engine.sync_engine
    auth = await system.auth("js.zjj.filer")
    # Not the first filing of the year nor the trail's first record (those take a round more, once);
    # once a filing has chained its record onto the head, the next ones commit on their own.
    for _ in range(2):
        assert (await system.intake.post("/api/v1/projects", json=project_body(), headers=auth)).status_code == 201
    sent: list[tuple[int, str]] = []  # (connection, statement): other work of the app runs meanwhile
    logged: set[int] = set()

    def statement(conn: Any, cursor: Any, text_: str, *args: Any) -> None:
        sent.append((id(conn), " ".join(text_.split())))

    def commit(conn: Any) -> None:
        sent.append((id(conn), "COMMIT"))

    def checkout(_: Any, pooled: Any, __: Any) -> None:
        # PostgreSQL: what the driver sends, BEGIN and COMMIT included (asyncpg's query logger):
        # statements sent by the driver itself (``driver_fetch``) bypass SQLAlchemy's events.
        driver = pooled.driver_connection
        if id(driver) not in logged:
            logged.add(id(driver))

            def query(record: Any, connection: int = id(driver)) -> None:
                sent.append((connection, " ".join(record.query.split()).rstrip(";")))

            driver.add_query_logger(query)
            loggers.append((driver, query))

    loggers: list[tuple[Any, Any]] = []
    on_postgresql = _on_postgresql(system)
    if on_postgresql:
        event.listen(engine, "checkout", checkout)
    else:
        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "commit", commit)
    try:
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        answer = await system.intake.post("/api/v1/projects", json=project_body(), headers=headers)
    finally:
        if on_postgresql:
            event.remove(engine, "checkout", checkout)
            for driver, query in loggers:
                driver.remove_query_logger(query)
        else:
            event.remove(engine, "before_cursor_execute", statement)
            event.remove(engine, "commit", commit)
    assert answer.status_code == 201, answer.text
    bumps = [i for i, (_, s) in enumerate(sent) if "UPDATE project_number_counter" in s]
    if not on_postgresql:
        # SQLite: the filing's transaction is sent in one call on the connection's thread, below
        # SQLAlchemy; nothing of it goes through SQLAlchemy's execution.
        assert bumps == [] and not [s for _, s in sent if s.startswith(("INSERT INTO project ", "INSERT INTO ledger_entry "))]
        return
    assert len(bumps) == 1, sent
    filing, last = sent[bumps[0]]
    after = [s for conn, s in sent[bumps[0] + 1:] if conn == filing]
    # Nothing after it: the statement was the whole filing and committed on its own.
    assert after[:1] in ([], ["COMMIT"]), after[:1]
    for written in ("INSERT INTO project ", "INSERT INTO ledger_entry ", "INSERT INTO idempotency_record ",
                    "INSERT INTO audit_record ", "UPDATE audit_chain ", "INSERT INTO project_tally "):
        assert written in last, written
    # The key is claimed by that statement, with the answer: no reservation was sent before it.
    assert [s for _, s in sent if "idempotency_record" in s] == [last], sent


async def test_what_the_last_statement_wrote_verifies_and_replays(system: WenpingSystem, projects: Projects) -> None:
    key = uuid.uuid4().hex
    headers = {**await system.auth("js.zjj.filer"), "Idempotency-Key": key}
    body = project_body()
    first = await system.intake.post("/api/v1/projects", json=body, headers=headers)
    assert first.status_code == 201, first.text
    filed = first.json()
    assert filed["number"].startswith(f"WP-330421-{local_today().year}-")
    assert first.headers["Location"] == f"/api/v1/projects/{filed['id']}"

    again = await system.intake.post("/api/v1/projects", json=body, headers=headers)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == filed
    assert await projects.get(filed["id"], "js.zjj.filer") == filed

    async with system.apps["intake"].state.sessionmaker() as session:
        project = (await session.exec(select(Project).where(Project.id == filed["id"]))).one()
        entry = (await session.exec(select(LedgerEntry).where(LedgerEntry.project_id == filed["id"]))).one()
        stored = (await session.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == key))).one()
    assert project.number == filed["number"] and project.seq == int(filed["number"].rsplit("-", 1)[1])
    assert entry.details["number"] == filed["number"] and entry.seq == 1
    assert (project.ledger_seq, project.ledger_head_hash) == (1, entry.hash)
    assert stored.completed and stored.response_status == 201 and stored.response_body == filed

    ledger = await system.intake.get(
        f"/api/v1/projects/{filed['id']}/ledger", params={"verify": "true"}, headers=await system.auth("js.zjj.filer")
    )
    assert ledger.status_code == 200 and ledger.json()["verified"] is True, ledger.text
    trail = await system.intake.get("/api/v1/audit/intake/verify", headers=await system.auth("zj.admin"))
    assert trail.status_code == 200 and trail.json()["intact"] is True, trail.text
    records = await system.intake.get(
        "/api/v1/audit/intake", params={"object_id": filed["id"]}, headers=await system.auth("zj.admin")
    )
    assert [(r["action"], r["object_type"], r["status"]) for r in records.json()["items"]] == [
        ("POST /api/v1/projects", "project", 201)
    ]


async def test_without_a_key_the_answer_carries_the_number(system: WenpingSystem, projects: Projects) -> None:
    made = await projects.create("js.zjj.filer")
    assert made["number"].startswith("WP-330421-") and "#" not in made["number"]
    assert (await projects.get(made["id"], "js.zjj.filer"))["number"] == made["number"]


async def test_the_first_filing_of_a_region_and_year_is_numbered_one(system: WenpingSystem) -> None:
    """No counter row yet: the last statement writes nothing, the row is inserted, the statement
    sent again. (The service called as the filing route calls it, for a region no demo user files in.)"""
    app = system.apps["intake"]
    region, year = "110101", local_today().year
    principal = Principal(
        subject=f"test-first-{uuid.uuid4().hex[:8]}", kind="user", roles=frozenset({"filer"}),
        org_id=f"test-org-{uuid.uuid4().hex[:8]}", region_code=region,
    )
    data = ProjectCreate.model_validate(project_body())
    scope: Scope = {"type": "http", "app": app, "method": "POST"}
    numbers: list[str] = []
    ids: list[str] = []
    try:
        for _ in range(2):
            async with app.state.sessionmaker() as session:

                async def file(session: AsyncSession = session) -> Project:
                    return await ProjectService(session, app.state.peers).create(principal, data)

                project = await _work(session, file)
                body = await _answered(session, scope, Answer(IdempotencyRecord, None, 201, {"number": project.number}))
                await session.commit()
            numbers.append(body["number"])
            ids.append(project.id)
        assert numbers == [f"WP-{region}-{year}-00001", f"WP-{region}-{year}-00002"]
        async with app.state.sessionmaker() as session:
            stored = (await session.exec(select(Project.number).where(col(Project.id).in_(ids)).order_by(col(Project.seq)))).all()
            tallies = (await session.exec(
                select(ProjectTally.projects).where(ProjectTally.facet == "status", ProjectTally.region_code == region)
            )).all()
        assert list(stored) == numbers
        assert list(tallies) == [2]
    finally:
        async with app.state.sessionmaker() as session:  # leave the other tests' figures as they were
            for project_id in ids:
                await session.exec(delete(LedgerEntry).where(col(LedgerEntry.project_id) == project_id))  # type: ignore[call-overload]
                row = (await session.exec(select(Project).where(Project.id == project_id))).first()
                if row is not None:
                    await session.delete(row)
            await session.exec(delete(ProjectNumberCounter).where(col(ProjectNumberCounter.region_code) == region))  # type: ignore[call-overload]
            await session.commit()


@pytest.mark.parametrize("filings", [8])
async def test_concurrent_filings_with_keys_chain_the_audit_trail(system: WenpingSystem, filings: int) -> None:
    import asyncio

    auth = await system.auth("js.zjj.filer")
    answers = await asyncio.gather(*[
        system.intake.post("/api/v1/projects", json=project_body(), headers={**auth, "Idempotency-Key": uuid.uuid4().hex})
        for _ in range(filings)
    ])
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
    seqs = sorted(int(a.json()["number"].rsplit("-", 1)[1]) for a in answers)
    assert seqs == list(range(seqs[0], seqs[0] + filings))
    trail = await system.intake.get("/api/v1/audit/intake/verify", headers=await system.auth("zj.admin"))
    assert trail.json()["intact"] is True, trail.text
    async with system.apps["intake"].state.sessionmaker() as session:
        counter = (await session.exec(text("SELECT last_seq FROM project_number_counter WHERE region_code = '330421' "
                                           f"AND year = {local_today().year}"))).one()  # type: ignore[call-overload]
    assert counter[0] == seqs[-1]
