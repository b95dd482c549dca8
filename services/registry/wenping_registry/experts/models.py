"""The expert pool (专家库) tables."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


def new_id() -> str:
    return str(uuid.uuid4())


class Expert(TableBase, table=True):
    """One expert. ``phone``, ``email`` and ``id_number`` are personal data: only admins and
    reviewers of the expert's region subtree ever see them."""

    __tablename__ = "expert"
    __table_args__ = (Index("ix_expert_region_name", "region_code", "name", "id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=100, index=True)
    #: The expert fields (ExpertField values). Filtering uses the ``expert_field`` rows, which
    #: carry the same values with an index.
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    title: str | None = Field(default=None, max_length=100, description="职称/职务")
    employer_org_id: str | None = Field(default=None, foreign_key="organization.id", index=True, max_length=36)
    employer_name: str = Field(max_length=200)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=6)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=200)
    id_number: str | None = Field(default=None, max_length=18, unique=True)
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    status: str = Field(default="active", max_length=16, index=True)
    status_reason: str | None = Field(default=None, max_length=500)
    #: The platform account of the expert (role ``expert``), when there is one.
    user_id: str | None = Field(default=None, foreign_key="user.id", unique=True, max_length=36)
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str | None = Field(default=None, max_length=100)


class ExpertFieldEntry(TableBase, table=True):
    """(expert, field): the indexed form of ``Expert.fields`` for "experts of field X" queries."""

    __tablename__ = "expert_field"
    __table_args__ = (Index("ix_expert_field_field_expert", "field", "expert_id"),)

    expert_id: str = Field(foreign_key="expert.id", primary_key=True, max_length=36)
    field: str = Field(primary_key=True, max_length=32)
