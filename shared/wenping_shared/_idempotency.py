"""``Idempotency-Key`` for creates: the same key and body replays the first answer; another body
with the key is 422 ``idempotency.key_reused``; a duplicate still in flight is 409.

The key is reserved in its own short transaction before the work starts (so a concurrent
duplicate sees it), and the answer is stored in the request's own transaction (so it commits
with the work, or not at all). A failed attempt releases its reservation.

A work may leave its last statement to be sent after it returns, together with the storing of its
answer (``last_statement``): a filing takes its number, which every filing of its region and year
queues on, in the one statement sent just before the commit, and its answer carries the number.
Such a work may also claim the key there (``claim_with_answer``): nothing is reserved before it,
the statement inserts the key's record, completed, and fails on the key's unique constraint if a
duplicate got there first, which is then answered like a key found taken at the start (its first
answer replayed: a concurrent duplicate waits for the first to commit instead of getting a 409).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import JSON, Text, UniqueConstraint, bindparam, delete, insert, true, update
from sqlalchemy import cast as sql_cast
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import Scope

from ._auth import Principal
from ._errors import IdempotencyInProgress, IdempotencyKeyReused, InvalidIdempotencyKey
from ._outbox import utcnow
from ._reader import driver_write
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


_AUTOCOMMITTING: weakref.WeakKeyDictionary[Any, async_sessionmaker[AsyncSession]] = weakref.WeakKeyDictionary()


def autocommitting(sessionmaker: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    """Sessions of ``sessionmaker``'s engine whose statements each commit on their own (PostgreSQL;
    SQLite keeps ``sessionmaker``): a reservation is one INSERT, sent without BEGIN and COMMIT (one
    round trip instead of three; the release and the takeover are one statement each too)."""
    found = _AUTOCOMMITTING.get(sessionmaker)
    if found is None:
        engine = sessionmaker.kw.get("bind")
        found = sessionmaker
        if engine is not None and engine.dialect.name == "postgresql":
            found = async_sessionmaker(
                engine.execution_options(isolation_level="AUTOCOMMIT"), class_=sessionmaker.class_, expire_on_commit=False
            )
        _AUTOCOMMITTING[sessionmaker] = found
    return found


async def on_sqlite_thread(connection: AsyncConnection, fn: Callable[..., Any], *args: Any) -> Any:
    """SQLite (aiosqlite): ``fn(sqlite3_connection, *args)`` on the connection's own thread, in one
    hop of the event loop (each statement through SQLAlchemy is one: under load, 1-3 ms each while
    the write lock is held). A constraint error comes back as SQLAlchemy's, as from ``driver_fetch``."""
    driver: Any = (await connection.get_raw_connection()).driver_connection
    try:
        return await driver._execute(fn, driver._conn, *args)  # aiosqlite: run on its thread; sqlite3's connection
    except sqlite3.IntegrityError as exc:
        raise IntegrityError(getattr(fn, "__name__", "on_sqlite_thread"), None, exc) from exc


_OFFERED = "wenping_last_statement_offered"
_LAST = "wenping_last_statement"


@dataclass(frozen=True)
class Answer:
    """The work's answer, to store with it in its reservation (``reservation_id`` in ``model``'s
    table; None without an Idempotency-Key: nothing to store). ``claim``: the key is not reserved
    yet (``run_idempotent(claim_with_answer=True)``), the answer is stored by inserting this record,
    completed, with the id ``reservation_id``; an IntegrityError then means the key is taken."""

    model: type[IdempotencyRecordFields]
    reservation_id: str | None
    status: int
    body: Any
    claim: dict[str, Any] | None = None


_CLAIMED = ("subject", "key", "endpoint", "request_hash", "created_at")


def claimed_record(answer: Answer, body: Any) -> dict[str, Any]:
    """The row a late claim inserts (``Answer.claim``), completed with ``body``: for
    ``answer_insert_statement``."""
    assert answer.claim is not None
    return {
        "id": answer.reservation_id, **answer.claim, "completed": True, "response_status": answer.status,
        "response_body": body,
    }


def claim_params(answer: Answer) -> dict[str, Any]:
    """The bound values of ``answer_insert`` but the answer's own (``claim_<column>``)."""
    assert answer.claim is not None
    return {f"claim_{name}": answer.claim[name] for name in _CLAIMED}


#: Sends the work's last statement (storing the ``Answer`` in it if it has a reservation) and returns
#: the answer's body with the values that statement decided filled in.
LastStatement = Callable[[Scope, Answer], Awaitable[Any]]


