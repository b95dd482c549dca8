"""Statistics queries.

A region subtree (+ year) scope — reviewers, supervisors, integration clients, service tokens —
sums the tallies (stats/models.py): a few short index ranges over at most regions x years x
values rows, however many projects there are. An organisation's scope (filers, agencies) groups
its own projects: three GROUP BY aggregates over the covering indexes ix_project_stats_facets,
ix_project_stats_kinds and ix_return_reason_stats. Rows come back per (region, year, ...) and the
service folds them.

The tallies are written here too: ``tally_fields`` reads what a project contributes, and
``add_to_tallies`` / ``add_to_reason_tallies`` add signed amounts with one UPSERT each, run once per
key (count = count + amount), so concurrent changes add up (stats/tallies.py calls them at each flush).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Insert, Select, and_, case, distinct, func, or_
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..projects.access import in_region_subtree
from ..projects.models import Project
from ..reports.models import ReturnReason
from .models import ProjectTally, ReturnReasonTally

#: Project columns a project's tallies depend on (stats/tallies.py ``contributions``).
TALLY_FIELDS: tuple[str, ...] = (
    "region_code", "year", "status", "filed_at", "report_rounds", "deadline", "approved_on",
    "category", "initiation", "risk_level",
)
TALLY_COUNTS: tuple[str, ...] = ("projects", "filed", "rounds", "reviewed", "timed", "on_time")
REASON_COUNTS: tuple[str, ...] = ("failed_items", "returned_reviews")
#: Facets summed as plain counts per value (besides status, which carries every figure).
KIND_FACETS: tuple[str, ...] = ("category", "initiation", "risk_level")


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


def tally_fields(project_ids: Iterable[str]) -> Select[Any]:
    """The tallied columns of these projects, as stored (read before and after a flush)."""
    return core_select(col(Project.id), *(getattr(Project, name) for name in TALLY_FIELDS)).where(
        col(Project.id).in_(sorted(project_ids))
    )


def review_categories(review_ids: Iterable[str]) -> Select[str, str]:
    """(review, category) pairs already holding a return reason: a review counts once per category."""
    reason = ReturnReason
    return (
        core_select(col(reason.review_id), col(reason.category_code))
        .where(col(reason.review_id).in_(sorted(review_ids)))
        .distinct()
    )


@cache
def _add(dialect: str, table: Any, keys: tuple[str, ...], counts: tuple[str, ...]) -> Insert:
    """One UPSERT statement per table and dialect, built once and run with a row of amounts per key
    (executemany): building and keying a multi-row VALUES statement anew cost about 1 ms per commit,
    spent while the tally rows are locked."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: table.c[name] + statement.excluded[name] for name in counts}
    )


def add_to_tallies(dialect: str) -> Insert:
    """Add signed amounts to project tallies: run with the rows sorted by key, so concurrent writers
    lock in one order."""
    table = ProjectTally.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    return _add(dialect, table, ("facet", "region_code", "year", "value"), TALLY_COUNTS)


def add_to_reason_tallies(dialect: str) -> Insert:
    table = ReturnReasonTally.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime
    return _add(dialect, table, ("region_code", "year", "category_code"), REASON_COUNTS)


def rolled_up(region: Any, base: str | None) -> Any:
    """The direct child of ``base`` a region code rolls up to, in SQL (stats/service.py ``child_of``)."""
    if base is None:
        return func.substr(region, 1, 2).concat("0000")
    if base.endswith("0000"):
        return func.substr(region, 1, 4).concat("00")
    return region


