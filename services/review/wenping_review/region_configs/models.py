"""Per-region review configuration, versioned: every PUT adds a version, nothing is overwritten,
so a review can name the exact version it was evaluated with."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


class RegionConfigVersion(TableBase, table=True):
    __tablename__ = "region_config_version"
    __table_args__ = (UniqueConstraint("region_code", "version", name="uq_region_config_version"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    region_code: str = Field(max_length=6, index=True)
    version: int = Field(ge=1)
    overrides: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    comment: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
