"""Keeping the statistics tallies (stats/models.py) in the transaction of every change.

One hook for every writer: each flush of an intake session that creates, changes or deletes a
project (filing, designation, decision lists, transitions, report rounds, review events, tracking,
seeds, test set-ups) or adds return reasons. Before the flush it reads what the touched projects
contribute as stored; after it, what they contribute now, and adds the difference. Reading the
rows (not the objects' attribute history) also catches what a flush changes below the ORM: the
approval date reports/models.py writes with a Core UPDATE when a round is approved. New projects
contribute their own values (nothing below the ORM changes a project in the flush that creates it).

The differences of a transaction's flushes are summed in the session and added once, just before
its commit (one UPSERT per table, count = count + amount, keys sorted; stats/repository.py): the
tally rows, which every filing of a region and year shares, are locked only from there to the
commit, concurrent transactions add up, and a rolled-back transaction adds nothing. (Intake uses no
savepoints; amounts made inside a rolled-back savepoint would still be added.)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared.contracts.vocab import ReviewVerdict

from ..projects.lifecycle import FINISHED_STATUSES
from ..projects.models import Project
from ..reports.models import ReportRound, ReturnReason
from .repository import (
    REASON_COUNTS,
    TALLY_COUNTS,
    TALLY_FIELDS,
    add_to_reason_tallies,
    add_to_tallies,
    review_categories,
    tally_fields,
)

Key = tuple[str, str, int, str]  # facet, region, year, value
Amounts = tuple[int, ...]  # in TALLY_COUNTS order
ONE: Amounts = (1, 0, 0, 0, 0, 0)
_PENDING = "wenping_intake.stats.tallies"
_SUMS = "wenping_intake.stats.tallies.sums"


def contributions(project: Any) -> dict[Key, Amounts]:
    """What one project (an object or a row with the TALLY_FIELDS) adds to each tally."""
    region, year = project.region_code, int(project.year)
    rounds = int(project.report_rounds or 0)
    deadline: dt.date | None = project.deadline
    approved_on: dt.date | None = project.approved_on
    timed = deadline is not None and approved_on is not None
    out: dict[Key, Amounts] = {
        ("status", region, year, project.status): (
            1, int(project.filed_at is not None), rounds, int(rounds > 0), int(timed),
            int(timed and approved_on <= deadline),  # type: ignore[operator]  # timed: both are dates
        ),
        ("category", region, year, project.category): ONE,
        ("initiation", region, year, project.initiation): ONE,
        ("risk_level", region, year, project.risk_level or ""): ONE,
    }
    if deadline is not None and project.status not in FINISHED_STATUSES:
        out[("due_month", region, year, deadline.isoformat()[:7])] = ONE
        out[("due_day", region, year, deadline.isoformat())] = ONE
    return out


def _changes_tallied_fields(project: Project) -> bool:
    attrs = inspect(project).attrs
    return any(attrs[name].history.has_changes() for name in TALLY_FIELDS)


def _touched(session: Session) -> tuple[set[str], set[str]]:
    """Ids of projects whose stored tallied fields this flush may change (rows read before and
    after), and of the projects it creates."""
    touched: set[str] = set()
    created: set[str] = set()
    for obj in session.new:
        if isinstance(obj, Project):
            created.add(obj.id)
        elif isinstance(obj, ReportRound) and obj.verdict == ReviewVerdict.approved:
            touched.add(obj.project_id)
    for obj in session.dirty:
        if isinstance(obj, Project) and _changes_tallied_fields(obj):
            touched.add(obj.id)
        elif isinstance(obj, ReportRound) and obj.verdict == ReviewVerdict.approved:
            touched.add(obj.project_id)
    touched.update(obj.id for obj in session.deleted if isinstance(obj, Project))
    return touched - created, created


def _rows(connection: Connection, project_ids: set[str]) -> list[Any]:
    return list(connection.execute(tally_fields(project_ids))) if project_ids else []


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    touched, created = _touched(session)
    reviews = {obj.review_id for obj in session.new if isinstance(obj, ReturnReason)}
    if not (touched or created or reviews):
        session.info.pop(_PENDING, None)
        return
    connection = session.connection()
    counted = set(connection.execute(review_categories(reviews))) if reviews else set()
    session.info[_PENDING] = (touched, _rows(connection, touched), {tuple(pair) for pair in counted})


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    touched, before, counted = pending
    amounts, reasons = session.info.setdefault(_SUMS, _new_sums())
    _add(amounts, before, -1)
    _add(amounts, _rows(session.connection(), touched), 1)
    _add(amounts, (obj for obj in session.new if isinstance(obj, Project)), 1)
    _add_reasons(reasons, counted, [obj for obj in session.new if isinstance(obj, ReturnReason)])


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()  # the last changes first (commit itself would flush only after this hook)
    sums = session.info.pop(_SUMS, None)
    if sums is None:
        return
    amounts, reasons = sums
    connection = session.connection()
    rows = [
        {"facet": k[0], "region_code": k[1], "year": k[2], "value": k[3], **dict(zip(TALLY_COUNTS, v, strict=True))}
        for k, v in sorted(amounts.items())
        if any(v)
    ]
    if rows:
        connection.execute(add_to_tallies(connection.dialect.name), rows)
    reason_rows = [
        {"region_code": k[0], "year": k[1], "category_code": k[2], **dict(zip(REASON_COUNTS, v, strict=True))}
        for k, v in sorted(reasons.items())
        if any(v)
    ]
    if reason_rows:
        connection.execute(add_to_reason_tallies(connection.dialect.name), reason_rows)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (sums added) or rolled back (sums dropped)
        session.info.pop(_SUMS, None)
        session.info.pop(_PENDING, None)


ReasonKey = tuple[str, int, str]  # region, year, checklist category


def _new_sums() -> tuple[dict[Key, list[int]], dict[ReasonKey, list[int]]]:
    return defaultdict(lambda: [0] * len(TALLY_COUNTS)), defaultdict(lambda: [0, 0])


def _add(amounts: dict[Key, list[int]], projects: Iterable[Any], sign: int) -> None:
    for project in projects:
        for key, values in contributions(project).items():
            total = amounts[key]
            for i, value in enumerate(values):
                total[i] += sign * value


def _add_reasons(totals: dict[ReasonKey, list[int]], counted: set[tuple[str, str]], reasons: list[ReturnReason]) -> None:
    """Failed items per (region, year, category); a review once per category it failed in.
    (``year`` is filled from the project on insert, reports/models.py, so it is read after the flush.)"""
    for reason in reasons:
        total = totals[(reason.region_code, int(reason.year or 0), reason.category_code)]
        total[0] += 1
        pair = (reason.review_id, reason.category_code)
        if pair not in counted:
            counted.add(pair)
            total[1] += 1


def new_project_rows(project: Any) -> dict[str, list[Any]]:
    """What a new project adds to the tallies, as one array per column (keys sorted, so concurrent
    writers lock in one order): for a statement that inserts the project itself, below the ORM
    (the filing's last statement, projects/numbering.py), which the flush hooks above do not see."""
    rows = sorted(contributions(project).items())
    columns: dict[str, list[Any]] = {name: [] for name in ("facet", "region_code", "year", "value", *TALLY_COUNTS)}
    for (facet, region, year, value), amounts in rows:
        for name, item in zip(("facet", "region_code", "year", "value"), (facet, region, year, value), strict=True):
            columns[name].append(item)
        for name, amount in zip(TALLY_COUNTS, amounts, strict=True):
            columns[name].append(amount)
    return columns


def count_new_project(session: Session | AsyncSession, project: Any) -> None:
    """Add a project inserted below the ORM to the sums added before the commit (``_before_commit``)."""
    amounts, _ = session.info.setdefault(_SUMS, _new_sums())
    _add(amounts, [project], 1)