def _tally_scope(region: Any, year_column: Any, region_code: str | None, year: int | None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if region_code:
        clauses.append(in_region_subtree(region, region_code))
    if year is not None:
        clauses.append(year_column == year)
    return clauses


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- a region subtree (+ year): the tallies ------------------------------------------------

    async def tallied(self, region_code: str | None, year: int | None) -> Sequence[Any]:
        """Per (child region, year, facet, value) of status (every figure) and of the KIND_FACETS
        (projects), summed in the database so the service folds a few hundred rows at most."""
        t = ProjectTally
        child = rolled_up(col(t.region_code), region_code)
        query = (
            select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four fixed columns
                child, col(t.year), col(t.facet), col(t.value), *(func.sum(getattr(t, name)) for name in TALLY_COUNTS)
            )
            .where(col(t.facet).in_(("status", *KIND_FACETS)), *_tally_scope(col(t.region_code), col(t.year), region_code, year))
            .group_by(child, col(t.year), col(t.facet), col(t.value))
        )
        return (await self.session.exec(query)).all()

    async def tallied_overdue(self, region_code: str | None, year: int | None, today: dt.date) -> Sequence[Any]:
        """Per region: unfinished projects past their deadline — whole months before this one from
        ``due_month``, this month's days before today from ``due_day``."""
        t = ProjectTally
        month = today.isoformat()[:7]
        past = or_(
            and_(col(t.facet) == "due_month", col(t.value) < month),
            and_(col(t.facet) == "due_day", col(t.value) >= f"{month}-01", col(t.value) < today.isoformat()),
        )
        query = (
            select(col(t.region_code), func.sum(col(t.projects)))
            .where(past, *_tally_scope(col(t.region_code), col(t.year), region_code, year))
            .group_by(col(t.region_code))
        )
        return (await self.session.exec(query)).all()

    async def tallied_reasons(self, region_code: str | None, year: int | None) -> Sequence[Any]:
        """Per checklist category: failed items and returned reviews."""
        t = ReturnReasonTally
        query = (
            select(col(t.category_code), func.sum(col(t.failed_items)), func.sum(col(t.returned_reviews)))
            .where(*_tally_scope(col(t.region_code), col(t.year), region_code, year))
            .group_by(col(t.category_code))
        )
        return (await self.session.exec(query)).all()

    # --- an organisation's projects: grouped per request --------------------------------------

    async def facets(self, scope: Sequence[ColumnElement[bool]], today: dt.date) -> Sequence[Any]:
        """Per (region, year, status): projects, with filed_at set, past deadline, report rounds
        (sum, and projects with any), with a deadline and an approval date, approved on or before
        the deadline (project.approved_on is the latest approval's Beijing date)."""
        deadline, approved_on = col(Project.deadline), col(Project.approved_on)
        group = (col(Project.region_code), col(Project.year), col(Project.status))
        query = (
            select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four fixed columns
                *group,
                func.count(),
                _count_if(col(Project.filed_at).is_not(None)),
                _count_if(deadline < today),
                func.sum(col(Project.report_rounds)),
                _count_if(col(Project.report_rounds) > 0),
                _count_if(and_(deadline.is_not(None), approved_on.is_not(None))),
                _count_if(approved_on <= deadline),
            )
            .where(*scope)
            .group_by(*group)
        )
        return (await self.session.exec(query)).all()

    async def kinds(self, scope: Sequence[ColumnElement[bool]]) -> Sequence[Any]:
        """Per (region, year, category, initiation, risk level): projects."""
        group = (
            col(Project.region_code), col(Project.year), col(Project.category), col(Project.initiation), col(Project.risk_level)
        )
        query = select(*group, func.count()).where(*scope).group_by(*group)  # type: ignore[call-overload]  # sqlmodel types select() for up to four fixed columns
        return (await self.session.exec(query)).all()

    async def return_reasons(
        self, scope: Sequence[ColumnElement[bool]], region_code: str | None, year: int | None, by_region_only: bool
    ) -> Sequence[Any]:
        """Per (region, year, checklist category): failed items and returned reviews of the scope's
        projects. A review belongs to one project, so distinct reviews per group add up exactly.
        ``by_region_only``: the scope is just region subtree + year, which the reason carries itself
        (copied from its project), so no join; otherwise (organisation visibility) join the projects."""
        reason = ReturnReason
        group = (col(reason.region_code), col(reason.year), col(reason.category_code))
        query = select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four fixed columns
            *group, func.count(), func.count(distinct(col(reason.review_id)))
        ).group_by(*group)
        if region_code:
            query = query.where(in_region_subtree(col(reason.region_code), region_code))
        if year is not None:
            query = query.where(col(reason.year) == year)
        if not by_region_only:
            query = query.join(Project, col(Project.id) == col(reason.project_id)).where(*scope)
        return (await self.session.exec(query)).all()
