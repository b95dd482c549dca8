"""Issued clearances. The signed content is kept as issued; the signature is made on reading with
the current key, so a rotated key re-signs the same statement."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


class Clearance(TableBase, table=True):
    __tablename__ = "clearance"
    __table_args__ = (Index("ix_clearance_project_issued", "project_id", "issued_at"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    project_id: str = Field(max_length=36)
    project_number: str = Field(max_length=32, index=True)
    basis: str = Field(max_length=24, description="review_approved | decision_recorded")
    status: str = Field(default="valid", max_length=16, description="valid | superseded | revoked")
    claims: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    issued_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    issued_by: str = Field(max_length=200)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revoked_by: str | None = Field(default=None, max_length=200)
    revocation_reason: str | None = Field(default=None, max_length=300)
