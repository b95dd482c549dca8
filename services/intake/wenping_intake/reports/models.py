"""Report rounds as submitted, the review events received for them, and return reasons."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Connection, Index, UniqueConstraint, event, or_, select, update
from sqlalchemy.orm import Mapper
from sqlmodel import Field

from wenping_shared import UTCDateTime, local_date, utcnow
from wenping_shared.contracts.vocab import ReviewVerdict

from ..database import TableBase
from ..projects.models import Project


def _id() -> str:
    return str(uuid.uuid4())


class ReportRound(TableBase, table=True):
    """One submitted round (1, 2, ...) of a project's assessment report."""

    __tablename__ = "report_round"
    __table_args__ = (UniqueConstraint("project_id", "round", name="uq_report_round_project_round"),)

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36)
    round: int
    report: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    document_file_id: str | None = Field(default=None, max_length=36)
    submitted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    submitted_on: dt.date
    submitted_by: str = Field(max_length=200)
    submitted_by_org_id: str | None = Field(default=None, max_length=64)
    assessor_kind: str = Field(max_length=8)
    agency_id: str | None = Field(default=None, max_length=64)
    review_id: str | None = Field(default=None, max_length=64, index=True)
    verdict: str | None = Field(default=None, max_length=32)
    score: float | None = None
    rectification_deadline: dt.date | None = None
    decided_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class ReviewEvent(TableBase, table=True):
    """A review event received from the review service; unique per (review_id, event)."""

    __tablename__ = "review_event"
    __table_args__ = (UniqueConstraint("review_id", "event", name="uq_review_event_review_event"),)

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36, index=True)
    review_id: str = Field(max_length=64)
    event: str = Field(max_length=16)
    round: int
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ReturnReason(TableBase, table=True):
    """One failed checklist item of a returned round (statistics: return reasons by category)."""

    __tablename__ = "return_reason"
    __table_args__ = (
        UniqueConstraint("review_id", "item_code", name="uq_return_reason_review_item"),
        # Statistics by region subtree (+ year) and category, from the index alone (no join to project).
        Index("ix_return_reason_stats", "region_code", "year", "category_code", "review_id"),
    )

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    project_id: str = Field(max_length=36, index=True)
    round: int
    review_id: str = Field(max_length=64)
    verdict: str = Field(max_length=32)
    item_code: str = Field(max_length=16)
    category_code: str = Field(max_length=16)
    region_code: str = Field(max_length=6)
    year: int | None = Field(default=None, nullable=False, description="the project's year; filled from it on insert")
    decided_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)


# The statistics read two denormalised copies, kept here, at the tables' level, so that every writer
# (the review events, the seeds, test set-ups) keeps them right without knowing about them:
# project.approved_on (latest approval's Beijing date) and return_reason.year (the project's year).
_project = Project.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime; its class type does not declare it


def approval_day(decided_at: dt.datetime) -> dt.date:
    """The Asia/Shanghai date of an approval (UTCDateTime values are aware; a naive one is UTC)."""
    return local_date(decided_at if decided_at.tzinfo else decided_at.replace(tzinfo=dt.UTC))


@event.listens_for(ReportRound, "after_insert")
@event.listens_for(ReportRound, "after_update")
def _keep_approved_on(mapper: Mapper[Any], connection: Connection, row: ReportRound) -> None:
    if row.verdict != ReviewVerdict.approved or row.decided_at is None:
        return
    day = approval_day(row.decided_at)
    # Only ever later: a resumed project approved again counts from its latest approval.
    connection.execute(
        update(_project)
        .where(_project.c.id == row.project_id, or_(_project.c.approved_on.is_(None), _project.c.approved_on < day))
        .values(approved_on=day)
    )


@event.listens_for(ReturnReason, "before_insert")
def _fill_year(mapper: Mapper[Any], connection: Connection, row: ReturnReason) -> None:
    if row.year is None:
        row.year = connection.execute(select(_project.c.year).where(_project.c.id == row.project_id)).scalar_one()
