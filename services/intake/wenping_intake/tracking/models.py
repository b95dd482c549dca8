"""Tracking (跟踪问效): each measure's current state, its progress records, and the effect evaluation."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


def _id() -> str:
    return str(uuid.uuid4())


class TrackedMeasure(TableBase, table=True):
    """One measure of a project's work list, with its latest progress (reminders read this)."""

    __tablename__ = "tracked_measure"
    __table_args__ = (
        UniqueConstraint("project_id", "measure_key", name="uq_tracked_measure_project_key"),
        Index("ix_tracked_measure_deadline_status", "deadline", "status"),
    )

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36, index=True)
    measure_key: str = Field(max_length=80, description="report:<index> or text:<sha256 of the text>")
    measure_index: int | None = Field(default=None, description="position in the approved report's measures (from 0)")
    content: str = Field(sa_type=Text)
    responsible_unit: str | None = Field(default=None, max_length=200)
    deadline: dt.date | None = None
    status: str = Field(default="not_started", max_length=16)
    progress_percent: int = 0
    last_note: str | None = Field(default=None, sa_type=Text)
    record_count: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    completed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class TrackingRecord(TableBase, table=True):
    """One progress report on a measure (append-only)."""

    __tablename__ = "tracking_record"
    __table_args__ = (Index("ix_tracking_record_project_recorded", "project_id", "recorded_at", "id"),)

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36)
    measure_id: str = Field(max_length=36, index=True)
    progress_percent: int
    status: str = Field(max_length=16)
    note: str | None = Field(default=None, sa_type=Text)
    responsible_unit: str | None = Field(default=None, max_length=200)
    deadline: dt.date | None = None
    recorded_by: str = Field(max_length=200)
    recorded_by_name: str | None = Field(default=None, max_length=200)
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class EffectEvaluation(TableBase, table=True):
    """效果评价: one per project, moving it from tracking to evaluated."""

    __tablename__ = "effect_evaluation"
    __table_args__ = (UniqueConstraint("project_id", name="uq_effect_evaluation_project"),)

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36)
    disputes_arisen: int
    disputes_description: str | None = Field(default=None, sa_type=Text)
    measures_effective: bool
    summary: str = Field(sa_type=Text)
    petitions_count: int | None = None
    mass_incidents_count: int | None = None
    satisfaction_rate: float | None = None
    measures_total: int = 0
    measures_completed: int = 0
    evaluated_by: str = Field(max_length=200)
    evaluated_by_name: str | None = Field(default=None, max_length=200)
    evaluated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Incident(TableBase, table=True):
    """An incident during implementation (实施中发生的事件), reported at once to the stability office."""

    __tablename__ = "project_incident"
    __table_args__ = (
        Index("ix_project_incident_project_reported", "project_id", "reported_at", "id"),
        Index("ix_project_incident_reported_on", "reported_on", "id"),
    )

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36)
    region_code: str = Field(max_length=6)
    occurred_on: dt.date
    people_involved: int
    scale: str = Field(max_length=16)
    description: str = Field(sa_type=Text, description="what happened")
    response: str = Field(sa_type=Text, description="how it was handled")
    reported_by: str = Field(max_length=200)
    reported_by_name: str | None = Field(default=None, max_length=200)
    reported_by_org_id: str | None = Field(default=None, max_length=64)
    reported_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    reported_on: dt.date = Field(description="Asia/Shanghai date of the report: the reminder's date")
