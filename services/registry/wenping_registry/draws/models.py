"""Recorded expert draws: each one keeps everything needed to re-run it (algorithm version, seed,
request and the candidate pool as it was), so it can be verified years later."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


def new_id() -> str:
    return str(uuid.uuid4())


class ExpertDraw(TableBase, table=True):
    __tablename__ = "expert_draw"
    __table_args__ = (Index("ix_expert_draw_project_drawn", "project_id", "drawn_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=64)
    project_number: str | None = Field(default=None, max_length=64)
    project_title: str | None = Field(default=None, max_length=300)
    project_region_code: str = Field(max_length=6, index=True)
    decision_body_org_id: str | None = Field(default=None, max_length=36)
    implementing_org_id: str | None = Field(default=None, max_length=36)
    #: The requested region (the pool is this region's subtree).
    region_code: str = Field(max_length=6)
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    count: int
    avoid_org_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    algorithm_version: str = Field(max_length=32)
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    seed_supplied: bool = False
    #: Every candidate as it was at the moment (DrawCandidate as JSON), in expert_id order.
    pool: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    chosen_expert_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    exclusions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    eligible_count: int
    #: The calendar year (platform time zone) the draw counts towards for load balancing.
    year: int
    drawn_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    drawn_by: str = Field(max_length=100)
    drawn_by_roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: A replacement draw (one expert, on the pool of its own moment) names the draw and the
    #: expert whose decline it answers; the original draw stays as it was, so it still verifies.
    replaces_draw_id: str | None = Field(default=None, foreign_key="expert_draw.id", index=True, max_length=36)
    replaces_expert_id: str | None = Field(default=None, max_length=36)


class ExpertDrawSelection(TableBase, table=True):
    """One expert chosen by one draw. Unique per (project, expert): nobody is drawn twice for
    the same project, even by two draws racing each other."""

    __tablename__ = "expert_draw_selection"
    __table_args__ = (
        UniqueConstraint("project_id", "expert_id", name="uq_expert_draw_selection_project_expert"),
        Index("ix_expert_draw_selection_expert_year", "expert_id", "year"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    draw_id: str = Field(foreign_key="expert_draw.id", index=True, max_length=36)
    expert_id: str = Field(foreign_key="expert.id", max_length=36)
    project_id: str = Field(max_length=64)
    position: int
    year: int
    drawn_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    #: A declined selection stays (the expert is still "already drawn" for the project) but no
    #: longer counts towards the expert's load.
    declined_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    decline_reason: str | None = Field(default=None, max_length=500)
    declined_by: str | None = Field(default=None, max_length=100)
    #: Set by the decline; a draw that found nobody to replace with leaves it empty.
    replacement_draw_id: str | None = Field(default=None, max_length=36)
    replacement_expert_id: str | None = Field(default=None, max_length=36)
