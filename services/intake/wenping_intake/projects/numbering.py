"""Human project numbers, WP-<region>-<year>-<seq:05d>, unique per region and year.

The counter row is incremented with one UPDATE ... RETURNING inside the filing transaction: the
row lock (PostgreSQL) or the single writer (SQLite) serialises concurrent filings, and a number
is never handed out twice nor lost to a rolled-back filing. The first use of a (region, year)
inserts the row with ON CONFLICT DO NOTHING, so two first filings cannot both insert it.

A filing on PostgreSQL takes its number last (``number_last``): the counter row is locked from its
UPDATE to the commit, and every filing of the region and year queues on it, so everything that
carries the number is written by the one statement that takes it, sent just before the commit
(the project row, its first ledger row, whose hash covers the number, and the stored
Idempotency-Key answer), together with what other writers queue on too: the audit record chained
onto the trail's head and the statistics tallies. Locks are taken in the order every other writer
takes them (counter, audit head, tallies). Until then the project lives only in Python, with a
placeholder (``project.number``, a random token) where the number goes. When the request has
written nothing else, the statement is the whole filing and commits on its own.

On SQLite (one writer) the same writes are sent as one transaction in one call on the connection's
thread (``_file_on_sqlite``): each statement through SQLAlchemy is a hop of the event loop, 1-3 ms
under load, all of them spent holding the database's write lock.
"""

from __future__ import annotations

import hashlib
import json
import operator
import sqlite3
import uuid
import weakref
from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import ARRAY, Text, bindparam, case, exists, func, insert, update
from sqlalchemy import cast as sql_cast
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import Scope

from wenping_shared import (
    Answer,
    AuditTrail,
    answer_insert,
    answer_insert_statement,
    answer_update,
    answer_update_statement,
    append,
    chain_records,
    chained_insert,
    chained_params,
    claim_params,
    claimed_record,
    driver_sql,
    driver_values,
    driver_write,
    last_statement_offered,
    leave_last_statement,
    on_sqlite_thread,
    sealed,
    sqlite_writer,
)

from ..database import IdempotencyRecord
from ..ledger.models import LedgerEntry
from ..ledger.service import entry_content, hashed_text
from ..stats.models import ProjectTally
from ..stats.repository import TALLY_COUNTS, add_to_tallies
from ..stats.tallies import count_new_project, new_project_rows
from .models import Project, ProjectNumberCounter


def format_number(region_code: str, year: int, seq: int) -> str:
    return f"WP-{region_code}-{year}-{seq:05d}"


def _bump(region_code: Any, year: Any) -> Any:
    table = ProjectNumberCounter.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime; its class type does not declare it
    return (
        update(table)
        .where(table.c.region_code == region_code, table.c.year == year)
        .values(last_seq=table.c.last_seq + 1)
        .returning(table.c.last_seq)
    )


def _first_of_year_insert(region_code: str, year: int, dialect: str = "postgresql") -> Any:
    """The counter row of a (region, year) not numbered yet (two first filings may both insert it)."""
    table = ProjectNumberCounter.__table__  # type: ignore[attr-defined]
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert_(table).values(region_code=region_code, year=year, last_seq=0).on_conflict_do_nothing(
        index_elements=["region_code", "year"]
    )


async def _first_of_year(session: AsyncSession, region_code: str, year: int) -> None:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    await session.exec(_first_of_year_insert(region_code, year, dialect))


async def next_seq(session: AsyncSession, region_code: str, year: int) -> int:
    bump = _bump(region_code, year)
    seq = (await session.exec(bump)).scalar_one_or_none()
    if seq is not None:
        return int(seq)
    await _first_of_year(session, region_code, year)
    return int((await session.exec(bump)).scalar_one())


async def next_number(session: AsyncSession, region_code: str, year: int) -> tuple[int, str]:
    seq = await next_seq(session, region_code, year)
    return seq, format_number(region_code, year, seq)


# --- the number taken last (PostgreSQL) ---------------------------------------------------------

#: Written by the last statement, not bound from the object.
_PROJECT_LATER = ("number", "seq", "ledger_head_hash")
_ENTRY_LATER = ("details", "hash")


def _fields(model: Any, prefix: str, later: tuple[str, ...] = ()) -> Callable[[Any], dict[str, Any]]:
    """A function of a ``model`` instance giving its fields (but ``later``) as parameters named
    ``<prefix><field>``: the names made once, the values read by one ``attrgetter`` call (a
    comprehension formatting and reading some 60 names was 4 % of a filing in py-spy)."""
    names = tuple(name for name in model.model_fields if name not in later)
    keys = tuple(f"{prefix}{name}" for name in names)
    values = operator.attrgetter(*names)
    return lambda instance: dict(zip(keys, values(instance), strict=True))


