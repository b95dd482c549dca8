"""Project queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select, SelectOfScalar

from wenping_shared import PageParams, Principal, Reader

from .access import PROJECT, Bind, subtree_bounds, visible_condition, visible_terms
from .lifecycle import FINISHED_STATUSES
from .models import Project
from .schemas import ProjectPublic

#: The project's columns its public view shows (ProjectPublic's other fields are derived): the
#: hot reads (GET by id, the list) select these rows and answer from them, without an ORM object
#: per project or the five columns nobody is shown (seq, approved_on, created_by, the ledger head).
PUBLIC_COLUMNS = tuple(
    column for column in Project.__table__.c if column.name in ProjectPublic.model_fields  # type: ignore[attr-defined]
)
PUBLIC_FIELDS: tuple[str, ...] = tuple(column.name for column in PUBLIC_COLUMNS)


@dataclass(frozen=True)
class ProjectFilters:
    region_code: str | None = None
    status: Sequence[str] = ()
    category: str | None = None
    initiation: str | None = None
    risk_level: str | None = None
    responsible_org_id: str | None = None
    year: int | None = None
    overdue: bool | None = None
    q: str | None = None
    decision_list_id: str | None = None


def overdue_condition(today: Any) -> ColumnElement[bool]:
    """Past its deadline (``today``: a date or its bound parameter) and not finished (closed,
    withdrawn, rejected)."""
    return (PROJECT.deadline < today) & PROJECT.status.not_in(sorted(FINISHED_STATUSES))


#: Filters that are a column equal to the value.
_EQUAL = ("category", "initiation", "risk_level", "responsible_org_id", "decision_list_id")


def filter_terms(filters: ProjectFilters, today: dt.date) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Which filters the request gives (the shape of their conditions) and their values."""
    terms: list[str] = []
    values: dict[str, Any] = {}
    if filters.region_code:
        terms.append("region")
        values["region_low"], values["region_high"] = subtree_bounds(filters.region_code)
    if filters.status:
        terms.append("status")
        values["status"] = list(filters.status)
    for name in _EQUAL:
        if getattr(filters, name):
            terms.append(name)
            values[name] = getattr(filters, name)
    if filters.year is not None:
        terms.append("year")
        values["year"] = filters.year
    if filters.overdue is not None:
        terms.append("overdue" if filters.overdue else "not_overdue")
        values["today"] = today
    if filters.q:
        terms.append("q")
        # What icontains(autoescape=True) does to a literal, done here so the pattern can be bound.
        values["q"] = filters.q.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return tuple(terms), values


def filter_conditions(terms: tuple[str, ...], bind: Bind) -> list[ColumnElement[bool]]:
    """The filters of ``filter_terms`` as conditions, values taken by ``bind``."""
    where: list[ColumnElement[bool]] = []
    for term in terms:
        if term == "region":
            where.append(and_(PROJECT.region_code >= bind("region_low"), PROJECT.region_code <= bind("region_high")))
        elif term == "status":
            where.append(PROJECT.status.in_(bind("status", expanding=True)))
        elif term == "overdue":
            where.append(overdue_condition(bind("today")))
        elif term == "not_overdue":
            where.append(~overdue_condition(bind("today")) | PROJECT.deadline.is_(None))
        elif term == "q":
            pattern = bind("q")
            where.append(or_(PROJECT.title.icontains(pattern, escape="/"), PROJECT.number.icontains(pattern, escape="/")))
        else:  # a column equal to the value (_EQUAL, year)
            where.append(PROJECT[term] == bind(term))
    return where


def visible_matching(principal: Principal, filters: ProjectFilters, today: dt.date) -> list[ColumnElement[bool]]:
    """The conditions of the visible projects matching the filters (exports), values in place."""
    seen, visible_values = visible_terms(principal)
    matching, values = filter_terms(filters, today)
    values |= visible_values
    return [visible_condition(seen, _value_of(values)), *filter_conditions(matching, _value_of(values))]


def _value_of(values: dict[str, Any]) -> Bind:
    return lambda name, expanding=False: values[name]


def _parameter(name: str, expanding: bool = False) -> Any:
    return bindparam(name, expanding=expanding)


#: The list's statement per shape (which terms of the visibility rule, which filters, a cursor or
#: not), built once over bound parameters: building a fresh statement and its cache key cost
#: about 140 us a request (in-process, the 42-column select). Shapes are finite (terms and
#: filters are named in code); values, and so no project or decision, are never kept.
_LIST_STATEMENTS: dict[tuple[tuple[str, ...], tuple[str, ...], bool], Select[*tuple[Any, ...]]] = {}
_NEWEST_FIRST = (PROJECT.created_at, PROJECT.id)


def _list_statement(seen: tuple[str, ...], matching: tuple[str, ...], after: bool) -> Select[*tuple[Any, ...]]:
    where = [visible_condition(seen, _parameter), *filter_conditions(matching, _parameter)]
    if after:
        where.append(PageParams.after_bound(_NEWEST_FIRST, descending=True))
    return (
        select(*PUBLIC_COLUMNS)
        .where(*where)
        .order_by(*(column.desc() for column in _NEWEST_FIRST))
        .limit(bindparam("page_size", type_=Integer()))
    )


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, project_id: str) -> Project | None:
        return await self.session.get(Project, project_id)

    async def get_for_update(self, project_id: str) -> Project | None:
        """Load the row locked for this transaction (PostgreSQL; SQLite has one writer anyway),
        so the If-Match check and the ledger head are current when we change it."""
        result = await self.session.exec(
            select(Project).where(col(Project.id) == project_id).with_for_update().execution_options(populate_existing=True)
        )
        return result.first()

    def select_visible(self, principal: Principal, filters: ProjectFilters, today: dt.date) -> SelectOfScalar[Project]:
        """The visible projects matching the filters (no order, no limit): exports."""
        return select(Project).where(*visible_matching(principal, filters, today))


async def list_page(
    reader: Reader, principal: Principal, filters: ProjectFilters, page: PageParams, today: dt.date
) -> list[Any]:
    """A page of the visible projects as rows of ``PUBLIC_COLUMNS``, newest first (through the
    ``Reader``: the list clients poll holds no session)."""
    seen, values = visible_terms(principal)
    matching, filter_values = filter_terms(filters, today)
    shape = (seen, matching, page.cursor is not None)
    statement = _LIST_STATEMENTS.get(shape)
    if statement is None:
        statement = _LIST_STATEMENTS[shape] = _list_statement(*shape)
    params = {**values, **filter_values, **page.after_values(len(_NEWEST_FIRST)), "page_size": page.limit + 1}
    return await reader.all(statement, params)
