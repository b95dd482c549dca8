"""Appraisal scoring schemes: append-only versions per region (a result names the version it used)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


class AppraisalScheme(TableBase, table=True):
    __tablename__ = "appraisal_scheme"
    __table_args__ = (UniqueConstraint("region_code", "version", name="uq_appraisal_scheme_region_version"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    region_code: str = Field(max_length=6)
    version: int
    weights: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    penalties: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    grades: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    note: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
