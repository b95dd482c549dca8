"""Third-party assessment agencies (第三方稳评机构): the agency, its provincial filings, gradings,
practitioners and their certificates, misconduct records and review performance."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


def new_id() -> str:
    return str(uuid.uuid4())


class Agency(TableBase, table=True):
    __tablename__ = "agency"
    __table_args__ = (Index("ix_agency_region_name", "region_code", "name", "id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=200, index=True)
    credit_code: str = Field(max_length=18, unique=True)
    #: The registry Organization (kind ``agency``) whose users are the agency's staff.
    org_id: str = Field(foreign_key="organization.id", unique=True, max_length=36)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=6)
    status: str = Field(default="active", max_length=16, index=True)
    status_reason: str | None = Field(default=None, max_length=500)
    #: Filings (备案) with provincial political-legal committees:
    #: [{"province_code": "330000", "filed_on": "2025-03-01", "filing_number": "..."}].
    filings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    contact_person: str | None = Field(default=None, max_length=100)
    contact_phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=300)
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str | None = Field(default=None, max_length=100)


class AgencyGradingRecord(TableBase, table=True):
    """One grading (等级评定): the grade, its validity (inclusive dates) and the criteria behind it."""

    __tablename__ = "agency_grading"
    __table_args__ = (Index("ix_agency_grading_agency_valid", "agency_id", "valid_until"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    agency_id: str = Field(foreign_key="agency.id", max_length=36)
    grade: str = Field(max_length=1, index=True)
    graded_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    #: GradingCriteria as JSON, and where the numbers came from (registry records or the body).
    criteria: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    criteria_source: str = Field(default="records", max_length=16)
    suggested_grade: str = Field(max_length=1)
    note: str | None = Field(default=None, max_length=1000)
    graded_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class AgencyPractitioner(TableBase, table=True):
    """A practitioner (从业人员) of an agency."""

    __tablename__ = "agency_practitioner"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    agency_id: str = Field(foreign_key="agency.id", index=True, max_length=36)
    name: str = Field(max_length=100)
    employed: bool = True
    full_time: bool = True
    education: str | None = Field(default=None, max_length=50)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str | None = Field(default=None, max_length=100)


class PractitionerCertificate(TableBase, table=True):
    """A qualification certificate (从业资格证书); dates inclusive, no expiry when empty."""

    __tablename__ = "practitioner_certificate"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    practitioner_id: str = Field(foreign_key="agency_practitioner.id", index=True, max_length=36)
    agency_id: str = Field(foreign_key="agency.id", index=True, max_length=36)
    number: str = Field(max_length=64, unique=True)
    issued_on: dt.date
    expires_on: dt.date | None = None


class AgencyMisconduct(TableBase, table=True):
    """A misconduct record (不良行为记录): it restricts the agency across the whole province."""

    __tablename__ = "agency_misconduct"
    __table_args__ = (Index("ix_agency_misconduct_agency_date", "agency_id", "recorded_on"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    agency_id: str = Field(foreign_key="agency.id", max_length=36)
    #: Kept with the record so it still matches the agency by its code across the province.
    credit_code: str = Field(max_length=18, index=True)
    recorded_on: dt.date
    region_code: str = Field(foreign_key="region.code", max_length=6)
    description: str = Field(max_length=2000)
    project_id: str | None = Field(default=None, max_length=64)
    recorded_by: str = Field(max_length=100)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class AgencyPerformanceRecord(TableBase, table=True):
    """One review outcome of a report by the agency, from the review service (idempotent by review)."""

    __tablename__ = "agency_performance"
    __table_args__ = (UniqueConstraint("review_id", name="uq_agency_performance_review"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    agency_id: str = Field(foreign_key="agency.id", index=True, max_length=36)
    review_id: str = Field(max_length=64)
    project_id: str = Field(max_length=64)
    round: int
    verdict: str = Field(max_length=32)
    score: float
    decided_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    received_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