_project_bound = _fields(Project, "p_", _PROJECT_LATER)
_entry_bound = _fields(LedgerEntry, "e_", _ENTRY_LATER)
_project_row = _fields(Project, "p_")
_entry_row = _fields(LedgerEntry, "e_")
_TALLY_KEY = ("facet", "region_code", "year", "value")


#: Engines whose audit trail has its head row (never removed, once written): a filing's statement
#: then chains its record itself and may commit alone.
_HEAD_SEEN: weakref.WeakSet[Engine] = weakref.WeakSet()
_AUTOCOMMIT: weakref.WeakKeyDictionary[Engine, AsyncEngine] = weakref.WeakKeyDictionary()


def _autocommit(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` (its pool) with each statement committing on its own."""
    found = _AUTOCOMMIT.get(engine.sync_engine)
    if found is None:
        found = _AUTOCOMMIT[engine.sync_engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


async def _alone(engine: AsyncEngine, statement: Any, params: dict[str, Any], project: Project) -> Any:
    """Send the filing's statement by the driver on a connection of its own, outside a transaction:
    it commits on its own."""
    rows = await driver_write(engine, statement, params)
    if not rows:  # the first filing of its region and year: nothing was written
        async with _autocommit(engine).connect() as connection:
            await connection.execute(_first_of_year_insert(project.region_code, project.year))
        rows = await driver_write(engine, statement, params)
    return rows[0]


def number_last_offered(session: AsyncSession) -> bool:
    """Whether a filing in ``session`` may take its number last (``number_last``): under
    ``run_idempotent``, which sends the work's last statement with its answer (PostgreSQL, and
    SQLite through aiosqlite)."""
    bind = session.bind
    return (
        bind is not None and (bind.dialect.name, bind.dialect.driver) in (("postgresql", "asyncpg"), ("sqlite", "aiosqlite"))
        and last_statement_offered(session)
    )


def placeholder(project: Project) -> None:
    """Mark ``project`` as numbered later: a random token where the number goes (in the project, its
    ledger row's details and the answer), replaced by the number in the last statement."""
    project.number = f"#{uuid.uuid4().hex}#"
    project.seq = 0


@cache
def _last_statement(answered: str, audit_model: Any) -> Any:
    """The filing's one statement (built once per shape): bump the counter; insert the project and its
    first ledger row with the number; store the answer (``answered``: "update" its reservation,
    "insert" its late claim, "" none: no Idempotency-Key); chain the request's audit
    record onto the head once the counter is held (``audit_model``, or None: chained by ``seal``)
    and add the project to the tallies once the head is held (else the commit adds them)."""
    projects: Any = Project.__table__  # type: ignore[attr-defined]
    ledger: Any = LedgerEntry.__table__  # type: ignore[attr-defined]
    region = bindparam("p_region_code", type_=projects.c.region_code.type)
    year = bindparam("p_year", type_=projects.c.year.type)
    token = bindparam("token", type_=Text)
    bump = _bump(region, year).cte("bump")
    seq = bump.c.last_seq
    number = func.concat(
        bindparam("number_prefix", type_=Text),
        case((seq < 100000, func.lpad(sql_cast(seq, Text), 5, "0")), else_=sql_cast(seq, Text)),
    )
    entry_hash = func.encode(
        func.sha256(func.convert_to(func.replace(bindparam("entry_text", type_=Text), token, number), "UTF8")), "hex"
    )
    num = core_select(seq.label("seq"), number.label("number"), entry_hash.label("entry_hash")).cte("num")

    def bound(table: Any, prefix: str, name: str) -> Any:
        if prefix == "p_" and name in ("region_code", "year"):
            return region if name == "region_code" else year
        return bindparam(f"{prefix}{name}", type_=table.c[name].type)

    project_names = [name for name in projects.c.keys() if name not in _PROJECT_LATER]
    project_row = (
        insert(projects)
        .from_select(
            [*project_names, *_PROJECT_LATER],
            core_select(
                *(bound(projects, "p_", n).label(n) for n in project_names), num.c.number, num.c.seq, num.c.entry_hash
            ),
        )
        .returning(projects.c.id)
        .cte("project_row")
    )
    entry_names = [name for name in ledger.c.keys() if name not in _ENTRY_LATER]
    details = sql_cast(func.replace(bindparam("entry_details", type_=Text), token, num.c.number), ledger.c.details.type)
    entry_row = (
        insert(ledger)
        .from_select(
            [*entry_names, *_ENTRY_LATER],
            core_select(*(bound(ledger, "e_", n).label(n) for n in entry_names), details.label("details"), num.c.entry_hash),
        )
        .returning(ledger.c.id)
        .cte("entry_row")
    )

    def count(cte: Any) -> Any:
        return core_select(func.count()).select_from(cte).scalar_subquery()

    columns = [num.c.seq, num.c.number, num.c.entry_hash, count(project_row), count(entry_row)]
    if answered:
        answer_text = func.replace(bindparam("answer_text", type_=Text), token, core_select(num.c.number).scalar_subquery())
        numbered = exists(core_select(num.c.seq))
        stored = (
            answer_insert(IdempotencyRecord, answer_text, gate=numbered)
            if answered == "insert"  # the key's unique constraint fails the whole statement if it is taken
            else answer_update(IdempotencyRecord, answer_text).where(numbered)
        )
        answer_row = stored.returning(IdempotencyRecord.__table__.c.id).cte("answer_row")  # type: ignore[attr-defined]
        columns.append(count(answer_row))
    if audit_model is not None:
        # The head only once the counter is ours (a one-time filter on the number, evaluated first).
        audit_row = chained_insert(audit_model, gate=exists(core_select(num.c.seq))).cte("audit_row")
        columns.append(core_select(audit_row.c.seq).scalar_subquery().label("audit_seq"))
        columns.append(count(_tallies(audit_row)))
    return core_select(*columns)


def _tallies(after: Any) -> Any:
    """The tally UPSERT of a new project (arrays bound as ``t_<column>``, keys sorted), run once per
    row of ``after`` (the audit record: its rows are locked only once the head is held)."""
    tally: Any = ProjectTally.__table__  # type: ignore[attr-defined]
    names = (*_TALLY_KEY, *TALLY_COUNTS)
    rows = core_select(
        *(func.unnest(bindparam(f"t_{n}", type_=ARRAY(tally.c[n].type))).label(n) for n in names)
    ).select_from(after)
    upsert = postgresql.insert(tally).from_select(list(names), rows)
    upsert = upsert.on_conflict_do_update(
        index_elements=list(_TALLY_KEY), set_={n: tally.c[n] + upsert.excluded[n] for n in TALLY_COUNTS}
    )
    return upsert.returning(tally.c.facet).cte("tallied")


def number_last(session: AsyncSession, project: Project, entry: LedgerEntry) -> None:
    """Leave the filing's last statement (``number_last_offered``): ``project`` (with its
    ``placeholder``) and its first ledger row ``entry`` are inserted by it, not staged."""
    token = project.number
    project.ledger_seq = entry.seq

    async def last(scope: Scope, answer: Answer) -> Any:
        trail: AuditTrail | None = getattr(scope["app"].state, "audit", None) if "app" in scope else None
        records = trail.records(session, scope, created=[("project", project.id)]) if trail is not None else []
        if session.bind is not None and session.bind.dialect.name == "sqlite":
            await _on_sqlite(session, project, entry, answer, records)
            if records:
                sealed(session)
            return _filled(answer.body, token, project.number)
        chained = records[0] if len(records) == 1 else None
        params: dict[str, Any] = {
            **_project_bound(project),
            **_entry_bound(entry),
            "token": token,
            "number_prefix": format_number(project.region_code, project.year, 0)[:-5],
            "entry_text": hashed_text(entry.prev_hash, entry_content(entry)),
            "entry_details": json.dumps(entry.details, ensure_ascii=False),
        }
        answered = "" if answer.reservation_id is None else "update" if answer.claim is None else "insert"
        if answered:
            params.update(
                reservation_id=answer.reservation_id, answer_status=answer.status,
                answer_text=json.dumps(answer.body, ensure_ascii=False),
            )
        if answer.claim is not None:
            params.update(claim_params(answer))
        if chained is not None:
            params.update(chained_params(chained))
            params.update({f"t_{name}": values for name, values in new_project_rows(project).items()})
        statement = _last_statement(answered, type(chained) if chained is not None else None)
        engine = session.bind if isinstance(session.bind, AsyncEngine) else None
        if chained is not None and engine is not None and engine.sync_engine in _HEAD_SEEN and not session.in_transaction():
            # The request has written nothing else: the statement is the whole filing and commits on
            # its own (no BEGIN and COMMIT round trips; the counter is held only while it runs).
            row = await _alone(engine, statement, params, project)
        else:
            row = (await session.exec(statement, params=params)).first()
            if row is None:  # the first filing of its region and year: nothing was written
                await _first_of_year(session, project.region_code, project.year)
                row = (await session.exec(statement, params=params)).one()
        if chained is not None and row[-2] is not None and engine is not None:
            _HEAD_SEEN.add(engine.sync_engine)
        project.seq, project.number, project.ledger_head_hash = int(row[0]), row[1], row[2]
        entry.details = {**entry.details, "number": project.number}
        entry.hash = row[2]
        if chained is None or row[-2] is None:
            # Not chained by the statement (the trail's first record: no head row yet; or several
            # records): chained now, after the counter like every filing; the tallies at the commit.
            await append(session, records)
            count_new_project(session, project)
        if records:
            sealed(session)
        return _filled(answer.body, token, project.number)

    leave_last_statement(session, last)


# --- SQLite: the filing's transaction in one call on the connection's thread -----------------------

@cache
def _sqlite_statements() -> tuple[Any, Any, Any, Any]:
    projects: Any = Project.__table__  # type: ignore[attr-defined]
    ledger: Any = LedgerEntry.__table__  # type: ignore[attr-defined]
    bump = _bump(bindparam("region_code", type_=Text), bindparam("year", type_=projects.c.year.type))
    first = sqlite.insert(ProjectNumberCounter.__table__).values(  # type: ignore[attr-defined]
        region_code=bindparam("region_code", type_=Text), year=bindparam("year", type_=projects.c.year.type), last_seq=0
    ).on_conflict_do_nothing(index_elements=["region_code", "year"])
    project_row = insert(projects).values({n: bindparam(f"p_{n}", type_=c.type) for n, c in projects.c.items()})
    entry_row = insert(ledger).values({n: bindparam(f"e_{n}", type_=c.type) for n, c in ledger.c.items()})
    return bump, first, project_row, entry_row


def _file_on_sqlite(
    db: sqlite3.Connection, dialect: Any, project: Project, entry: LedgerEntry, answer: Answer,
    records: list[Any], tallies: list[dict[str, Any]],
) -> None:
    """The filing's statements, run on the sqlite3 connection's own thread (aiosqlite's): one hop
    of the event loop for the whole transaction, the write lock held only while SQLite works."""
    def run(statement: Any, params: dict[str, Any]) -> sqlite3.Cursor:
        sql, binds = driver_sql(statement, dialect)
        return db.execute(sql, driver_values(binds, params))

    bump, first, project_row, entry_row = _sqlite_statements()
    own = not db.in_transaction
    if own:
        db.execute("BEGIN IMMEDIATE")
    try:
        key = {"region_code": project.region_code, "year": project.year}
        row = run(bump, key).fetchone()
        if row is None:  # the first filing of its region and year
            run(first, key)
            row = run(bump, key).fetchone()
        token = project.number
        project.seq, project.number = int(row[0]), format_number(project.region_code, project.year, int(row[0]))
        hashed = hashed_text(entry.prev_hash, entry_content(entry)).replace(token, project.number)
        entry.details = {**entry.details, "number": project.number}
        entry.hash = project.ledger_head_hash = hashlib.sha256(hashed.encode()).hexdigest()
        run(project_row, _project_row(project))
        run(entry_row, _entry_row(entry))
        if answer.claim is not None:  # the key's unique constraint fails it if the key is taken
            run(answer_insert_statement(answer.model), claimed_record(answer, _filled(answer.body, token, project.number)))
        elif answer.reservation_id is not None:
            run(answer_update_statement(answer.model), {
                "reservation_id": answer.reservation_id, "answer_status": answer.status,
                "answer_body": _filled(answer.body, token, project.number),
            })
        chain_records(run, records)
        if tallies:
            sql, binds = driver_sql(add_to_tallies("sqlite"), dialect)
            db.executemany(sql, [driver_values(binds, t) for t in tallies])
        if own:
            db.execute("COMMIT")
    except BaseException:
        if own:
            db.execute("ROLLBACK")
        raise


async def _on_sqlite(session: AsyncSession, project: Project, entry: LedgerEntry, answer: Answer, records: list[Any]) -> None:
    """SQLite: the whole filing in one call on a connection's thread; on a connection of its own when
    the request has not begun a transaction (it then commits alone), else in the request's."""
    columns = new_project_rows(project)
    tallies = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    engine = session.bind
    assert isinstance(engine, AsyncEngine)

    work = (_file_on_sqlite, engine.dialect, project, entry, answer, records, tallies)
    if session.in_transaction():
        await on_sqlite_thread(await session.connection(), *work)
        return
    async with sqlite_writer(engine), engine.connect() as connection:
        await on_sqlite_thread(connection, *work)


def _filled(value: Any, token: str, number: str) -> Any:
    """``value`` (JSON values) with the placeholder replaced by the number."""
    if isinstance(value, str):
        return value.replace(token, number) if token in value else value
    if isinstance(value, dict):
        return {key: _filled(item, token, number) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, token, number) for item in value]
    return value
