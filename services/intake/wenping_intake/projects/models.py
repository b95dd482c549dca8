"""The project (稳评项目) table, its number counter, and the per-region/year numbering."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


def new_id() -> str:
    return str(uuid.uuid4())


class Project(TableBase, table=True):
    """One major decision under assessment. Status, region, owner and agency are never set from a
    request body: the token (region, organisation), the state machine and commissioning set them."""

    __tablename__ = "project"
    __table_args__ = (
        UniqueConstraint("number", name="uq_project_number"),
        UniqueConstraint("region_code", "year", "seq", name="uq_project_region_year_seq"),
        # Keyset order of every list, and the common filters combined with it.
        Index("ix_project_created", "created_at", "id"),
        Index("ix_project_region_created", "region_code", "created_at"),
        Index("ix_project_org_created", "responsible_org_id", "created_at"),
        Index("ix_project_agency_org_created", "agency_org_id", "created_at"),
        Index("ix_project_status_created", "status", "created_at"),
        Index("ix_project_year_region", "year", "region_code"),
        Index("ix_project_category", "category"),
        Index("ix_project_initiation", "initiation"),
        Index("ix_project_risk_level", "risk_level"),
        Index("ix_project_deadline_status", "deadline", "status"),
        Index("ix_project_decision_list", "decision_list_id"),
        # Statistics (stats/): every column the summary's two project aggregates read, led by the
        # region subtree range and the year, so each is answered from the index alone (no table rows)
        # and grouped in index order (no sort).
        Index(
            "ix_project_stats_facets",
            "region_code", "year", "status", "deadline", "approved_on", "report_rounds", "filed_at",
        ),
        Index("ix_project_stats_kinds", "region_code", "year", "category", "initiation", "risk_level"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    number: str = Field(max_length=32, description="WP-<region>-<year>-<seq>")
    year: int = Field(description="year of creation (Asia/Shanghai): numbering and the year filter")
    seq: int

    title: str = Field(max_length=200)
    category: str = Field(max_length=16)
    sub_kind: str | None = Field(default=None, max_length=32)
    expected_participants: int | None = None
    initiation: str = Field(max_length=16)
    filing_batch: str = Field(default="ad_hoc", max_length=16)
    interests: list[str] = Field(default_factory=list, sa_type=JSON)
    affected_population: int | None = None
    description: str | None = Field(default=None, sa_type=Text)
    already_implemented: bool = False

    region_code: str = Field(max_length=6)
    level: str = Field(max_length=10, description="county | city | province, from the region")
    responsible_org_id: str = Field(max_length=64)
    responsible_org_name: str | None = Field(default=None, max_length=200)
    implementing_unit_name: str | None = Field(default=None, max_length=200)
    implementing_org_id: str | None = Field(default=None, max_length=64)

    assessor_kind: str = Field(default="self", max_length=8)
    agency_id: str | None = Field(default=None, max_length=64)
    agency_org_id: str | None = Field(default=None, max_length=64)
    agency_name: str | None = Field(default=None, max_length=200)
    commissioned_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)

    planned_decision_date: dt.date | None = None
    deadline: dt.date | None = None
    approved_on: dt.date | None = Field(
        default=None,
        description="Asia/Shanghai date of the latest approved report round (denormalised from report_round for "
        "the on-time statistic; kept by reports/models.py)",
    )

    mandatory: bool = False
    mandatory_triggers: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)

    status: str = Field(default="draft", max_length=24)
    risk_level: str | None = Field(default=None, max_length=8)
    decision_outcome: str | None = Field(default=None, max_length=32)
    report_rounds: int = Field(default=0, description="report rounds submitted so far")
    current_review_id: str | None = Field(default=None, max_length=64)
    decision_list_id: str | None = Field(default=None, max_length=36)

    created_by: str = Field(max_length=200, description="subject of the creator")
    designated_by_org_id: str | None = Field(default=None, max_length=64)

    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    filed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    closed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    withdrawn_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)

    # The head of the project's ledger chain: deleting the newest ledger row is detected too.
    ledger_seq: int = 0
    ledger_head_hash: str | None = Field(default=None, max_length=64)


class ProjectNumberCounter(TableBase, table=True):
    """(region, year) -> the last sequence number handed out."""

    __tablename__ = "project_number_counter"

    region_code: str = Field(primary_key=True, max_length=6)
    year: int = Field(primary_key=True)
    last_seq: int = 0
