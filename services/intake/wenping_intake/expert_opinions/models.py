"""Experts drawn for a project (as the registry reports them) and their written opinions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Column, Index, Text
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


class ProjectExpert(TableBase, table=True):
    """An expert drawn for a project (registry ``ExpertsAssigned``); ``declined_at`` once they
    declined, after which they no longer see the project. ``subject`` is their platform account."""

    __tablename__ = "project_expert"
    __table_args__ = (Index("ix_project_expert_subject_project", "subject", "project_id"),)

    project_id: str = Field(foreign_key="project.id", primary_key=True, max_length=64)
    expert_id: str = Field(primary_key=True, max_length=36)
    expert_name: str = Field(max_length=100)
    subject: str | None = Field(default=None, max_length=100)
    region_code: str = Field(max_length=6)
    draw_id: str = Field(max_length=36)
    drawn_at: dt.datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    declined_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class ExpertOpinion(TableBase, table=True):
    """A written opinion of a drawn expert. ``after_round`` is how many report rounds had been
    submitted when it was made: round ``after_round + 1`` answers it, and that round is refused
    until the assessor has recorded the adoption."""

    __tablename__ = "expert_opinion"
    __table_args__ = (Index("ix_expert_opinion_project_submitted", "project_id", "submitted_at"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    project_id: str = Field(foreign_key="project.id", max_length=64)
    expert_id: str = Field(max_length=36, index=True)
    expert_name: str = Field(max_length=100)
    submitted_by: str = Field(max_length=100)
    text: str = Field(sa_column=Column(Text, nullable=False))
    after_round: int
    submitted_at: dt.datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    adoption: str | None = Field(default=None, max_length=16)
    adoption_reason: str | None = Field(default=None, max_length=1000)
    adopted_by: str | None = Field(default=None, max_length=100)
    adopted_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    version: int = 1
