"""Database behaviour the services rely on, on both backends."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from wenping_shared.demo import org_id


async def test_a_long_read_does_not_block_a_write(system: Any) -> None:
    """GET requests read in deferred transactions: a slow statistics query never holds the write lock."""
    app = system.apps["registry"]
    async with app.state.read_sessionmaker() as reading:
        await reading.exec(text("SELECT count(*) FROM organization"))  # the read transaction is now open
        created = await asyncio.wait_for(
            system.registry.post(
                "/api/v1/organizations",
                json={"name": f"读写并发测试单位{id(reading)}", "kind": "department", "region_code": "330400"},
                headers=await system.auth("zj.admin"),
            ),
            timeout=10,
        )
        assert created.status_code == 201, created.text
        # The open read keeps its snapshot; a new read sees the write.
        assert (await reading.exec(text("SELECT 1"))).one()[0] == 1
    listing = await system.registry.get("/api/v1/organizations", params={"q": "读写并发测试单位", "limit": 200},
                                        headers=await system.auth("zj.admin"))
    assert any(o["id"] == created.json()["id"] for o in listing.json()["items"])


async def test_concurrent_writes_are_serialised_not_failed(system: Any) -> None:
    headers = await system.auth("zj.admin")

    async def create(i: int) -> int:
        response = await system.registry.post(
            "/api/v1/organizations",
            json={"name": f"并发写入测试单位{i}-{id(headers)}", "kind": "institution", "region_code": "330402"},
            headers=headers,
        )
        return response.status_code

    statuses = await asyncio.gather(*(create(i) for i in range(12)))
    assert statuses == [201] * 12
    assert org_id("嘉兴学院")  # demo ids stay deterministic


async def test_a_connection_returned_in_a_transaction_is_rolled_back(tmp_path: Any) -> None:
    """SQLite's pools reset only a connection still in a transaction (``_db._rollback_if_open``,
    instead of a rollback on every return): one returned mid-transaction leaves nothing written and
    the write lock free; one returned outside a transaction is not sent a ROLLBACK."""
    from sqlalchemy.util import greenlet_spawn

    from wenping_shared import create_engine

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'reset.db'}")
    try:
        pooled = await engine.raw_connection()
        driver = pooled.driver_connection
        await driver.execute("BEGIN IMMEDIATE")
        await driver.execute("CREATE TABLE reset_probe (x INTEGER)")
        await greenlet_spawn(pooled.close)
        async with engine.begin() as connection:  # the write lock is free (a held one would wait 30 s)
            tables = (await connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE name = 'reset_probe'")).all()
        assert tables == []
        pooled = await engine.raw_connection()
        rollbacks: list[str] = []
        sent = pooled.driver_connection
        original = sent.rollback

        async def counted() -> None:
            rollbacks.append("rollback")
            await original()

        sent.rollback = counted
        await sent.execute("SELECT 1")
        await greenlet_spawn(pooled.close)
        sent.rollback = original
        assert rollbacks == []
    finally:
        await engine.dispose()
