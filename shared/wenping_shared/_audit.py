"""The security audit trail (等保 level 3): every state change, login, refusal, export, draw and
configuration change, per service, in append-only, hash-chained records.

Coverage does not depend on anyone remembering to audit: it happens at two central points.

- **In the request's transaction** (``db_session``, the one commit point, calls ``seal`` just
  before it commits): a successful write request (POST/PUT/PATCH/DELETE) gets its record in the
  same transaction as its change, so neither exists without the other. A domain may write richer
  records of its own instead (``stage_audit_record``: the registry's logins, agency and expert changes, draws);
  then those are the request's records.
- **Apart** (``AuditMiddleware``, when the response starts, before the client sees it): whatever
  the transaction did not record: refusals (401, 403, 404, 429) on any method, failed writes (the
  request's transaction rolled back, so its record commits alone), successful writes that used no
  database session, exports (a GET answering a file: xlsx, docx, pdf, csv, zip) and reads of the
  trail itself. A failed
  write of such a record is logged at ERROR (``audit write failed``) and the answer still goes out:
  the refusal or read has already happened and hiding its answer would not undo it.

The chain: each record has a sequence number (1, 2, ...), the previous record's hash and its own,
``sha256`` over a canonical JSON of the sequence, the previous hash and every field. Appends take
the one-row ``audit_chain`` head ``FOR UPDATE`` as late as possible (just before the commit), so
replicas on one PostgreSQL never fork the chain (SQLite serialises writers anyway). The head also
holds the last sequence and hash, so a removed tail is detected too. Nothing updates or deletes a
record except ``purge``, which removes the records older than the retention and leaves an
HMAC-SHA256-signed checkpoint (last purged sequence and hash, count, time range) in the head;
``verify`` starts from it, so the chain still verifies after a purge and a forged checkpoint fails.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, cast

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel
from pydantic import Field as Described
from sqlalchemy import JSON, Text, bindparam, delete, event, func, insert, inspect, update
from sqlalchemy import cast as sql_cast
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import Message, Receive, Scope, Send

from ._auth import Principal, require_roles
from ._context import current_request_id
from ._middleware import HttpMiddleware
from ._outbox import utcnow
from ._pagination import Page, PageParamsDep
from ._types import UTCDateTime
from .contracts.vocab import LabelledEnum

logger = logging.getLogger("wenping.audit")

GENESIS = "0" * 64
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Refusals audited on any method: not authenticated, forbidden, not found (or not visible), rate limited.
REFUSALS = frozenset({401, 403, 404, 429})
#: A GET answering one of these is an export (or a document download) and is audited.
EXPORT_MEDIA_TYPES = (
    "application/vnd.openxmlformats-officedocument",
    "application/pdf",
    "text/csv",
    "application/zip",
)
Result = Literal["success", "denied", "failed"]


class AuditResult(LabelledEnum):
    """审计动作的结果"""

    success = "success", "成功"
    denied = "denied", "拒绝"
    failed = "failed", "失败"


_STAGED = "wenping_audit_staged"
_SEALED = "wenping_audit_sealed"
AUDIT_PREFIX = "/api/v1/audit/"
_BATCH = 1000


class AuditRecordFields(SQLModel):
    """Columns of a service's ``audit_record`` table (append-only)."""

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    #: The principal's subject, ``anonymous``, or ``login:<username>`` for a failed login.
    actor: str = Field(max_length=200, index=True)
    actor_roles: list[str] = Field(default_factory=list, sa_type=JSON, nullable=False)
    #: ``METHOD /route/{template}`` for a request, or a domain's own name (``auth.login``).
    action: str = Field(max_length=200, index=True)
    object_type: str | None = Field(default=None, max_length=64)
    object_id: str | None = Field(default=None, max_length=128, index=True)
    result: str = Field(max_length=16, description="success | denied | failed (AuditResult)")
    status: int | None = None
    request_id: str | None = Field(default=None, max_length=128)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)

    #: Set by ``audit_tables``: the service's ``audit_chain`` table.
    chain_model: ClassVar[type[AuditChainFields]]


class AuditChainFields(SQLModel):
    """The one row of a service's ``audit_chain`` table: the chain's head and the purge checkpoint."""

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(default=GENESIS, max_length=64)
    purged_seq: int | None = None
    purged_hash: str | None = Field(default=None, max_length=64)
    purged_count: int = 0
    purged_first_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    purged_last_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    purged_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    signature: str | None = Field(default=None, max_length=64)


