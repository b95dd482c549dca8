"""Two replicas' outbox relays on one database deliver every message exactly once: a message is
claimed (FOR UPDATE SKIP LOCKED on PostgreSQL, the exclusive write transaction on SQLite) and
leased before it is sent, so the other relay never sends it too."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import MetaData
from sqlmodel import SQLModel, col, select

from wenping_shared import OutboxMessageFields, OutboxRelay, ServiceClient, create_engine, create_sessionmaker

_metadata = MetaData()
_TABLE = f"outbox_claim_{uuid.uuid4().hex[:8]}"


class _Base(SQLModel):
    metadata = _metadata


class ClaimTestMessage(OutboxMessageFields, _Base, table=True):
    __tablename__ = _TABLE


class CountingPeers(ServiceClient):
    """A peer that accepts everything, slowly enough for two relays to overlap, and counts."""

    def __init__(self, received: Counter[str]) -> None:
        super().__init__(httpx.AsyncClient(), {}, None)
        self.received = received

    async def request(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.received[kwargs["headers"]["Idempotency-Key"]] += 1
        await asyncio.sleep(0.002)
        return httpx.Response(200, json={})


async def test_two_relays_deliver_each_message_once(system: Any) -> None:
    url = system.settings["intake"].resolved_database_url
    engines = [create_engine(url), create_engine(url)]  # two processes' pools
    async with engines[0].begin() as connection:
        await connection.run_sync(_metadata.create_all)
    try:
        makers = [create_sessionmaker(e) for e in engines]
        async with makers[0]() as session:
            for i in range(60):
                session.add(ClaimTestMessage(destination="review", path=f"/api/v1/x/{i}", payload={"i": i}))
            await session.commit()
        received: Counter[str] = Counter()
        relays = [OutboxRelay(m, ClaimTestMessage, CountingPeers(received), poll_seconds=60) for m in makers]
        delivered = await asyncio.gather(*(relay.drain() for relay in relays), *(relay.drain() for relay in relays))
        assert sum(delivered) == 60
        assert len(received) == 60 and set(received.values()) == {1}, "a message was sent twice"
        async with makers[1]() as session:
            rows = (await session.exec(select(ClaimTestMessage))).all()
        assert all(r.delivered_at is not None and r.attempts == 1 for r in rows)
    finally:
        async with engines[0].begin() as connection:
            await connection.run_sync(_metadata.drop_all)
        for engine in engines:
            await engine.dispose()


async def test_a_claimed_message_waits_for_its_lease(system: Any) -> None:
    """A replica that claimed a message and died only delays it: the lease ends, another sends it."""
    url = system.settings["intake"].resolved_database_url
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_metadata.create_all)
    try:
        maker = create_sessionmaker(engine)
        async with maker() as session:
            session.add(ClaimTestMessage(destination="review", path="/api/v1/x/leased", payload={}))
            await session.commit()
        received: Counter[str] = Counter()
        relay = OutboxRelay(maker, ClaimTestMessage, CountingPeers(received), poll_seconds=60)
        claimed = await relay._claim(10)  # the "dead" replica's claim
        assert len(claimed) == 1
        assert await relay.drain() == 0 and not received
        async with maker() as session:
            row = (await session.exec(select(ClaimTestMessage).where(col(ClaimTestMessage.id) == claimed[0].id))).one()
            row.available_at = row.created_at  # the lease is over
            session.add(row)
            await session.commit()
        assert await relay.drain() == 1 and sum(received.values()) == 1
    finally:
        async with engine.begin() as connection:
            await connection.run_sync(_metadata.drop_all)
        await engine.dispose()
