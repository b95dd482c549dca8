"""Reviews, their 45 item results, the judgement audit and the feedback letters' number series."""

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


class Review(TableBase, table=True):
    """One review of one report round. What it was evaluated with (checklist version, region
    configuration, project facts, report) is stored with it, so later changes never alter it."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("project_id", "round", name="uq_review_project_round"),
        Index("ix_review_queue", "status", "region_code", "created_at", "id"),
        Index("ix_review_responsible_org", "responsible_org_id", "created_at", "id"),
        Index("ix_review_agency_org", "agency_org_id", "created_at", "id"),
        Index("ix_review_decided", "region_code", "decided_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=64)
    round: int
    status: str = Field(default="pending", max_length=16, description="pending | decided")
    region_code: str = Field(max_length=6)
    project_number: str | None = Field(default=None, max_length=64)
    project_title: str | None = Field(default=None, max_length=300)
    report_title: str = Field(max_length=300)
    responsible_org_id: str | None = Field(default=None, max_length=64)
    responsible_org_name: str | None = Field(default=None, max_length=200)
    assessor_kind: str = Field(default="self", max_length=16)
    agency_id: str | None = Field(default=None, max_length=64)
    agency_org_id: str | None = Field(default=None, max_length=64)
    checklist_version: str = Field(max_length=16)
    config_source: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    config: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    submitted_on: dt.date
    report: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    project: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    document_file: dict[str, Any] | None = Field(default=None, sa_type=JSON, nullable=True)
    registry_unavailable: bool = False
    opened_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # The decision.
    verdict: str | None = Field(default=None, max_length=32)
    score: float | None = None
    rectification_deadline: dt.date | None = None
    decision_comment: str | None = Field(default=None, sa_type=Text, nullable=True)
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    decided_by: str | None = Field(default=None, max_length=200)
    issuing_region_code: str | None = Field(default=None, max_length=6)
    issuing_org_id: str | None = Field(default=None, max_length=64)
    issuing_office: str | None = Field(default=None, max_length=200)
    document_year: int | None = None
    document_seq: int | None = None
    document_number: str | None = Field(default=None, max_length=64)
    version: int = 1


class ReviewItem(TableBase, table=True):
    """One checklist item of a review: the engine's result and evidence, and the reviewer's."""

    __tablename__ = "review_item"
    __table_args__ = (Index("ix_review_item_code_result", "code", "result"),)

    review_id: str = Field(foreign_key="review.id", primary_key=True, max_length=36)
    code: str = Field(primary_key=True, max_length=16)
    position: int
    category_code: str = Field(max_length=16)
    mode: str = Field(max_length=8)
    severity: str = Field(max_length=8)
    auto_result: str | None = Field(default=None, max_length=16, description="the engine's result (auto items)")
    result: str = Field(max_length=16)
    evidence: str = Field(sa_type=Text)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    suggestion: str | None = Field(default=None, max_length=16)
    comment: str | None = Field(default=None, sa_type=Text, nullable=True)
    judged_by: str | None = Field(default=None, max_length=200)
    judged_by_name: str | None = Field(default=None, max_length=200)
    judged_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class ReviewAudit(TableBase, table=True):
    """Who did what to a review, when, with which request (item judgements and the decision)."""

    __tablename__ = "review_audit"
    __table_args__ = (Index("ix_review_audit_review", "review_id", "at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    review_id: str = Field(max_length=36)
    action: str = Field(max_length=32, description="open | judge_item | decide")
    item_code: str | None = Field(default=None, max_length=16)
    actor: str = Field(max_length=200)
    actor_name: str | None = Field(default=None, max_length=200)
    actor_org_id: str | None = Field(default=None, max_length=64)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    before: str | None = Field(default=None, max_length=64)
    after: str | None = Field(default=None, max_length=64)
    comment: str | None = Field(default=None, sa_type=Text, nullable=True)
    request_id: str | None = Field(default=None, max_length=200)


class DocumentNumberSequence(TableBase, table=True):
    """The feedback letters' number series (发文字号), one per issuing region and year."""

    __tablename__ = "document_number_sequence"

    issuing_region_code: str = Field(primary_key=True, max_length=6)
    year: int = Field(primary_key=True)
    last_number: int = 0
