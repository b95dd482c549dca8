"""``Idempotency-Key`` for creates: the same key and body replays the first answer; another body
with the key is 422 ``idempotency.key_reused``; a duplicate still in flight is 409.

The key is reserved in its own short transaction before the work starts (so a concurrent
duplicate sees it), and the answer is stored in the request's own transaction (so it commits
with the work, or not at all). A failed attempt releases its reservation.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import JSON, UniqueConstraint, bindparam, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ._auth import Principal
from ._errors import IdempotencyInProgress, IdempotencyKeyReused, InvalidIdempotencyKey
from ._outbox import utcnow
from ._types import UTCDateTime

MAX_KEY_LENGTH = 200


class IdempotencyRecordFields(SQLModel):
    """Columns of a service's ``idempotency_record`` table."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    subject: str = Field(max_length=200)
    key: str = Field(max_length=MAX_KEY_LENGTH)
    endpoint: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    completed: bool = False
    response_status: int | None = None
    response_body: Any = Field(default=None, sa_type=JSON, nullable=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def idempotency_constraints() -> tuple[UniqueConstraint, ...]:
    return (UniqueConstraint("subject", "key", name="uq_idempotency_subject_key"),)


def _body_hash(raw: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def _jsonable(result: Any) -> Any:
    """The answer as JSON values. A model dumps itself (what jsonable_encoder does first anyway,
    without its second walk over the result: 0.35 ms -> 0.013 ms for a project, and a filing holds
    its number's counter row while this runs)."""
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True)
    return jsonable_encoder(result)


@cache
def _statements(model: type[IdempotencyRecordFields]) -> tuple[Any, Any]:
    """The reservation's INSERT and its completion's UPDATE, built once per table: plain statements
    instead of the ORM's unit of work (the completion runs while a filing holds its number's counter)."""
    table: Any = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    complete = (
        update(table)
        .where(table.c.id == bindparam("reservation_id"))
        .values(
            completed=True,
            response_status=bindparam("answer_status"),
            response_body=bindparam("answer_body", type_=table.c.response_body.type),
        )
    )
    return insert(table), complete


def _reservation(principal: Principal, key: str, endpoint: str, digest: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "subject": principal.subject, "key": key, "endpoint": endpoint,
        "request_hash": digest, "completed": False, "response_status": None, "response_body": None,
        "created_at": utcnow(),
    }


async def run_idempotent(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    model: type[IdempotencyRecordFields],
    work: Callable[[], Awaitable[Any]],
    *,
    status_code: int = 201,
    headers: Callable[[Any], dict[str, str]] | None = None,
) -> JSONResponse:
    """Run ``work`` once per (caller, Idempotency-Key); without a key just run it.

    Call it before the request's session has touched the database: the reservation is its own
    transaction and must not wait on the request's.
    """
    key = request.headers.get("idempotency-key")
    if key is None:
        result = await work()
        return JSONResponse(_jsonable(result), status_code=status_code, headers=headers(result) if headers else None)
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(f"Idempotency-Key 须为 1 到 {MAX_KEY_LENGTH} 个字符")
    endpoint = f"{request.method} {request.url.path}"
    digest = _body_hash(await request.body())
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker

    stale_after = timedelta(seconds=getattr(request.app.state.settings, "idempotency_stale_seconds", 120.0))
    reservation = _reservation(principal, key, endpoint, digest)
    reserve_statement, complete_statement = _statements(model)
    for _ in range(2):  # a second time only after taking over a dead request's reservation
        async with sessionmaker() as reserve:
            try:
                await reserve.exec(reserve_statement, params=reservation)
                await reserve.commit()
                break
            except IntegrityError:
                await reserve.rollback()
                existing = (
                    await reserve.exec(select(model).where(model.subject == principal.subject, model.key == key))
                ).first()
                if existing is None:  # released between our insert and our read: ask the client to retry
                    raise IdempotencyInProgress() from None
                if existing.request_hash != digest or existing.endpoint != endpoint:
                    raise IdempotencyKeyReused() from None
                if existing.completed:
                    return JSONResponse(
                        existing.response_body,
                        status_code=existing.response_status or status_code,
                        headers={"Idempotent-Replayed": "true"},
                    )
                if utcnow() - existing.created_at < stale_after:
                    raise IdempotencyInProgress() from None
                # Reserved long ago and never completed: the process that held it died (kill -9,
                # power loss) before its work committed, so nothing was done; the retry takes over.
                await reserve.exec(delete(model).where(col(model.id) == existing.id, col(model.completed).is_(False)))
                await reserve.commit()
                reservation = _reservation(principal, key, endpoint, digest)
    else:
        raise IdempotencyInProgress()
    try:
        result = await work()
        body = _jsonable(result)
        # Stored in the request's transaction, with the work itself.
        await session.exec(
            complete_statement,
            params={"reservation_id": reservation["id"], "answer_status": status_code, "answer_body": body},
        )
    except BaseException:
        # Release our write lock first (SQLite has one writer), then free the key for a retry.
        await session.rollback()
        async with sessionmaker() as release:
            await release.exec(delete(model).where(col(model.id) == reservation["id"]))
            await release.commit()
        raise
    return JSONResponse(body, status_code=status_code, headers=headers(result) if headers else None)
