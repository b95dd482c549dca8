"""The transactional outbox: a message to a peer is written in the same transaction as the change
that causes it, then relayed until the peer accepts it.

Delivery is at-least-once; each message carries an ``Idempotency-Key`` (``outbox:<id>``) and
receivers apply it idempotently, so the effect is exactly once. A peer that is down only delays
delivery; nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Index, func
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ._background import BackgroundLoop
from ._errors import ServiceUnavailable
from ._http import ServiceClient
from ._types import UTCDateTime

logger = logging.getLogger("wenping.outbox")

#: Give up on a message a peer keeps rejecting with 4xx after this many attempts (kept for audit).
MAX_ATTEMPTS_ON_REJECTION = 5
#: Messages one replica claims at a time, and how long the claim keeps other replicas off them.
CLAIM_BATCH = 20
CLAIM_LEASE = timedelta(minutes=5)


def utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxMessageFields(SQLModel):
    """Columns of a service's ``outbox_message`` table (each service declares the table on its own
    metadata: ``class OutboxMessage(OutboxMessageFields, TableBase, table=True)``)."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    destination: str = Field(max_length=32, description="intake | review | registry")
    method: str = Field(default="POST", max_length=8)
    path: str = Field(max_length=300)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    available_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    attempts: int = 0
    dead: bool = False
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)


def outbox_indexes(table_name: str = "outbox_message") -> tuple[Index, ...]:
    return (Index(f"ix_{table_name}_pending", "delivered_at", "dead", "available_at"),)


def enqueue(
    session: AsyncSession,
    model: type[OutboxMessageFields],
    destination: str,
    path: str,
    message: BaseModel,
) -> OutboxMessageFields:
    """Stage ``message`` (a model of ``wenping_shared.contracts.messages``, which the receiver
    takes as its body) in the caller's transaction: committed with it, or not at all."""
    payload = message.model_dump(mode="json")
    row = model(destination=destination, path=path, payload=payload)
    session.add(row)
    return row


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What a registered deliverer reports for one attempt."""

    delivered: bool
    status: int | None = None
    error: str | None = None
    #: Stop retrying (kept, marked dead, for audit).
    give_up: bool = False
    #: Seconds until the next attempt; None for the relay's own backoff.
    retry_in: float | None = None


#: Delivers messages of one destination that is not a peer service (e.g. webhooks to subscribers).
OutboxDeliverer = Callable[[OutboxMessageFields], Awaitable[DeliveryOutcome]]


class OutboxRelay(BackgroundLoop):
    """Background task that delivers pending messages; ``wake()`` after a commit sends at once.

    Messages go to peer services by default; ``register()`` hands a destination to another
    deliverer (it brings its own transport, signing and retry policy)."""

    name = "outbox-relay"

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        model: type[OutboxMessageFields],
        client: ServiceClient,
        poll_seconds: float = 2.0,
    ) -> None:
        super().__init__()
        self._sessionmaker = sessionmaker
        self._model = model
        self._client = client
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._drain_lock = asyncio.Lock()
        self._deliverers: dict[str, OutboxDeliverer] = {}

    def register(self, destination: str, deliverer: OutboxDeliverer) -> None:
        """Register before the relay's first pass (right after start-up, before any ``await``)."""
        self._deliverers[destination] = deliverer

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        return await self.drain()

    async def pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
        self._wake.clear()

    async def drain(self, *, limit: int = 100) -> int:
        """Deliver what is due now; return how many were delivered."""
        async with self._drain_lock:
            delivered = attempted = 0
            while attempted < limit:
                due = await self._claim(min(CLAIM_BATCH, limit - attempted))
                if not due:
                    break
                attempted += len(due)
                for message in due:
                    ok = await self._deliver(message)
                    delivered += ok
                    async with self._sessionmaker() as session:
                        session.add(message)
                        await session.commit()
            return delivered

    async def _claim(self, count: int) -> list[OutboxMessageFields]:
        """Take up to ``count`` due messages for this process: other replicas skip the rows locked
        here (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's write transaction is exclusive) and,
        once committed, see them leased until ``CLAIM_LEASE`` from now. A process that dies while
        delivering only delays its messages until the lease ends."""
        model = self._model
        async with self._sessionmaker() as session:
            result = await session.exec(
                select(model)
                .where(col(model.delivered_at).is_(None), col(model.dead).is_(False))
                .where(col(model.available_at) <= utcnow())
                .order_by(col(model.created_at))
                .limit(count)
                .with_for_update(skip_locked=True)
            )
            due = list(result.all())
            leased_until = utcnow() + CLAIM_LEASE
            for message in due:
                message.available_at = leased_until
            await session.commit()
        return due

    async def backlog(self) -> tuple[int, float | None, int]:
        """Undelivered messages, the age in seconds of the oldest one, and the dead ones."""
        model = self._model
        async with self._sessionmaker() as session:
            pending = col(model.delivered_at).is_(None) & col(model.dead).is_(False)
            count, oldest = (await session.exec(
                select(func.count(), func.min(col(model.created_at))).where(pending)
            )).one()
            dead = (await session.exec(select(func.count()).where(col(model.dead).is_(True)))).one()
        age = (utcnow() - oldest).total_seconds() if oldest is not None else None
        return int(count), age, int(dead)

    async def _deliver(self, message: OutboxMessageFields) -> bool:
        message.attempts += 1
        deliverer = self._deliverers.get(message.destination)
        if deliverer is not None:
            return self._apply(message, await deliverer(message))
        try:
            response = await self._client.request(
                message.destination,
                message.method,
                message.path,
                json=message.payload,
                headers={"Idempotency-Key": f"outbox:{message.id}"},
            )
        except ServiceUnavailable as exc:
            self._retry_later(message, None, str(exc))
            return False
        message.last_status = response.status_code
        if response.status_code < 300:
            message.delivered_at = utcnow()
            message.last_error = None
            return True
        error = response.text[:500]
        if 400 <= response.status_code < 500 and response.status_code not in (401, 408, 429):
            if message.attempts >= MAX_ATTEMPTS_ON_REJECTION:
                message.dead = True
                logger.error("outbox message %s rejected by %s: %s", message.id, message.destination, error)
        self._retry_later(message, response.status_code, error)
        return False

    def _apply(self, message: OutboxMessageFields, outcome: DeliveryOutcome) -> bool:
        message.last_status = outcome.status
        if outcome.delivered:
            message.delivered_at = utcnow()
            message.last_error = None
            return True
        if outcome.give_up:
            message.dead = True
        self._retry_later(message, outcome.status, outcome.error or "", outcome.retry_in)
        return False

    @staticmethod
    def _retry_later(message: OutboxMessageFields, status: int | None, error: str, delay: float | None = None) -> None:
        message.last_status = status
        message.last_error = error[:500]
        if delay is None:
            delay = min(300.0, 2.0 ** min(message.attempts, 8))
        message.available_at = utcnow() + timedelta(seconds=delay)