def audit_tables(
    base: type[SQLModel], record_mixin: type | None = None
) -> tuple[type[AuditRecordFields], type[AuditChainFields]]:
    """The ``audit_record`` and ``audit_chain`` tables on a service's own metadata (``base``).
    ``record_mixin``: plain-Python extras of the record class (properties), e.g. the registry's."""
    module = {"__module__": base.__module__}
    chain = type("AuditChain", (AuditChainFields, base), {**module, "__tablename__": "audit_chain"}, table=True)
    bases = (record_mixin, AuditRecordFields, base) if record_mixin else (AuditRecordFields, base)
    record = cast(type[AuditRecordFields], type("AuditRecord", bases, {**module, "__tablename__": "audit_record"}, table=True))
    record.chain_model = chain
    return record, chain


# --- the chain ------------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="microseconds") if moment is not None else None


def _canonical(record: AuditRecordFields, seq: int, prev_hash: str) -> str:
    content = {
        "seq": seq,
        "prev_hash": prev_hash,
        "at": _iso(record.at),
        "actor": record.actor,
        "actor_roles": list(record.actor_roles),
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "result": record.result,
        "status": record.status,
        "request_id": record.request_id,
        "detail": record.detail,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(record: AuditRecordFields) -> str:
    """sha256 of the canonical JSON of the sequence, the previous hash and every field."""
    return hashlib.sha256(_canonical(record, record.seq, record.prev_hash).encode()).hexdigest()


def _canonical_around_head(record: AuditRecordFields) -> tuple[str, str, str]:
    """The canonical JSON of ``record`` cut where the head's values go: ``before + prev_hash + between
    + str(seq) + after`` is what ``record_hash`` hashes. Keys are sorted, so the top-level
    ``prev_hash`` and ``seq`` come after ``detail`` (the only nested values) and the last match
    of each is the top-level one; a quote inside a string value is escaped, so no value matches."""
    raw = _canonical(record, 0, "")
    before, prev_key, rest = raw.rpartition(',"prev_hash":""')
    between, seq_key, after = rest.rpartition(',"seq":0')
    assert prev_key and seq_key, "canonical audit JSON without its head fields"
    return before + ',"prev_hash":"', '"' + between + ',"seq":', after


def checkpoint_signature(chain: AuditChainFields, key: bytes) -> str:
    """HMAC-SHA256 over what a purge removed: the last purged sequence and hash, count, time range."""
    signed = {
        "purged_seq": chain.purged_seq,
        "purged_hash": chain.purged_hash,
        "purged_count": chain.purged_count,
        "purged_first_at": _iso(chain.purged_first_at),
        "purged_last_at": _iso(chain.purged_last_at),
        "purged_at": _iso(chain.purged_at),
    }
    raw = json.dumps(signed, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()


async def _locked_head(session: AsyncSession, chain: type[AuditChainFields]) -> AuditChainFields:
    locked = select(chain).where(chain.id == 1).with_for_update().execution_options(populate_existing=True)
    head = (await session.exec(locked)).first()
    if head is None:  # the first record of a new trail: two writers may both get here
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        await session.exec(insert(chain).values(id=1, seq=0, hash=GENESIS, purged_count=0).on_conflict_do_nothing())  # type: ignore[call-overload]
        head = (await session.exec(locked)).one()
    return head


_HEAD_FIELDS = ("seq", "prev_hash", "hash")


def chained_insert(model: type[AuditRecordFields], gate: Any = None) -> Any:
    """PostgreSQL: the INSERT of one record chained onto the head in one statement: the head is read
    ``FOR UPDATE`` inside the UPDATE that moves it (so its values are the latest committed ones) and
    the record's hash is computed by the database over ``record_hash``'s canonical JSON, cut around
    the head's values (``_canonical_around_head``: bound as ``before``, ``between``, ``after``; the
    other fields as ``field_<name>``: ``chained_params``). ``gate``, a condition evaluated before
    the head is read (a one-time filter), lets a larger statement lock what it must first (a filing
    takes its number's counter, then the head)."""
    chain: Any = model.chain_model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    table: Any = model.__table__  # type: ignore[attr-defined]
    reading = core_select(chain.c.id, chain.c.seq, chain.c.hash).where(chain.c.id == 1)
    if gate is not None:
        reading = reading.where(gate)
    head = reading.with_for_update().subquery("head")
    seq = head.c.seq + 1
    canonical = func.concat(
        bindparam("before", type_=Text), head.c.hash, bindparam("between", type_=Text), sql_cast(seq, Text),
        bindparam("after", type_=Text),
    )
    moved = (
        update(chain)
        .where(chain.c.id == head.c.id)
        .values(seq=seq, hash=func.encode(func.sha256(func.convert_to(canonical, "UTF8")), "hex"))
        .returning(chain.c.seq, head.c.hash.label("prev_hash"), chain.c.hash)
        .cte("moved")
    )
    fields = [name for name in table.c.keys() if name not in _HEAD_FIELDS]
    values = [bindparam(f"field_{name}", type_=table.c[name].type).label(name) for name in fields]
    return (
        insert(table)
        .from_select([*fields, *_HEAD_FIELDS], core_select(*values, moved.c.seq, moved.c.prev_hash, moved.c.hash))
        .returning(table.c.seq, table.c.prev_hash, table.c.hash)
    )


def chained_params(record: AuditRecordFields) -> dict[str, Any]:
    """The values ``chained_insert`` binds for ``record``."""
    before, between, after = _canonical_around_head(record)
    params: dict[str, Any] = {"before": before, "between": between, "after": after}
    params.update({f"field_{name}": getattr(record, name) for name in type(record).model_fields if name not in _HEAD_FIELDS})
    return params


@cache
def _one_statement(model: type[AuditRecordFields]) -> Any:
    """The statement of ``_append_in_one_statement`` for one service's tables, built once (building
    and keying it per request cost about 2 ms while the head is locked)."""
    return chained_insert(model)


async def _append_in_one_statement(session: AsyncSession, record: AuditRecordFields) -> bool:
    """PostgreSQL: lock the head, chain ``record`` onto it and insert it in one statement, one round
    trip instead of three while the head, which every write of the service queues on, is held.
    False, with nothing written, when there is no head row yet."""
    row = (await session.exec(_one_statement(type(record)), params=chained_params(record))).first()
    if row is None:
        return False
    record.seq, record.prev_hash, record.hash = row
    return True


@cache
def _sqlite_statements(model: type[AuditRecordFields]) -> tuple[Any, Any, Any, Any]:
    """SQLite: read the head, insert it (a new trail), move it, insert a record (``chain_records``)."""
    chain: Any = model.chain_model.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    table: Any = model.__table__  # type: ignore[attr-defined]
    read = core_select(chain.c.seq, chain.c.hash).where(chain.c.id == 1)
    start = sqlite_insert(chain).values(id=1, seq=0, hash=GENESIS, purged_count=0).on_conflict_do_nothing()
    move = update(chain).where(chain.c.id == 1).values(seq=bindparam("head_seq"), hash=bindparam("head_hash"))
    add = insert(table).values({name: bindparam(f"field_{name}", type_=column.type) for name, column in table.c.items()})
    return read, start, move, add


def chain_records(execute: Callable[[Any, dict[str, Any]], Any], records: Sequence[AuditRecordFields]) -> None:
    """SQLite, in a transaction that holds the write lock: chain ``records`` onto the head and insert
    them, each statement run by ``execute(statement, params)`` (returning a DB-API cursor): for a
    caller that sends its whole transaction at once (a filing, projects/numbering.py)."""
    if not records:
        return
    read, start, move, add = _sqlite_statements(type(records[0]))
    head = execute(read, {}).fetchone()
    if head is None:
        execute(start, {})
        head = execute(read, {}).fetchone()
    seq, prev_hash = head
    for record in records:
        record.seq, record.prev_hash = seq + 1, prev_hash
        record.hash = record_hash(record)
        execute(add, {f"field_{name}": getattr(record, name) for name in type(record).model_fields})
        seq, prev_hash = record.seq, record.hash
    execute(move, {"head_seq": seq, "head_hash": prev_hash})


async def append(session: AsyncSession, records: Sequence[AuditRecordFields]) -> None:
    """Chain ``records`` (in order) onto the head, in ``session``'s transaction. Call it last."""
    if not records:
        return
    await session.flush()  # what the request staged goes first (the lock below is held until the commit)
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if len(records) == 1 and dialect == "postgresql" and await _append_in_one_statement(session, records[0]):
        return
    head = await _locked_head(session, type(records[0]).chain_model)
    for record in records:
        record.seq, record.prev_hash = head.seq + 1, head.hash
        record.hash = record_hash(record)
        head.seq, head.hash = record.seq, record.hash
    session.add_all(records)
    session.add(head)
    await session.flush()


# --- what a request's records say --------------------------------------------------------------


def _plain(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    # Stored exactly as hashed: JSON values only (dates as ISO text).
    return cast(dict[str, Any], json.loads(json.dumps(dict(detail or {}), default=str, ensure_ascii=False)))


def new_audit_record(
    model: type[AuditRecordFields],
    actor: Principal | str | None,
    action: str,
    object_type: str | None,
    object_id: str | None,
    *,
    result: Result | str = "success",
    status: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditRecordFields:
    """An unchained record (sequence and hashes are given by ``append``)."""
    if isinstance(actor, Principal):
        subject, roles = actor.subject, sorted(actor.roles)
    else:
        subject, roles = actor or "anonymous", []
    return model(  # ``at`` given, not left to its default factory: pydantic inspects a factory's signature per call
        seq=0, at=utcnow(), actor=subject[:200], actor_roles=roles, action=action[:200], object_type=object_type,
        object_id=object_id[:128] if object_id else None, result=result, status=status,
        request_id=current_request_id(), detail=_plain(detail), prev_hash="", hash="",
    )


@dataclass
class RequestAudit:
    """What the central points know of the request in flight (a mutable object in a ContextVar, so
    changes made deeper in the request reach the middleware)."""

    #: The request's records are committed (in its transaction, or apart).
    recorded: bool = False
    #: Who the request's token says the caller is (``authenticate``).
    principal: Principal | None = None
    #: Set by a refusal that knows better what was refused (a rate limit).
    action: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    #: A POST that computes an answer and changes nothing (precheck): audited only when refused or failed.
    changes_nothing: bool = False


_request_audit: ContextVar[RequestAudit | None] = ContextVar("wenping_request_audit", default=None)


def note_refusal(action: str, detail: Mapping[str, Any]) -> None:
    """Name what is being refused, for the refusal's record (e.g. ``rate_limit.exports``)."""
    audit = _request_audit.get()
    if audit is not None:
        audit.action, audit.detail = action, dict(detail)


def note_principal(principal: Principal) -> None:
    """The request's caller, once its token is verified."""
    audit = _request_audit.get()
    if audit is not None:
        audit.principal = principal


async def changes_nothing() -> None:
    """Route dependency of a POST that only computes an answer (e.g. precheck): its successes are
    not state changes, so they are not chained (each would queue on the chain's head for nothing);
    its refusals and failures still are. ``async`` so FastAPI calls it on the event loop: a plain
    ``def`` dependency costs a thread-pool hop per request (bench/results/profile-review-precheck.txt)."""
    audit = _request_audit.get()
    if audit is not None:
        audit.changes_nothing = True


def mark_recorded() -> None:
    """The request's own records are committed: the central points add none."""
    audit = _request_audit.get()
    if audit is not None:
        audit.recorded = True


def stage_audit_record(session: AsyncSession, record: AuditRecordFields) -> AuditRecordFields:
    """A domain's own record of a change, chained and committed with the request's transaction
    (``seal``); a rollback drops it (the refusal is then recorded apart)."""
    session.info.setdefault(_STAGED, []).append(record)
    return record


def unstage(session: AsyncSession) -> None:
    """Drop the staged records of an abandoned transaction."""
    session.info.pop(_STAGED, None)
    session.info.pop(_CREATED, None)
    session.info.pop(_SEALED, None)


def sealed(session: AsyncSession) -> None:
    """The request's records are chained into its transaction already (by a statement that took
    them from ``AuditTrail.records`` and ``chained_insert``): ``seal`` adds none."""
    session.info[_SEALED] = True


def _result_of(status: int) -> Result:
    if status < 400:
        return "success"
    return "denied" if status in REFUSALS else "failed"


#: Bookkeeping tables, never "the object" a request created.
_BOOKKEEPING = frozenset({"audit_record", "audit_chain", "outbox_message", "idempotency_record", "rate_window"})
_CREATED = "wenping_audit_created"


@event.listens_for(Session, "pending_to_persistent")
def _note_created(session: Session, instance: Any) -> None:
    # The rows a request inserted, in order: a create's record names the one it created.
    table = getattr(instance, "__tablename__", None)
    if isinstance(table, str) and table not in _BOOKKEEPING:
        created = session.info.setdefault(_CREATED, [])
        if len(created) < 20:  # an import inserts thousands; the first few name the object
            identity = inspect(instance).identity or ()
            created.append((table, ":".join(str(v) for v in identity)))


def _created_object(created: list[tuple[str, str]], area: str | None) -> tuple[str | None, str | None]:
    """The row a create made: the first of the route's own kind (``projects`` -> ``project``), or the first."""
    wanted = (area or "").replace("-", "_").removesuffix("s")
    for table, identity in created:
        if table == wanted:
            return table, identity
    return created[0] if created else (area, None)


def _request_record(
    model: type[AuditRecordFields], scope: Scope, status: int, *, location: str | None = None,
    kind: str | None = None, created: list[tuple[str, str]] | None = None,
) -> AuditRecordFields:
    """The central record of a request: the route template as the action, the last path parameter
    (or the row a create inserted, or its Location, or the route's area) as the object."""
    route = scope.get("route")
    template = getattr(route, "path", None) or scope.get("path", "")
    audit = _request_audit.get()
    params: dict[str, Any] = scope.get("path_params") or {}
    areas = [p for p in template.removeprefix("/api/v1/").split("/") if p and not p.startswith("{")]
    object_type: str | None
    object_id: str | None = None
    if params:
        name, value = list(params.items())[-1]
        object_type, object_id = name.removesuffix("_id"), str(value)
    elif created:
        object_type, object_id = _created_object(created, areas[0] if areas else None)
    elif location:
        parts = [p for p in location.split("?")[0].split("/") if p]
        object_type, object_id = (parts[-2], parts[-1]) if len(parts) >= 2 else (None, parts[-1] if parts else None)
    else:
        object_type = areas[0] if areas else None
    detail: dict[str, Any] = dict(audit.detail) if audit is not None else {}
    if kind:
        detail["kind"] = kind
    action = audit.action if audit is not None and audit.action else f"{scope.get('method', '')} {template}"
    return new_audit_record(model, audit.principal if audit else None, action, object_type, object_id, result=_result_of(status),
                      status=status, detail=detail)


# --- the service's trail -----------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    intact: bool
    checked: int
    head_seq: int
    first_broken_seq: int | None = None
    problem: str | None = None
    checkpoint: dict[str, Any] | None = None


@dataclass(frozen=True)
class Purge:
    purged: int
    through_seq: int | None


class AuditTrail:
    """A service's audit trail: its two tables and the checkpoint key (``app.state.audit``)."""

    def __init__(self, record_model: type[AuditRecordFields], key: bytes) -> None:
        self.model = record_model
        self.chain = record_model.chain_model
        self.key = key

    def records(
        self, session: AsyncSession, scope: Scope, created: list[tuple[str, str]] | None = None
    ) -> list[AuditRecordFields]:
        """The request's records, taken from the session (``seal`` chains them): the staged records
        of a domain, or else the central record of a write request (``created``: the rows it
        inserted, as (table, key), when the ORM did not insert them)."""
        records: list[AuditRecordFields] = session.info.pop(_STAGED, [])
        status = getattr(scope.get("route"), "status_code", None) or 200
        for record in records:
            record.status = record.status or status
        created = session.info.pop(_CREATED, None) or created
        audit = _request_audit.get()
        if not records and scope.get("method") in WRITE_METHODS and not (audit and audit.changes_nothing):
            records = [_request_record(self.model, scope, status, created=created)]
        return records

    async def seal(self, session: AsyncSession, scope: Scope) -> bool:
        """Chain the request's records into its transaction, just before the commit. True if any
        (also when a statement of the request chained them already: ``sealed``)."""
        if session.info.pop(_SEALED, False):
            return True
        records = self.records(session, scope)
        await append(session, records)
        return bool(records)

    async def record_apart(self, sessionmaker: async_sessionmaker[AsyncSession], *records: AuditRecordFields) -> None:
        async with sessionmaker() as own:
            await append(own, records)
            await own.commit()
        mark_recorded()

    async def verify(self, session: AsyncSession) -> Verification:
        """Check the chain up to the head as it stood when the check began: records appended by
        writers while it runs (they commit record and head together) are not mistaken for tampering."""
        head = (await session.exec(select(self.chain).where(self.chain.id == 1))).first() or self.chain()
        checkpoint: dict[str, Any] | None = None
        expected_seq, expected_prev = 1, GENESIS
        broken: tuple[int, str] | None = None
        if head.purged_seq is not None:
            valid = head.signature is not None and hmac.compare_digest(
                head.signature, checkpoint_signature(head, self.key)
            )
            checkpoint = {
                "purged_through_seq": head.purged_seq, "purged_count": head.purged_count,
                "purged_first_at": _iso(head.purged_first_at), "purged_last_at": _iso(head.purged_last_at),
                "purged_at": _iso(head.purged_at), "signature_valid": valid,
            }
            expected_seq, expected_prev = head.purged_seq + 1, head.purged_hash or ""
            if not valid:
                broken = (expected_seq, "清除检查点的签名不符（检查点被篡改或密钥不符）")
        checked = 0
        while broken is None:
            query = (
                select(self.model)
                .where(col(self.model.seq) >= expected_seq, col(self.model.seq) <= head.seq)
                .order_by(col(self.model.seq))
            )
            batch = (await session.exec(query.limit(_BATCH))).all()
            for record in batch:
                checked += 1
                if record.seq != expected_seq:
                    broken = (expected_seq, f"缺少第 {expected_seq} 条记录（被删除）")
                elif record.prev_hash != expected_prev:
                    broken = (record.seq, "前一条记录的摘要不符（记录被删除、插入或调换顺序）")
                elif record.hash != record_hash(record):
                    broken = (record.seq, "记录内容与其摘要不符（记录被修改）")
                if broken is not None:
                    break
                expected_seq, expected_prev = record.seq + 1, record.hash
            if len(batch) < _BATCH:
                break
        if broken is None and (expected_seq - 1 != head.seq or expected_prev != head.hash):
            broken = (expected_seq, "链尾与链头记录不符（末尾的记录被删除或链头被修改）")
        if broken is None and await self._beyond_head(session, head.seq):
            broken = (head.seq + 1, "链头之后有未接入链的记录（记录被插入）")
        return Verification(
            intact=broken is None, checked=checked, head_seq=head.seq,
            first_broken_seq=broken[0] if broken else None, problem=broken[1] if broken else None,
            checkpoint=checkpoint,
        )

    async def _beyond_head(self, session: AsyncSession, head_seq: int) -> bool:
        """A record past the head that the head, read again, still does not reach was inserted by
        hand; one a writer appended meanwhile has its head committed with it."""
        beyond = select(func.min(col(self.model.seq))).where(col(self.model.seq) > head_seq)
        first = (await session.exec(beyond)).one()
        if first is None:
            return False
        now = (await session.exec(select(self.chain.seq).where(self.chain.id == 1))).one()
        return bool(now < first)

    async def purge(
        self, sessionmaker: async_sessionmaker[AsyncSession], retention_days: int, *, now: datetime | None = None
    ) -> Purge:
        """Remove the records older than ``retention_days`` (a prefix of the chain: it stops at the
        first younger record) and sign a checkpoint of what went; the purge itself is recorded."""
        cutoff = (now or utcnow()) - timedelta(days=retention_days)
        async with sessionmaker() as session:
            head = await _locked_head(session, self.chain)
            start = head.purged_seq or 0
            younger = select(func.min(self.model.seq)).where(col(self.model.at) >= cutoff, col(self.model.seq) > start)
            first_kept = (await session.exec(younger)).one()
            through = (first_kept - 1) if first_kept is not None else head.seq
            if through <= start:
                await session.rollback()  # (expires head: its values are read before)
                return Purge(0, start or None)
            span = select(func.count(), func.min(self.model.at), func.max(self.model.at)).where(
                col(self.model.seq) > start, col(self.model.seq) <= through
            )
            count, first_at, last_at = (await session.exec(span)).one()  # type: ignore[call-overload]
            last = (await session.exec(select(self.model).where(self.model.seq == through))).one()
            head.purged_seq, head.purged_hash = through, last.hash
            head.purged_count += count
            head.purged_first_at = head.purged_first_at or first_at
            head.purged_last_at = last_at
            head.purged_at = now or utcnow()
            head.signature = checkpoint_signature(head, self.key)
            await session.exec(delete(self.model).where(col(self.model.seq) <= through))  # type: ignore[call-overload]
            record = new_audit_record(self.model, "system:audit-purge", "audit.purge", "audit_record", None,
                                detail={"through_seq": through, "count": count, "retention_days": retention_days})
            await append(session, [record])  # the head is this transaction's already
            await session.commit()
        logger.info("audit purged", extra={"through_seq": through, "count": count})
        return Purge(count, through)


@asynccontextmanager
async def purging_periodically(
    trail: AuditTrail, sessionmaker: async_sessionmaker[AsyncSession], retention_days: int, interval: float
) -> AsyncIterator[None]:
    """Purge every ``interval`` seconds while the service runs (0: never; the CLI still can)."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await trail.purge(sessionmaker, retention_days)
            except Exception:  # the next round tries again; the failure is logged
                logger.exception("audit purge failed")

    task = asyncio.create_task(loop()) if interval > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


# --- the middleware -------------------------------------------------------------------------------


def _header(message: Message, name: bytes) -> str | None:
    for key, value in message.get("headers", []):
        if key.lower() == name:
            return cast(bytes, value).decode("latin-1")
    return None


class AuditMiddleware(HttpMiddleware):
    """Records what the request's transaction did not (see the module docstring), when the response
    starts and before it is sent; an exception escaping the app is a failed request (500)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        trail: AuditTrail | None = getattr(scope["app"].state, "audit", None) if "app" in scope else None
        if trail is None:
            await self.app(scope, receive, send)
            return
        audit = RequestAudit()
        token = _request_audit.set(audit)
        started = False

        async def send_audited(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start" and not started:
                started = True
                await self._record(trail, scope, audit, message["status"], message)
            await send(message)

        try:
            await self.app(scope, receive, send_audited)
        except BaseException:
            if not started:
                await self._record(trail, scope, audit, 500, {})
            raise
        finally:
            _request_audit.reset(token)

    @staticmethod
    async def _record(trail: AuditTrail, scope: Scope, audit: RequestAudit, status: int, message: Message) -> None:
        if audit.recorded or scope.get("route") is None:
            return  # recorded in the request's transaction, or no route (nothing was acted on)
        method = scope.get("method", "")
        content_type = _header(message, b"content-type") or ""
        kind: str | None = None
        if status in REFUSALS or status >= 500 or (method in WRITE_METHODS and not audit.changes_nothing):
            pass
        elif status < 300 and content_type.startswith(EXPORT_MEDIA_TYPES):
            kind = "export"
        elif getattr(scope.get("route"), "path", "").startswith(AUDIT_PREFIX):
            kind = "audit_read"  # who read the trail is in the trail too
        else:
            return
        record = _request_record(trail.model, scope, status, location=_header(message, b"location"), kind=kind)
        try:
            await trail.record_apart(scope["app"].state.sessionmaker, record)
        except Exception:
            logger.exception(
                "audit write failed", extra={"action": record.action, "actor": record.actor, "status": status}
            )


# --- reading and verifying: /api/v1/audit/<service> ---------------------------------------------


class AuditRecordPublic(BaseModel):
    """审计记录"""

    seq: int = Described(description="序号（从 1 起连续）")
    at: datetime = Described(description="时间（UTC）")
    actor: str = Described(description="主体：用户或客户端的 subject；anonymous 为未认证；login:<用户名> 为登录失败")
    actor_roles: list[str] = Described(description="主体的角色")
    action: str = Described(description="动作：请求的方法与路由模板（如 POST /api/v1/projects），或业务动作名（如 auth.login）")
    object_type: str | None = Described(description="对象类型")
    object_id: str | None = Described(description="对象 ID")
    result: AuditResult = Described(description="结果")
    status: int | None = Described(description="HTTP 状态码")
    request_id: str | None = Described(description="请求 ID（X-Request-ID）")
    detail: dict[str, Any] = Described(description="补充说明（如变更内容、导出类别、限流的重试秒数）")
    prev_hash: str = Described(description="前一条记录的摘要（SHA-256）")
    hash: str = Described(description="本条记录的摘要：SHA-256（序号、前一摘要与各字段的规范 JSON）")


class AuditCheckpoint(BaseModel):
    """清除检查点"""

    purged_through_seq: int = Described(description="已清除至此序号（含）")
    purged_count: int = Described(description="累计清除的记录数")
    purged_first_at: str | None = Described(description="被清除的最早记录时间")
    purged_last_at: str | None = Described(description="被清除的最晚记录时间")
    purged_at: str | None = Described(description="最近一次清除的时间")
    signature_valid: bool = Described(description="检查点的 HMAC-SHA256 签名是否有效")


class AuditVerification(BaseModel):
    """审计链校验结果"""

    intact: bool = Described(description="审计链是否完整（未被修改、删除、插入或调换）")
    checked: int = Described(description="校验的记录数")
    head_seq: int = Described(description="链头记录的序号")
    first_broken_seq: int | None = Described(description="第一处不符的序号；完整时为 null")
    problem: str | None = Described(description="不符的原因；完整时为 null")
    checkpoint: AuditCheckpoint | None = Described(description="清除检查点；从未清除时为 null")


Admin = Annotated[Principal, Depends(require_roles("admin"))]
_FORBIDDEN: dict[int | str, dict[str, Any]] = {403: {"description": "非管理员"}}


def audit_router(service: str) -> APIRouter:
    """``GET /api/v1/audit/<service>`` (records, newest first) and ``.../verify`` for admins; the
    service's name in the path lets one gateway route each service's trail."""
    from ._db import db_session  # _db imports this module

    router = APIRouter(prefix=f"{AUDIT_PREFIX}{service}", tags=["audit"])
    request_session = Depends(db_session, scope="function")

    @router.get(
        "",
        response_model=Page[AuditRecordPublic],
        summary="安全审计记录（管理员）",
        description=(
            f"{service} 服务的审计记录，按序号倒序，游标分页。每个写请求、登录（成功与失败）、拒绝（401/403/404/429）、"
            "导出与配置变更各有一条：时间、主体与角色、动作、对象、结果与状态码、请求 ID。可按主体、动作、对象、结果与时间筛选。"
        ),
        responses=_FORBIDDEN,
    )
    async def list_audit_records(
        request: Request,
        _: Admin,
        page: PageParamsDep,
        actor: Annotated[str | None, Query(max_length=200, description="主体")] = None,
        action: Annotated[str | None, Query(max_length=200, description="动作（完全一致）")] = None,
        object_type: Annotated[str | None, Query(max_length=64, description="对象类型")] = None,
        object_id: Annotated[str | None, Query(max_length=128, description="对象 ID")] = None,
        result: Annotated[AuditResult | None, Query(description="结果")] = None,
        since: Annotated[datetime | None, Query(description="不早于（含；不带时区按 UTC）")] = None,
        until: Annotated[datetime | None, Query(description="早于（不含；不带时区按 UTC）")] = None,
        session: AsyncSession = request_session,
    ) -> Page[AuditRecordPublic]:
        model = _trail(request.app).model
        query = select(model)
        for column, value in ((model.actor, actor), (model.action, action), (model.object_type, object_type),
                              (model.object_id, object_id), (model.result, result.value if result else None)):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(col(model.at) >= _aware(since))
        if until is not None:
            query = query.where(col(model.at) < _aware(until))
        after = page.after([col(model.seq)])
        if after is not None:
            query = query.where(after)
        rows = (await session.exec(query.order_by(col(model.seq).desc()).limit(page.limit + 1))).all()
        items, cursor = page.page(rows, lambda r: [r.seq])
        return Page(items=[AuditRecordPublic.model_validate(r, from_attributes=True) for r in items], next_cursor=cursor)

    @router.get(
        "/verify",
        response_model=AuditVerification,
        summary="校验审计链（管理员）",
        description=(
            "从清除检查点（若有，先校验其签名）起逐条重算摘要：记录被修改、删除、插入或调换顺序时 intact 为 false，"
            "first_broken_seq 为第一处不符的序号，problem 说明原因；checked 为校验的记录数。"
        ),
        responses=_FORBIDDEN,
    )
    async def verify_audit_chain(
        request: Request, _: Admin, session: AsyncSession = request_session
    ) -> AuditVerification:
        outcome = await _trail(request.app).verify(session)
        return AuditVerification(
            intact=outcome.intact, checked=outcome.checked, head_seq=outcome.head_seq,
            first_broken_seq=outcome.first_broken_seq, problem=outcome.problem,
            checkpoint=AuditCheckpoint(**outcome.checkpoint) if outcome.checkpoint else None,
        )

    return router


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # a time without zone: UTC


def _trail(app: FastAPI) -> AuditTrail:
    return cast(AuditTrail, app.state.audit)


__all__ = [
    "EXPORT_MEDIA_TYPES",
    "GENESIS",
    "AuditChainFields",
    "AuditMiddleware",
    "AuditRecordFields",
    "AuditTrail",
    "Purge",
    "Verification",
    "append",
    "audit_router",
    "audit_tables",
    "chain_records",
    "chained_insert",
    "chained_params",
    "changes_nothing",
    "checkpoint_signature",
    "mark_recorded",
    "new_audit_record",
    "note_principal",
    "note_refusal",
    "purging_periodically",
    "record_hash",
    "sealed",
    "stage_audit_record",
    "unstage",
]