def last_statement_offered(session: AsyncSession) -> bool:
    """Whether the work running in ``session`` may leave its last statement (``leave_last_statement``)."""
    return bool(session.info.get(_OFFERED))


def leave_last_statement(session: AsyncSession, last: LastStatement) -> None:
    """Called by a work (only when ``last_statement_offered``): ``run_idempotent`` calls ``last`` once
    the work has returned and its answer is built, instead of storing the answer itself."""
    session.info[_LAST] = last


def answer_update(model: type[IdempotencyRecordFields], body_text: Any) -> Any:
    """The UPDATE storing an answer whose JSON text is the SQL expression ``body_text`` (for a
    last statement; bound: ``reservation_id``, ``answer_status``)."""
    table: Any = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    return (
        update(table)
        .where(table.c.id == bindparam("reservation_id", type_=table.c.id.type))
        .values(
            completed=True,
            response_status=bindparam("answer_status", type_=table.c.response_status.type),
            response_body=sql_cast(sql_cast(body_text, Text), table.c.response_body.type),
        )
    )


def answer_insert(model: type[IdempotencyRecordFields], body_text: Any, gate: Any) -> Any:
    """The INSERT of a late claim (``Answer.claim``) storing an answer whose JSON text is the SQL
    expression ``body_text``, when ``gate`` holds (for a last statement; bound: ``reservation_id``,
    ``answer_status`` and ``claim_params``). The key's unique constraint fails it if it is taken."""
    table: Any = model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    row = core_select(
        bindparam("reservation_id", type_=table.c.id.type),
        *(bindparam(f"claim_{name}", type_=table.c[name].type) for name in _CLAIMED),
        true(),
        bindparam("answer_status", type_=table.c.response_status.type),
        sql_cast(sql_cast(body_text, Text), table.c.response_body.type),
    ).where(gate)
    return insert(table).from_select([*("id", *_CLAIMED), "completed", "response_status", "response_body"], row)


def answer_insert_statement(model: type[IdempotencyRecordFields]) -> Any:
    """The INSERT of a late claim's whole record (bound by column: ``claimed_record``)."""
    return _statements(model)[0]


def answer_update_statement(model: type[IdempotencyRecordFields]) -> Any:
    """The UPDATE storing an answer (bound: ``reservation_id``, ``answer_status``, ``answer_body``)."""
    return _statements(model)[1]


async def _answered(session: AsyncSession, scope: Scope, answer: Answer) -> Any:
    """Store the answer (with a reservation) and return its body: by the work's last statement if it
    left one."""
    last: LastStatement | None = session.info.pop(_LAST, None)
    if last is not None:
        return await last(scope, answer)
    if answer.claim is not None:  # in the request's transaction: fails at once if the key is taken
        await session.exec(_statements(answer.model)[0], params=claimed_record(answer, answer.body))
    elif answer.reservation_id is not None:
        await session.exec(
            _statements(answer.model)[1],
            params={"reservation_id": answer.reservation_id, "answer_status": answer.status, "answer_body": answer.body},
        )
    return answer.body


async def _work(session: AsyncSession, work: Callable[[], Awaitable[Any]]) -> Any:
    session.info[_OFFERED] = True
    try:
        return await work()
    finally:
        session.info.pop(_OFFERED, None)


@dataclass(frozen=True)
class _Keyed:
    """A request's Idempotency-Key, what it is for and where its records are."""

    principal: Principal
    key: str
    endpoint: str
    digest: str
    model: type[IdempotencyRecordFields]
    sessionmaker: async_sessionmaker[AsyncSession]
    stale_after: timedelta
    status_code: int

    def reservation(self) -> dict[str, Any]:
        return _reservation(self.principal, self.key, self.endpoint, self.digest)

    async def taken(self, missing: BaseException) -> JSONResponse | None:
        """The key was found taken (an insert of it failed): by this same request before (a
        retry), or by another. The first answer replayed, or 422 / 409; None once a dead request's
        stale reservation is removed (the caller tries again); ``missing`` raised if the key holds
        no record after all."""
        model = self.model
        async with self.sessionmaker() as reserve:
            existing = (
                await reserve.exec(select(model).where(model.subject == self.principal.subject, model.key == self.key))
            ).first()
            if existing is None:
                raise missing
            if existing.request_hash != self.digest or existing.endpoint != self.endpoint:
                raise IdempotencyKeyReused() from None
            if existing.completed:
                return JSONResponse(
                    existing.response_body,
                    status_code=existing.response_status or self.status_code,
                    headers={"Idempotent-Replayed": "true"},
                )
            if utcnow() - existing.created_at < self.stale_after:
                raise IdempotencyInProgress() from None
            # Reserved long ago and never completed: the process that held it died (kill -9,
            # power loss) before its work committed, so nothing was done; the retry takes over.
            await reserve.exec(delete(model).where(col(model.id) == existing.id, col(model.completed).is_(False)))
            await reserve.commit()
        return None


