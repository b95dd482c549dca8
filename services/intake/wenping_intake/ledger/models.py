"""The electronic ledger (电子台账): an append-only, per-project hash chain of every change."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


class LedgerEntry(TableBase, table=True):
    __tablename__ = "ledger_entry"
    __table_args__ = (UniqueConstraint("project_id", "seq", name="uq_ledger_project_seq"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    project_id: str = Field(max_length=36, index=True)
    seq: int = Field(description="1, 2, ... per project")
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    actor_subject: str = Field(max_length=200)
    actor_kind: str = Field(max_length=16)
    actor_name: str | None = Field(default=None, max_length=200)
    actor_org_id: str | None = Field(default=None, max_length=64)
    actor_roles: list[str] = Field(default_factory=list, sa_type=JSON)
    action: str = Field(max_length=48)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    request_id: str | None = Field(default=None, max_length=128)
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str = Field(max_length=64)
