"""Inspections, their findings (one per check; a problem found is a rectification), circulars and
the circulars' number series."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


def _id() -> str:
    return str(uuid.uuid4())


class Inspection(TableBase, table=True):
    """One on-site inspection (督查) of a project by the stability office of its region or above."""

    __tablename__ = "inspection"
    __table_args__ = (
        Index("ix_inspection_region_on", "region_code", "inspected_on"),
        Index("ix_inspection_org_on", "org_id", "inspected_on"),
        Index("ix_inspection_project", "project_id"),
    )

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36)
    project_number: str = Field(max_length=32)
    project_title: str = Field(max_length=200)
    region_code: str = Field(max_length=6, description="the project's region")
    org_id: str = Field(max_length=64, description="the inspected unit: the project's responsible organisation")
    org_name: str | None = Field(default=None, max_length=200)
    inspected_on: dt.date
    inspectors: list[str] = Field(default_factory=list, sa_type=JSON)
    summary: str | None = Field(default=None, sa_type=Text)
    recorded_by: str = Field(max_length=200)
    recorded_by_name: str | None = Field(default=None, max_length=200)
    recorder_region_code: str = Field(max_length=6)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class InspectionFinding(TableBase, table=True):
    """The finding of one of the four checks. A problem found must be rectified by a deadline:
    ``state`` is its rectification (required → reported → accepted, or returned → reported ...);
    a check that found nothing has no state."""

    __tablename__ = "inspection_finding"
    __table_args__ = (
        UniqueConstraint("inspection_id", "check", name="uq_inspection_finding_check"),
        Index("ix_inspection_finding_region_state", "region_code", "state", "deadline"),
        Index("ix_inspection_finding_org_state", "org_id", "state", "deadline"),
        Index("ix_inspection_finding_project", "project_id"),
    )

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    inspection_id: str = Field(max_length=36)
    project_id: str = Field(max_length=36)
    region_code: str = Field(max_length=6)
    org_id: str = Field(max_length=64)
    inspected_on: dt.date
    check: str = Field(max_length=16)
    finding: str = Field(sa_type=Text)
    problem: bool = False
    requirement: str | None = Field(default=None, sa_type=Text)
    deadline: dt.date | None = None
    state: str | None = Field(default=None, max_length=16)
    report: str | None = Field(default=None, sa_type=Text)
    reported_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    reported_by: str | None = Field(default=None, max_length=200)
    decision_note: str | None = Field(default=None, sa_type=Text)
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    decided_by: str | None = Field(default=None, max_length=200)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = 1


class Circular(TableBase, table=True):
    """A circular (通报): the problem findings of a period in a region's subtree, numbered per
    issuing region and year, addressed to the units concerned."""

    __tablename__ = "circular"
    __table_args__ = (
        UniqueConstraint("region_code", "year", "seq", name="uq_circular_region_year_seq"),
        Index("ix_circular_region_created", "region_code", "created_at"),
    )

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    region_code: str = Field(max_length=6, description="the issuing office's region")
    year: int
    seq: int
    document_number: str = Field(max_length=64)
    title: str = Field(max_length=200)
    period_start: dt.date
    period_end: dt.date
    issuing_office: str = Field(max_length=200)
    issued_on: dt.date
    finding_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    addressees: list[dict[str, str | None]] = Field(default_factory=list, sa_type=JSON)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CircularNumberCounter(TableBase, table=True):
    """(issuing region, year) -> the last circular number handed out."""

    __tablename__ = "circular_number_counter"

    region_code: str = Field(primary_key=True, max_length=6)
    year: int = Field(primary_key=True)
    last_seq: int = 0
