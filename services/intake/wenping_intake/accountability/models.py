"""Accountability actions (约谈, 通报批评, 问责), each on its ground."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


class AccountabilityAction(TableBase, table=True):
    """One action a supervisor took about a project's unit. ``official_names`` is personal data:
    only supervisors and admins of the subtree read it (service.py)."""

    __tablename__ = "accountability_action"
    __table_args__ = (
        Index("ix_accountability_action_region_on", "region_code", "decided_on"),
        Index("ix_accountability_action_org_on", "org_id", "decided_on"),
        Index("ix_accountability_action_project", "project_id"),
    )

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    project_id: str = Field(max_length=36)
    project_number: str = Field(max_length=32)
    project_title: str = Field(max_length=200)
    region_code: str = Field(max_length=6)
    org_id: str = Field(max_length=64, description="the unit concerned: the project's responsible organisation")
    org_name: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=16)
    ground: str = Field(max_length=32)
    ground_ref: str | None = Field(default=None, max_length=64, description="finding, measure or incident id")
    ground_detail: str | None = Field(default=None, sa_type=Text)
    decided_on: dt.date
    description: str = Field(sa_type=Text)
    officials_count: int = 0
    officials_level: str | None = Field(default=None, max_length=16)
    official_names: list[str] = Field(default_factory=list, sa_type=JSON)
    recorded_by: str = Field(max_length=200)
    recorded_by_name: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
