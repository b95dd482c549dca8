"""The xlsx export streams in keyset batches: every project once, in the list's order, also when
projects share a creation instant across a batch boundary; on SQLite the batches read without the
connection's memory map and big page cache, and the connection gets both back afterwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from intake_kit import Projects, tied_projects
from test_export_xlsx import export

from wenping_intake.exports import endpoints as export_endpoints
from wenping_intake.exports.repository import SCAN_CACHE_KIB, scanning


async def test_batches_cover_every_project_once_across_equal_timestamps(
    system: Any, projects: Projects, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, in_order = await tied_projects(system, projects, "zy.filer", dt.datetime(2026, 3, 2, 8, 0, 0, 654321, tzinfo=dt.UTC))
    monkeypatch.setattr(export_endpoints, "BATCH", 2)  # batch boundaries fall inside the tie
    rows = await export(system, "zy.filer")
    assert [r[0] for r in rows[1:]] == [p.number for p in in_order]
    assert set(ids) <= {p.id for p in in_order}


async def test_scanning_restores_the_connection(system: Any) -> None:
    async with system.apps["intake"].state.read_sessionmaker() as session:
        connection = await session.connection()
        if connection.dialect.name != "sqlite":
            pytest.skip("SQLite connection settings")

        async def pragma(name: str) -> int:
            return int((await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one())

        before = {name: await pragma(name) for name in ("mmap_size", "cache_size")}
        assert before["mmap_size"] > 0
        async with scanning(session):
            assert await pragma("mmap_size") == 0 and await pragma("cache_size") == -SCAN_CACHE_KIB
        assert {name: await pragma(name) for name in ("mmap_size", "cache_size")} == before
