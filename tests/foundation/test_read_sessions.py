"""The read path's sessions (``wenping_shared`` ``read_session``): they cannot write, and a pooled
connection the server has closed never turns into a failed read (no pre-ping any more)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from wenping_intake.risk_watch.models import WarningFlag
from wenping_shared._db import ReadingRefused, create_engine


async def test_a_read_session_refuses_to_write(system: Any) -> None:
    app = system.apps["intake"]
    async with app.state.reading_sessionmaker() as reading:
        reading.add(WarningFlag(project_id="只读会话", warning_id="不得写入", score=1.0))
        with pytest.raises(ReadingRefused):
            await reading.flush()


async def test_a_connection_the_server_closed_is_replaced_before_a_read(system: Any) -> None:
    """The server ends every pooled connection of intake (as a restart does); the next reads are
    answered without an error, on fresh connections."""
    app = system.apps["intake"]
    engine = app.state.runtime.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server connections")
    headers = await system.auth("jx.reviewer")
    first = await system.intake.get("/api/v1/projects", params={"limit": 1}, headers=headers)
    assert first.status_code == 200, first.text
    async with app.state.reading_sessionmaker() as session:
        mine = (await session.exec(text("SELECT pg_backend_pid()"))).one()[0]
    outside = create_engine(str(engine.url.render_as_string(hide_password=False)))  # not intake's pool
    try:
        async with outside.connect() as admin:
            ended = await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            assert ended.all(), "intake had pooled connections to end"
    finally:
        await outside.dispose()
    await asyncio.sleep(0.2)  # the event loop reads the server's close
    for _ in range(3):
        again = await system.intake.get("/api/v1/projects", params={"limit": 1}, headers=headers)
        assert again.status_code == 200, again.text
    async with app.state.reading_sessionmaker() as session:
        assert (await session.exec(text("SELECT pg_backend_pid()"))).one()[0] != mine
