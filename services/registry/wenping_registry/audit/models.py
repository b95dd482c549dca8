from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


class AuditEntry(TableBase, table=True):
    """Who did what, when, to which object, and how it ended."""

    __tablename__ = "audit_entry"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))
    actor: str = Field(max_length=100, index=True)
    actor_roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=32)
    object_id: str | None = Field(default=None, max_length=64, index=True)
    region_code: str | None = Field(default=None, max_length=6, index=True)
    result: str = Field(default="success", max_length=16, description="success | denied | failed")
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    request_id: str | None = Field(default=None, max_length=128)
