"""Appending to and verifying a project's ledger.

Each row's ``hash`` is sha256(previous row's hash + canonical JSON of the row's content), so
editing a row breaks its own hash, deleting one breaks the chain at the gap, and deleting the
newest is caught by the head (sequence and hash) kept on the project row.

Call ``append`` from any module that changes a project, in the same transaction as the change,
after loading the project with ``ProjectRepository.get_for_update`` (one appender at a time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, current_request_id, utcnow

from .models import LedgerEntry

if TYPE_CHECKING:
    from ..projects.models import Project


def _canonical_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_content(entry: LedgerEntry) -> dict[str, Any]:
    """Everything a ledger row asserts (all but its own hashes)."""
    return {
        "project_id": entry.project_id,
        "seq": entry.seq,
        "recorded_at": _canonical_time(entry.recorded_at),
        "actor_subject": entry.actor_subject,
        "actor_kind": entry.actor_kind,
        "actor_name": entry.actor_name,
        "actor_org_id": entry.actor_org_id,
        "actor_roles": list(entry.actor_roles or []),
        "action": entry.action,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "details": entry.details or {},
        "request_id": entry.request_id,
    }


def hashed_text(prev_hash: str | None, content: dict[str, Any]) -> str:
    """What a row's hash is the sha256 of: the previous hash and the canonical JSON of its content."""
    return (prev_hash or "") + json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str | None, content: dict[str, Any]) -> str:
    return hashlib.sha256(hashed_text(prev_hash, content).encode()).hexdigest()


async def append(
    session: AsyncSession,
    project: Project,
    actor: Principal,
    action: str,
    from_status: str | None,
    to_status: str | None,
    details: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Record one change of ``project`` (staged in the caller's transaction)."""
    entry = new_entry(project, actor, action, from_status, to_status, details)
    entry.hash = chain_hash(entry.prev_hash, entry_content(entry))
    project.ledger_seq = entry.seq
    project.ledger_head_hash = entry.hash
    session.add(entry)
    session.add(project)
    return entry


def new_entry(
    project: Project,
    actor: Principal,
    action: str,
    from_status: str | None,
    to_status: str | None,
    details: dict[str, Any] | None = None,
) -> LedgerEntry:
    """The next row of ``project``'s chain, not yet hashed nor staged (``append`` does both; a filing
    hashes its first row in the statement that gives the number: projects/numbering.py)."""
    return LedgerEntry(
        id=str(uuid.uuid4()),  # given, not defaulted: pydantic inspects a factory's signature per call
        project_id=project.id,
        seq=project.ledger_seq + 1,
        recorded_at=utcnow(),
        actor_subject=actor.subject,
        actor_kind=actor.kind,
        actor_name=actor.name,
        actor_org_id=actor.org_id,
        actor_roles=sorted(actor.roles),
        action=action,
        from_status=from_status,
        to_status=to_status,
        # JSON round trip now, so the hash is computed over exactly what the database returns.
        details=json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)),
        request_id=current_request_id(),
        prev_hash=project.ledger_head_hash,
        hash="",
    )


async def entries(session: AsyncSession, project_id: str) -> Sequence[LedgerEntry]:
    result = await session.exec(
        select(LedgerEntry).where(LedgerEntry.project_id == project_id).order_by(col(LedgerEntry.seq))
    )
    return result.all()


@dataclass(frozen=True)
class ChainCheck:
    verified: bool
    first_broken_seq: int | None
    reason: str | None


def verify_chain(rows: Sequence[LedgerEntry], head_seq: int, head_hash: str | None) -> ChainCheck:
    """Recompute the chain; the first sequence number where it breaks, and why (Chinese)."""
    prev_hash: str | None = None
    expected_seq = 1
    for row in rows:
        if row.seq != expected_seq:
            return ChainCheck(False, expected_seq, f"第 {expected_seq} 条记录缺失")
        if row.prev_hash != prev_hash:
            return ChainCheck(False, row.seq, f"第 {row.seq} 条记录与前一条记录不衔接")
        if chain_hash(prev_hash, entry_content(row)) != row.hash:
            return ChainCheck(False, row.seq, f"第 {row.seq} 条记录内容已被改动")
        prev_hash = row.hash
        expected_seq += 1
    if expected_seq - 1 != head_seq:
        missing = expected_seq if expected_seq <= head_seq else head_seq + 1
        return ChainCheck(False, missing, f"台账应有 {head_seq} 条记录，实有 {expected_seq - 1} 条")
    if head_seq and prev_hash != head_hash:
        return ChainCheck(False, head_seq, f"第 {head_seq} 条记录与项目记载的台账末尾不一致")
    return ChainCheck(True, None, None)
