"""Pre-aggregated tallies the statistics summary sums instead of grouping the projects per request.

Kept in the transaction of every change (stats/tallies.py), so they are never stale; rebuilt from
the rows by the migration that created them (and ``rebuild_tallies`` after a bulk load).
"""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field

from ..database import TableBase


class ProjectTally(TableBase, table=True):
    """Projects of one region (the project's own code) and year per value of one facet:
    ``status`` (with the on-time and rounds figures), ``category``, ``initiation``, ``risk_level``
    ('' for not graded), and for unfinished projects with a deadline ``due_month`` (YYYY-MM) and
    ``due_day`` (YYYY-MM-DD), from which the overdue count for any day is summed."""

    __tablename__ = "project_tally"
    __table_args__ = (
        # The current month's due days, whatever the region: a short range on the day (the key,
        # led by the facet and the region, would read every due day of the region subtree).
        Index("ix_project_tally_facet_value", "facet", "value", "region_code", "year"),
    )

    # Key order: a facet, then the region subtree as one range, so each read is a short range.
    facet: str = Field(primary_key=True, max_length=16)
    region_code: str = Field(primary_key=True, max_length=6)
    year: int = Field(primary_key=True)
    value: str = Field(primary_key=True, max_length=32)
    projects: int = 0
    filed: int = Field(default=0, description="with a filing time (filed_at)")
    rounds: int = Field(default=0, description="report rounds submitted, summed")
    reviewed: int = Field(default=0, description="with at least one report round")
    timed: int = Field(default=0, description="with a deadline and an approval date")
    on_time: int = Field(default=0, description="approved on or before the deadline")


class ReturnReasonTally(TableBase, table=True):
    """Failed checklist items of returned reviews, and the reviews, per region, year and category."""

    __tablename__ = "return_reason_tally"

    region_code: str = Field(primary_key=True, max_length=6)
    year: int = Field(primary_key=True)
    category_code: str = Field(primary_key=True, max_length=16)
    failed_items: int = 0
    returned_reviews: int = 0