async def run_idempotent(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    model: type[IdempotencyRecordFields],
    work: Callable[[], Awaitable[Any]],
    *,
    status_code: int = 201,
    headers: Callable[[Any], dict[str, str]] | None = None,
    claim_with_answer: bool = False,
) -> JSONResponse:
    """Run ``work`` once per (caller, Idempotency-Key); without a key just run it.

    Call it before the request's session has touched the database: the reservation is its own
    transaction and must not wait on the request's.

    ``claim_with_answer``: the key is not reserved before the work but claimed by inserting its
    record, completed, with the answer, in the work's last statement (or the request's
    transaction): one statement fewer, for a work that writes nothing before it (a filing). A
    concurrent duplicate then finds the key taken at the end, after the first committed, and
    replays its answer instead of a 409; what it did is rolled back.
    """
    key = request.headers.get("idempotency-key")
    if key is None:
        result = await _work(session, work)
        body = await _answered(session, request.scope, Answer(model, None, status_code, _jsonable(result)))
        return JSONResponse(body, status_code=status_code, headers=headers(result) if headers else None)
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(f"Idempotency-Key 须为 1 到 {MAX_KEY_LENGTH} 个字符")
    keyed = _Keyed(
        principal, key, f"{request.method} {request.url.path}", _body_hash(await request.body()), model,
        autocommitting(request.app.state.sessionmaker),
        timedelta(seconds=getattr(request.app.state.settings, "idempotency_stale_seconds", 120.0)), status_code,
    )
    if claim_with_answer:
        return await _claimed_with_answer(request, session, keyed, work, headers)
    reservation = keyed.reservation()
    reserve_statement = _statements(model)[0]
    for _ in range(2):  # a second time only after taking over a dead request's reservation
        try:
            # One statement by the driver, committing on its own: as a Core execution it cost more
            # CPU than the rest of the reservation.
            await driver_write(keyed.sessionmaker.kw["bind"], reserve_statement, reservation)
            break
        except IntegrityError:
            pass
        # Gone between our insert and our read (released): the client is asked to retry.
        replay = await keyed.taken(missing=IdempotencyInProgress())
        if replay is not None:
            return replay
        reservation = keyed.reservation()
    else:
        raise IdempotencyInProgress()
    try:
        result = await _work(session, work)
        # Stored in the request's transaction, with the work itself.
        body = await _answered(session, request.scope, Answer(model, reservation["id"], status_code, _jsonable(result)))
    except BaseException:
        # Release our write lock first (SQLite has one writer), then free the key for a retry.
        await session.rollback()
        async with keyed.sessionmaker() as release:
            await release.exec(delete(model).where(col(model.id) == reservation["id"]))
            await release.commit()
        raise
    return JSONResponse(body, status_code=status_code, headers=headers(result) if headers else None)


async def _claimed_with_answer(
    request: Request,
    session: AsyncSession,
    keyed: _Keyed,
    work: Callable[[], Awaitable[Any]],
    headers: Callable[[Any], dict[str, str]] | None,
) -> JSONResponse:
    """``run_idempotent(claim_with_answer=True)``: the work, then its answer stored by claiming the key."""
    for _ in range(2):  # a second time only after removing a dead request's reservation
        reservation = keyed.reservation()
        claim = {name: reservation[name] for name in _CLAIMED}
        try:
            result = await _work(session, work)
            answer = Answer(keyed.model, reservation["id"], keyed.status_code, _jsonable(result), claim=claim)
            body = await _answered(session, request.scope, answer)
        except IntegrityError as exc:
            await session.rollback()  # nothing of the work stays
            # Not the key's constraint (the key holds no record): the work's own error.
            replay = await keyed.taken(missing=exc)
            if replay is not None:
                return replay
            continue
        except BaseException:
            await session.rollback()
            raise
        return JSONResponse(body, status_code=keyed.status_code, headers=headers(result) if headers else None)
    raise IdempotencyInProgress()
