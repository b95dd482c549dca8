"""Reads that run one statement on a pooled connection's driver, without an ORM session.

The two reads clients poll all day (a project by id, the project list) answer from one Core
statement each. Through a session that statement cost about 370 us of CPU in-process (the
session, its transaction bookkeeping, SQLAlchemy's execution context and result objects) and the
``yield`` dependency that opens and closes the session about 150 us more (FastAPI closes it in a
shielded cancel scope); the same statement sent by the driver on a connection checked out of
the same pool cost about 150 us (py-spy and in-process timings, bench/results/). So a
``Reader`` compiles each statement once for the engine's dialect and, per call, checks a
connection out of the engine's pool, sends the SQL with the driver, converts the values with
the columns' own SQLAlchemy types (the same result and bind processing a session applies) and
returns the connection at once: a request holds no connection while it builds its response.

One statement is one snapshot, as a read session's statements are on PostgreSQL (autocommit,
``create_read_sessionmaker``). A route that needs ORM objects opens ``Reader.session()`` for
them. Statements with parameters SQLAlchemy renders per call (``expanding`` IN lists,
literal-executed values) run through SQLAlchemy Core on a connection instead, equally without a
session. The engine's pool events (the closed-connection check, the pool gauge) apply as usual.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import asyncpg
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.util import greenlet_spawn
from sqlmodel.ext.asyncio.session import AsyncSession

#: What the drivers raise when the database cannot be reached or the connection broke: answered
#: 503 like SQLAlchemy's own OperationalError (``_errors``).
_UNAVAILABLE = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, sqlite3.OperationalError)

_CONSTRAINT = (asyncpg.IntegrityConstraintViolationError, sqlite3.IntegrityError)

_KEPT_STATEMENTS = 256

_Processor = Callable[[Any], Any] | None


#: Per position of a statement compiled for the driver: the parameter's name, the value the
#: statement binds itself (a literal), and its type's conversion of a value for the driver.
DriverBinds = tuple[tuple[str, Any, _Processor], ...]


def _driver_form(compiled: Any) -> tuple[str, DriverBinds]:
    dialect = compiled.dialect
    return compiled.string, tuple(
        (name, compiled.binds[name].value, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in compiled.positiontup or ()
    )


@cache
def driver_sql(statement: Any, dialect: Any) -> tuple[str, DriverBinds]:
    """``statement`` compiled once for the driver: its SQL and its positions (``DriverBinds``). Sent
    as the driver's SQL, a statement is not keyed for SQLAlchemy's compiled cache on every execution
    (for a statement as large as a filing's, the costliest step of the request in py-spy). Only for
    statements built once (module constants, a statement per shape)."""
    return _driver_form(statement.compile(dialect=dialect))


def driver_values(binds: DriverBinds, params: Mapping[str, Any]) -> list[Any]:
    """The values of the positions, from ``params`` by name (else the statement's own), converted."""
    return [
        value if processor is None else processor(value)
        for value, processor in ((params[name] if name in params else fixed, processor) for name, fixed, processor in binds)
    ]


async def driver_fetch(engine: AsyncEngine, sql: str, values: Sequence[Any]) -> Sequence[Sequence[Any]]:
    """Send ``sql`` (``driver_sql``'s) with ``values`` (``driver_values``') by the driver on a
    connection checked out of ``engine``'s pool and returned at once; the rows as the driver gives
    them. Outside any transaction: the statement is its own snapshot, and commits on its own."""
    pooled = await engine.raw_connection()
    try:
        driver: Any = pooled.driver_connection
        if engine.dialect.name == "sqlite":
            # aiosqlite: one trip to its thread; the connection is in autocommit (``_db``).
            rows: Sequence[Sequence[Any]] = await driver.execute_fetchall(sql, values)
            return rows
        return await driver.fetch(sql, *values)  # type: ignore[no-any-return]
    except _CONSTRAINT as exc:  # as SQLAlchemy reports it, so callers handle one exception
        raise IntegrityError(sql, values, exc) from exc
    except _UNAVAILABLE as exc:
        pooled.invalidate(exc)
        raise OperationalError(sql, values, exc) from exc
    finally:
        await greenlet_spawn(pooled.close)


#: SQLite: this process's writers that send their statements by the driver (``driver_write``,
#: ``_idempotency.on_sqlite_thread``) queue here for the one write lock, instead of in SQLite's
#: busy handler (which sleeps 1 to 100 ms between tries).
_SQLITE_WRITERS: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


def sqlite_writer(engine: AsyncEngine) -> asyncio.Lock:
    lock = _SQLITE_WRITERS.get(engine.sync_engine)
    if lock is None:
        lock = _SQLITE_WRITERS[engine.sync_engine] = asyncio.Lock()
    return lock


async def driver_write(engine: AsyncEngine, statement: Any, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
    """``statement`` (built once: ``driver_sql``) sent alone by the driver with ``params``, outside
    any transaction, so it commits on its own; on SQLite behind this process's writer lock
    (``sqlite_writer``). The rows it returns."""
    sql, binds = driver_sql(statement, engine.dialect)
    values = driver_values(binds, params)
    if engine.dialect.name != "sqlite":
        return await driver_fetch(engine, sql, values)
    async with sqlite_writer(engine):
        return await driver_fetch(engine, sql, values)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    binds: DriverBinds
    row: type[tuple[Any, ...]]  # a named tuple of the selected columns' keys
    converted: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, its type's result processor)


def _pool_size(engine: AsyncEngine) -> int:
    size = getattr(engine.sync_engine.pool, "size", None)
    return max(1, size()) if callable(size) else 64


class Reader:
    """One statement per call on a pooled connection's driver (see the module docstring)."""

    def __init__(self, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker
        self._dialect = engine.dialect
        # Keyed by the statement object: the hot statements are built once (module constants, a
        # statement per shape), so this holds SQL text, never values.
        self._compiled: dict[int, tuple[Select[Any], _Compiled | None]] = {}
        # Reads queue for the pool's connections in arrival order. SQLAlchemy's async pool waits
        # on an asyncio.Queue, where a newcomer takes a connection just returned before the waiter
        # woken for it, who queues again at the back: under 64 connections of load a few reads
        # waited half a second for a connection while the median waited none (timed per read).
        # asyncio.Semaphore admits in FIFO order; sized to the pool, the checkout behind it
        # rarely waits (only when sessions hold connections too).
        self._turns = asyncio.Semaphore(_pool_size(engine))

    async def first(self, statement: Select[Any], params: Mapping[str, Any]) -> Any | None:
        """The first row (attributes named as the selected columns), or None."""
        rows = await self.all(statement, params)
        return rows[0] if rows else None

    async def all(self, statement: Select[Any], params: Mapping[str, Any]) -> list[Any]:
        """Every row, each a named tuple of the selected columns."""
        compiled = self._compile(statement)
        if compiled is None:
            async with self.engine.connect() as connection:
                return list((await connection.execute(statement, dict(params))).all())
        values = driver_values(compiled.binds, params)
        async with self._turns:
            raw = await driver_fetch(self.engine, compiled.sql, values)
        make, converted = compiled.row._make, compiled.converted  # type: ignore[attr-defined]
        if not converted:
            return [make(r) for r in raw]
        rows = []
        for r in raw:
            values = list(r)
            for index, convert in converted:
                values[index] = convert(values[index])
            rows.append(make(values))
        return rows

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A read session for what needs ORM objects (the rarer parts of a hot read)."""
        async with self.sessionmaker() as session:
            yield session

    def _compile(self, statement: Select[Any]) -> _Compiled | None:
        known = self._compiled.get(id(statement))
        if known is not None and known[0] is statement:
            return known[1]
        dialect = self._dialect
        compiled = statement.compile(dialect=dialect)
        result: _Compiled | None = None
        if not compiled.post_compile_params and not compiled.literal_execute_params:
            sql, binds = _driver_form(compiled)
            columns = list(statement.selected_columns)
            result = _Compiled(
                sql=sql,
                binds=binds,
                row=namedtuple("ReadRow", [column.key for column in columns], rename=True),  # type: ignore[misc]
                converted=tuple(
                    (index, convert)
                    for index, column in enumerate(columns)
                    if (convert := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
                ),
            )
        if len(self._compiled) >= _KEPT_STATEMENTS:  # only built-once statements belong here
            self._compiled.clear()
        self._compiled[id(statement)] = (statement, result)
        return result


__all__ = ["DriverBinds", "Reader", "driver_fetch", "driver_sql", "driver_values", "driver_write", "sqlite_writer"]
