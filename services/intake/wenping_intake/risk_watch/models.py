"""The warning register (预警台账) and the flags of new filings that resemble an entry of it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


def _id() -> str:
    return str(uuid.uuid4())


class WarningEntry(TableBase, table=True):
    """A high-risk decision that was rejected or deferred, as it stood when decided (title,
    place, organisation are copied so a later edit of the project never changes the register)."""

    __tablename__ = "risk_warning"
    __table_args__ = (
        # Keyset order of the list, alone and under the subtree filter; the filing comparison
        # reads a province's entries by the same region range.
        Index("ix_risk_warning_created", "created_at", "id"),
        Index("ix_risk_warning_region_created", "region_code", "created_at"),
        Index("ix_risk_warning_project", "project_id"),
    )

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36)
    project_number: str = Field(max_length=32)
    title: str = Field(max_length=200)
    place: str | None = Field(default=None, max_length=500, description="the approved report's overview.location")
    region_code: str = Field(max_length=6)
    responsible_org_id: str = Field(max_length=64)
    responsible_org_name: str | None = Field(default=None, max_length=200)
    risk_level: str = Field(max_length=8)
    outcome: str = Field(max_length=32, description="defer | reject")
    decided_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class WarningFlag(TableBase, table=True):
    """A filing found close to a register entry: which entry, which fields matched, how closely."""

    __tablename__ = "risk_warning_flag"
    __table_args__ = (
        UniqueConstraint("project_id", "warning_id", name="uq_risk_warning_flag_project_warning"),
        Index("ix_risk_warning_flag_warning", "warning_id"),
    )

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36)
    warning_id: str = Field(max_length=36)
    matched_fields: list[str] = Field(default_factory=list, sa_type=JSON)
    score: float
    scores: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, description="{title, place, organization}")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
