"""Async engine and sessions (SQLite via aiosqlite by default, PostgreSQL via asyncpg).

Sessions never expire on commit (no lazy reloads under async) and commit in exactly one place:
the request's session dependency (``db_session``), before the response is sent. Services only
``add`` and ``flush``; an error rolls everything back, so nothing is half-written.

The deliberate exceptions, each committing its own transaction for a stated reason:

- a refused action's record (an audit record, a login failure): ``record_apart`` ends the
  request's transaction and commits the record alone, because the refusal rolls the request back
  and the record must survive it (the one helper for "record this refusal durably, then refuse");
- idempotency keys (``_idempotency.run_idempotent``): the key is claimed in a transaction of its
  own, so a concurrent duplicate sees it before the work commits (a filing claims it instead in
  its one last statement, with its answer: ``claim_with_answer``);
- the outbox relay (``_outbox.OutboxRelay``): delivery attempts are bookkeeping of a background
  task, outside any request;
- a filing's one last statement (intake ``projects/numbering.py``, offered through
  ``run_idempotent``): when it is all the request writes, it is sent on an autocommitting
  connection and commits on its own (one statement is atomic), so the number counter and the
  audit chain's head are held only while it runs; otherwise it runs in the request's transaction
  and this dependency commits it as usual.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from ._audit import AuditRecordFields, AuditTrail, append, mark_recorded, unstage
from ._idempotency import IdempotencyRecordFields, idempotency_constraints
from ._outbox import OutboxMessageFields, outbox_indexes


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False, read_only: bool = False) -> AsyncEngine:
    """``read_only`` (SQLite only) begins transactions deferred: for requests that only read, so a
    long aggregate never holds the single write lock (WAL lets readers and a writer run together)."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Eight kept, none beyond, for reads: each aiosqlite connection is a thread and a file
        # opened with its PRAGMAs, and the default overflow opened and closed them under load
        # (py-spy of GET by id at 64 connections: Thread.start and connect on the hot path).
        pool: dict[str, Any] = {"pool_size": 8, "max_overflow": 0} if read_only else {}
        # Connections go back rolled back only if still in a transaction (``_rollback_if_open``):
        # a session ends its own, and the Reader's and the driver's statements run outside any.
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, pool_reset_on_return=None, **pool)
        event.listen(engine.sync_engine, "reset", _rollback_if_open)
        _configure_sqlite(engine, begin="BEGIN" if read_only else "BEGIN IMMEDIATE")
        return engine
    # Twenty kept, none beyond: the same ceiling as ten plus ten overflow, but an overflow
    # connection was closed on every return and opened again under load (64 concurrent reads:
    # 0.98-1.45 -> 0.79-0.92 ms CPU per GET by id).
    engine = create_async_engine(url, echo=echo, pool_size=20, max_overflow=0)
    _replace_closed_connections(engine)
    return engine


