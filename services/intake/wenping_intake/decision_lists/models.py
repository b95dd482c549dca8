"""The decision list (决策清单) table. Its items are projects (``Project.decision_list_id``): an
item's close-out (销号) state follows its project and is computed, never stored."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


class DecisionList(TableBase, table=True):
    __tablename__ = "decision_list"
    __table_args__ = (
        # Keyset order of the list endpoint, alone and with each visibility filter.
        Index("ix_decision_list_created", "created_at", "id"),
        Index("ix_decision_list_region_created", "region_code", "created_at"),
        Index("ix_decision_list_org_created", "responsible_org_id", "created_at"),
    )

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    title: str = Field(max_length=200)
    batch: str = Field(max_length=16, description="start_of_year | mid_year")
    year: int
    region_code: str = Field(max_length=6)
    responsible_org_id: str = Field(max_length=64)
    responsible_org_name: str | None = Field(default=None, max_length=200)
    item_count: int
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = 1
