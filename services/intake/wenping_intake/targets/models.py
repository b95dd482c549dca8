"""Targets and the oversight audit trail (who set which target or scheme, and what it was before)."""

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


class AssessmentTarget(TableBase, table=True):
    """How many assessments an organisation, or a region's subtree, is to complete in a year
    (optionally of one category). Progress is never stored: it is counted from the projects."""

    __tablename__ = "assessment_target"
    __table_args__ = (
        # One target per (year, region, organisation or none, category or none): the key spells the
        # absent parts as "*", so the constraint holds on both backends despite NULLs.
        UniqueConstraint("scope_key", name="uq_assessment_target_scope"),
        Index("ix_assessment_target_year_region", "year", "region_code"),
    )

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    scope_key: str = Field(max_length=120)
    year: int
    region_code: str = Field(max_length=6)
    org_id: str | None = Field(default=None, max_length=64)
    org_name: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=16)
    target_count: int
    set_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = 1


class OversightChange(TableBase, table=True):
    """Audit trail of the oversight areas (targets, appraisal schemes): who did what, when."""

    __tablename__ = "oversight_change"
    __table_args__ = (Index("ix_oversight_change_object", "area", "object_id", "at"),)

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    area: str = Field(max_length=32)
    object_id: str = Field(max_length=64)
    action: str = Field(max_length=32)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    actor: str = Field(max_length=200)
    actor_region_code: str | None = Field(default=None, max_length=6)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    request_id: str | None = Field(default=None, max_length=128)
