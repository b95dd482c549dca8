"""The hot reads (a project by id, the list) go through ``wenping_shared.Reader``: one statement
on a pooled connection's driver, no session. Its rows must be exactly what a session gives for
the same statement (every column, converted by the columns' own types), it must hand the
connection back at once, and statements with parameters SQLAlchemy renders per call still work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from intake_kit import Projects
from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.util import greenlet_spawn
from sqlmodel import select
from system_kit import WenpingSystem

from wenping_intake.projects import repository
from wenping_intake.projects.access import subtree_bounds
from wenping_intake.projects.models import Project
from wenping_intake.risk_watch.repository import PROJECT_FLAGGED
from wenping_shared import Reader, create_engine, is_sqlite
from wenping_shared._db import create_read_sessionmaker


def _reader(system: WenpingSystem) -> Reader:
    reader: Reader = system.apps["intake"].state.reader
    return reader


@pytest.fixture
async def own_reader(system: WenpingSystem) -> AsyncIterator[Reader]:
    """A Reader on an engine of its own, as the service makes its read engine: no background
    task shares its pool, so the pool's counts are this test's."""
    url = system.settings["intake"].resolved_database_url
    engine = create_engine(url, read_only=is_sqlite(url))
    try:
        yield Reader(engine, create_read_sessionmaker(engine))
    finally:
        await engine.dispose()


async def _through_session(system: WenpingSystem, statement: Any, params: dict[str, Any]) -> list[Any]:
    async with system.apps["intake"].state.reading_sessionmaker() as session:
        return list((await session.exec(statement, params=params)).all())


async def test_a_project_row_is_what_a_session_reads(system: WenpingSystem, projects: Projects) -> None:
    created = await projects.create("jx.fgw.filer", interests=["demolition", "environment"], deadline="2026-12-01")
    params = {"project_id": created["id"]}
    row = await _reader(system).first(PROJECT_FLAGGED, params)
    [expected] = await _through_session(system, PROJECT_FLAGGED, params)
    assert row is not None
    assert tuple(row) == tuple(expected)  # values and their Python types (aware datetimes, lists, dates)
    assert [type(v) for v in row] == [type(v) for v in expected]
    assert row._fields == tuple(expected._fields)
    assert row.interests == ["demolition", "environment"]
    assert row.created_at.tzinfo is not None
    assert row.flagged in (False, 0)
    assert await _reader(system).first(PROJECT_FLAGGED, {"project_id": "no-such-project"}) is None


async def test_the_connection_goes_back_to_the_pool_at_once(projects: Projects, own_reader: Reader) -> None:
    created = await projects.create("jx.fgw.filer")
    pool = own_reader.engine.sync_engine.pool
    for _ in range(5):
        assert (await own_reader.first(PROJECT_FLAGGED, {"project_id": created["id"]})) is not None
        assert pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_list_statements_read_the_same_rows_with_and_without_per_call_parameters(
    system: WenpingSystem, projects: Projects, unique: Any
) -> None:
    marker = unique("读取")
    ids = [(await projects.create("jx.fgw.filer", title=f"{marker} {n}"))["id"] for n in range(3)]
    reader = _reader(system)
    by_title = select(Project).where(Project.title.startswith(marker))  # type: ignore[attr-defined]
    assert {p.id for p in await _through_session(system, by_title, {})} == set(ids)
    # status IN (...) is an expanding parameter: SQLAlchemy Core on a connection runs it.
    expanding = repository._list_statement(("region",), ("q", "status"), False)
    plain = repository._list_statement(("region",), ("q",), False)
    low, high = subtree_bounds("330400")
    common = {"visible_low": low, "visible_high": high, "region_low": low, "region_high": high, "q": marker, "page_size": 10}
    with_status = await reader.all(expanding, {**common, "status": ["draft", "filed"]})
    without = await reader.all(plain, common)
    assert [r.id for r in with_status] == [r.id for r in without] == list(reversed(ids))
    assert [tuple(r) for r in without] == [tuple(r) for r in await _through_session(system, plain, common)]
    assert [tuple(r) for r in with_status] == [
        tuple(r) for r in await _through_session(system, expanding, {**common, "status": ["draft", "filed"]})
    ]


async def test_concurrent_reads_reuse_the_read_pool(projects: Projects, own_reader: Reader) -> None:
    """64 reads at once: on SQLite the read engine keeps its eight connections (aiosqlite opens a
    thread and the file with its PRAGMAs per connection; the pool's overflow did that per burst)."""
    created = await projects.create("jx.fgw.filer")
    reader = own_reader
    opened: list[object] = []

    def count(*_: object) -> None:
        opened.append(object())

    event.listen(reader.engine.sync_engine, "connect", count)
    try:
        for _ in range(3):
            rows = await asyncio.gather(*(reader.first(PROJECT_FLAGGED, {"project_id": created["id"]}) for _ in range(64)))
            assert all(r is not None and r.id == created["id"] for r in rows)
    finally:
        event.remove(reader.engine.sync_engine, "connect", count)
    pool = reader.engine.sync_engine.pool
    if reader.engine.dialect.name == "sqlite":
        assert pool.size() == 8 and pool.overflow() <= 0  # type: ignore[attr-defined]
        assert len(opened) <= 8
    assert pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_reads_get_connections_in_arrival_order(system: WenpingSystem, projects: Projects) -> None:
    """A read that waits for a pooled connection gets it before a read that arrives later: the
    pool's own asyncio queue lets a newcomer take a connection just returned before the waiter
    woken for it (under load some reads waited half a second while most waited none)."""
    created = await projects.create("jx.fgw.filer")
    url = system.settings["intake"].resolved_database_url
    # No ROLLBACK on return: giving the connection back must not wait (aiosqlite's thread).
    engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_reset_on_return=None)
    reader = Reader(engine, create_read_sessionmaker(engine))
    finished: list[str] = []

    async def read(name: str) -> None:
        assert await reader.first(PROJECT_FLAGGED, {"project_id": created["id"]}) is not None
        finished.append(name)

    async def give_back_then_read() -> None:
        await greenlet_spawn(held.close)  # returned: "first" is woken, but has not run yet ...
        await read("second")  # ... when "second" asks, in the same step

    try:
        held = await engine.raw_connection()  # the pool's one connection, taken by someone else
        first = asyncio.create_task(read("first"))
        await asyncio.sleep(0.05)  # "first" is now waiting for the connection
        await asyncio.wait_for(asyncio.gather(first, give_back_then_read()), 20)
    finally:
        await engine.dispose()
    assert finished == ["first", "second"]