def _replace_closed_connections(engine: AsyncEngine) -> None:
    """A pooled connection the server has closed (a restart, an administrator's terminate) is
    replaced at checkout, before any statement is sent on it. asyncpg learns of the close as soon
    as the event loop reads it, so asking the driver costs nothing; ``pool_pre_ping`` asked the
    server instead (BEGIN, ';', ROLLBACK on asyncpg: three round trips before every request's
    first statement, more than the one-row read itself). Raising ``DisconnectionError`` here
    makes the pool discard the connection and check out another (SQLAlchemy's documented
    pessimistic handling); a connection that dies mid-request still fails only that request and
    invalidates the pool, as before."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(_: Any, record: Any, __: Any) -> None:
        driver = record.driver_connection
        if driver is None or driver.is_closed():
            raise DisconnectionError("the server closed this pooled connection")


def _rollback_if_open(dbapi_connection: Any, record: Any, state: Any) -> None:
    """SQLite's pools reset a returned connection only if it is still in a transaction (SQLAlchemy's
    documented custom reset scheme, with ``pool_reset_on_return=None``). The default rolled back
    every connection returned without a transaction of SQLAlchemy's own: one more trip to
    aiosqlite's thread after each statement the driver sent itself (a read through the Reader, a
    filing's transaction in one call, a rate limit's upsert). SQLite itself says whether one is
    open (the connections run in autocommit mode: every transaction is begun explicitly)."""
    if state.asyncio_safe and not state.terminate_only and record.driver_connection.in_transaction:
        dbapi_connection.rollback()


def _configure_sqlite(engine: AsyncEngine, begin: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy, not the driver, begin transactions (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL stays consistent after a crash and only risks the last commits on
        # power loss: the usual trade for the embedded database (production runs PostgreSQL).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if begin == "BEGIN":
            # Read connections scan large indexes (statistics, exports): map the file and keep more
            # pages cached instead of SQLite's 2 MB default.
            cursor.execute("PRAGMA mmap_size=268435456")
            cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # SQLite cannot upgrade a read lock to a write lock under contention without failing;
        # taking the write lock up front serialises writers instead of erroring them.
        conn.exec_driver_sql(begin)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class ReadingRefused(RuntimeError):
    """A read session was asked to write: a programming error (the route must take ``db_session``)."""


class _ReadOnlySession(Session):
    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise ReadingRefused("只读会话（read_session）不能写入：会写入的路由须使用 db_session")
        super().flush(objects)


class ReadSession(AsyncSession):
    """The session of a route that only reads (``read_session``): it refuses to flush changes."""

    sync_session_class = _ReadOnlySession


def create_read_sessionmaker(read_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for ``read_session``. On PostgreSQL without a transaction: each statement commits
    on its own (asyncpg then sends no BEGIN and no COMMIT, two of a one-row read's three round
    trips). Under READ COMMITTED, PostgreSQL's default, every statement takes its own snapshot
    inside a transaction too, so a read-only route sees nothing different. SQLite keeps its
    deferred read transaction (one snapshot, no round trips to save)."""
    if read_engine.dialect.name == "sqlite":
        bind = read_engine
    else:
        bind = read_engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(bind, class_=ReadSession, expire_on_commit=False, autoflush=False)


_READING_METHODS = frozenset({"GET", "HEAD"})


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work. Use with ``Depends(db_session, scope="function")`` so the commit
    happens before the response is sent and a failed commit is an error, not a lost write.
    GET and HEAD get the read sessionmaker (the same one except on SQLite). A write's audit record
    is chained into the same transaction just before the commit (``_audit.AuditTrail.seal``)."""
    state = request.app.state
    sessionmaker: async_sessionmaker[AsyncSession] = (
        state.read_sessionmaker if request.method in _READING_METHODS else state.sessionmaker
    )
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            trail: AuditTrail | None = getattr(state, "audit", None)
            # Last, so the chain's head is locked only for the commit (see _audit).
            sealed = trail is not None and await trail.seal(session, request.scope)
            await session.commit()
            if sealed:
                mark_recorded()


async def read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The session of a GET route that only reads (``create_read_sessionmaker``): nothing to
    commit, no audit record to chain (reads are not audited unless refused, which
    ``AuditMiddleware`` records apart). A route that may write takes ``db_session``."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.reading_sessionmaker
    async with sessionmaker() as session:
        yield session


async def record_apart(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], *records: SQLModel
) -> None:
    """Commit ``records`` in a transaction of their own, after abandoning the request's: for the
    record of a refused action, which the refusal's rollback must not take with it. Call it just
    before raising the refusal. (The request's transaction ends first: SQLite has one writer.)"""
    await session.rollback()
    unstage(session)
    audited = [r for r in records if isinstance(r, AuditRecordFields)]
    async with sessionmaker() as own:
        own.add_all([r for r in records if not isinstance(r, AuditRecordFields)])
        await append(own, audited)  # audit records are chained (see _audit)
        await own.commit()
    if audited:
        mark_recorded()


def outbox_and_idempotency_tables(
    base: type[SQLModel],
) -> tuple[type[OutboxMessageFields], type[IdempotencyRecordFields]]:
    """The ``outbox_message`` and ``idempotency_record`` tables on a service's own metadata
    (``base``, its ``TableBase``): every service keeps both, declared the same way."""

    def body(table: str, args: tuple[object, ...]) -> Callable[[dict[str, Any]], None]:
        def fill(namespace: dict[str, Any]) -> None:
            namespace.update(__tablename__=table, __table_args__=args, __module__=base.__module__)

        return fill

    outbox = types.new_class(
        "OutboxMessage", (OutboxMessageFields, base), {"table": True}, body("outbox_message", outbox_indexes())
    )
    idempotency = types.new_class(
        "IdempotencyRecord",
        (IdempotencyRecordFields, base),
        {"table": True},
        body("idempotency_record", idempotency_constraints()),
    )
    return outbox, idempotency
