"""The statistics tallies stay exact: after a mixed sequence of filings, edits, transitions, report
rounds, returns, approvals, decisions and withdrawals through the API, the summary (summed from
the tallies) equals the figures counted straight from the project and return_reason rows; and the
tallies kept change by change equal the migration's rebuild from the rows. Both backends."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from intake_kit import Projects, Reports
from sqlalchemy import text
from sqlmodel import select
from system_kit import WenpingSystem
from test_stats_summary import flat, summary

import wenping_intake
from wenping_intake.projects.lifecycle import FINISHED_STATUSES
from wenping_intake.projects.models import Project
from wenping_intake.reports.models import ReturnReason
from wenping_intake.stats.service import COMPLETED_STATUSES, child_of
from wenping_shared import local_today, region_prefix

MIGRATION = Path(wenping_intake.__file__).parent / "migrations" / "versions" / "b7a11e5d0c01_statistics_tallies.py"


def counted(projects: list[Project], reasons: list[ReturnReason], base: str | None, year: int | None) -> dict[str, int]:
    """The summary's figures (as ``flat`` names them, zeros left out) counted from the rows."""
    today = local_today()
    prefix = region_prefix(base) if base else ""
    out: Counter[str] = Counter()
    for p in projects:
        if not p.region_code.startswith(prefix) or (year is not None and p.year != year):
            continue
        filed = p.status != "draft" and (p.status != "withdrawn" or p.filed_at is not None)
        completed = p.status in COMPLETED_STATUSES
        overdue = p.deadline is not None and p.deadline < today and p.status not in FINISHED_STATUSES
        figures = {"total": 1, "filed": int(filed), "completed": int(completed), "deferred": int(p.status == "deferred"),
                   "rejected": int(p.status == "rejected"), "overdue": int(overdue)}
        out.update({**figures, "withdrawn": int(p.status == "withdrawn")})
        out.update({f"region.{child_of(base, p.region_code)}.{k}": v for k, v in figures.items()})
        out.update({f"year.{p.year}.{k}": figures[k] for k in ("total", "filed", "completed")})
        out.update({f"by_status.{p.status}": 1, f"by_category.{p.category}": 1, f"by_initiation.{p.initiation}": 1,
                    f"by_risk_level.{p.risk_level}": 1})
        if completed and p.deadline is not None and p.approved_on is not None:
            out.update({"on_time.completed_with_deadline": 1, "on_time.on_time": int(p.approved_on <= p.deadline)})
        if p.report_rounds:
            out.update({"rounds.projects_reviewed": 1, "rounds.rounds_total": p.report_rounds})
    reviews: dict[str, set[str]] = defaultdict(set)
    for r in reasons:
        if r.region_code.startswith(prefix) and (year is None or r.year == year):
            out[f"returns.{r.category_code}.failed_items"] += 1
            reviews[r.category_code].add(r.review_id)
    out.update({f"returns.{code}.returned_reviews": len(ids) for code, ids in reviews.items()})
    return {k: v for k, v in out.items() if v}


async def tally_rows(system: WenpingSystem) -> set[tuple[Any, ...]]:
    async with system.apps["intake"].state.sessionmaker() as session:
        projects = await session.exec(text("SELECT * FROM project_tally WHERE projects <> 0 OR filed <> 0 OR rounds <> 0 "  # type: ignore[call-overload]
                                           "OR reviewed <> 0 OR timed <> 0 OR on_time <> 0"))
        reasons = await session.exec(text("SELECT * FROM return_reason_tally WHERE failed_items <> 0"))  # type: ignore[call-overload]
        return {("project", *row) for row in projects} | {("reason", *row) for row in reasons}


async def mixed_sequence(system: WenpingSystem, projects: Projects, reports: Reports) -> None:
    today = local_today()
    yesterday = today - dt.timedelta(days=1)  # overdue by a day (this month's days, unless today is the 1st)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).isoformat()
    later = (today + dt.timedelta(days=20)).isoformat()
    planned = (today + dt.timedelta(days=60)).isoformat()
    await projects.create()  # a draft
    await projects.create(category="policy", sub_kind=None, deadline=None)
    withdrawn_draft = await projects.create()
    await projects.act(withdrawn_draft["id"], "withdraw", reason="重复报备")
    filed = await projects.create(deadline=later, planned_decision_date=planned)
    await projects.act(filed["id"], "file")
    edited = await projects.get(filed["id"])
    response = await system.intake.patch(
        f"/api/v1/projects/{filed['id']}", json={"category": "reform", "sub_kind": None, "deadline": yesterday.isoformat()},
        headers={**await system.auth("jx.fgw.filer"), "If-Match": f'"{edited["version"]}"'},
    )
    assert response.status_code == 200, response.text
    late = await projects.assessing(deadline=last_month, planned_decision_date=planned)
    await projects.assessing(deadline=yesterday.isoformat(), planned_decision_date=planned, user="jx.zjj.filer")
    filed_then_withdrawn = await projects.assessing(deadline=later, planned_decision_date=planned)
    await projects.act(filed_then_withdrawn["id"], "withdraw", reason="项目取消")

    # Returned once (two C05 items, one C07), then approved after the deadline and decided.
    await reports.submit(late["id"])
    first = await reports.opened(late["id"])
    failed = [{"code": "C05.2", "category_code": "C05"}, {"code": "C05.4", "category_code": "C05"},
              {"code": "C07.1", "category_code": "C07"}]
    await reports.event(late["id"], event="decided", review_id=first, round=1, verdict="returned_for_revision",
                        score=60.0, failed_items=failed, rectification_deadline=later)
    await reports.submit(late["id"])
    second = await reports.opened(late["id"])
    await reports.event(late["id"], event="decided", review_id=second, round=2, verdict="approved", score=90.0)
    await projects.act(late["id"], "decide", outcome="implement_with_measures")

    # Approved on time, then deferred; another returned and then withdrawn.
    on_time = await projects.assessing(deadline=later, planned_decision_date=planned)
    await reports.submit(on_time["id"])
    review = await reports.opened(on_time["id"])
    await reports.event(on_time["id"], event="decided", review_id=review, round=1, verdict="approved", score=95.0)
    await projects.act(on_time["id"], "decide", outcome="defer")
    returned = await projects.assessing(deadline=later, planned_decision_date=planned)
    await reports.submit(returned["id"])
    review = await reports.opened(returned["id"])
    await reports.event(returned["id"], event="decided", review_id=review, round=1, verdict="returned_for_reassessment",
                        score=40.0, failed_items=[{"code": "C07.3", "category_code": "C07"}], rectification_deadline=later)
    await projects.act(returned["id"], "withdraw", reason="重新论证")


async def test_summary_equals_the_rows_after_a_mixed_sequence(
    system: WenpingSystem, projects: Projects, reports: Reports
) -> None:
    before = await tally_rows(system)
    await mixed_sequence(system, projects, reports)
    await system.drain_outboxes()
    assert await tally_rows(system) != before

    async with system.apps["intake"].state.sessionmaker() as session:
        rows = list((await session.exec(select(Project))).all())
        reasons = list((await session.exec(select(ReturnReason))).all())
    year = local_today().year
    scopes: list[tuple[str, str | None, dict[str, Any]]] = [
        ("service:review", None, {}),
        ("service:review", "330000", {"region_code": "330000"}),
        ("jx.reviewer", "330400", {}),
        ("jx.supervisor", "330400", {"year": year}),
        ("jx.reviewer", "330421", {"region_code": "330421", "year": year - 1}),
    ]
    for user, base, params in scopes:
        figures = {k: v for k, v in flat(await summary(system, user, **params)).items() if v}
        assert figures == counted(rows, reasons, base, params.get("year")), (user, params)


async def test_rebuilding_from_the_rows_gives_the_tallies_kept(
    system: WenpingSystem, projects: Projects, reports: Reports
) -> None:
    await mixed_sequence(system, projects, reports)
    kept = await tally_rows(system)
    spec = importlib.util.spec_from_file_location("tallies_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    async with system.apps["intake"].state.sessionmaker() as session:
        await (await session.connection()).run_sync(migration.backfill)
        await session.commit()
    assert await tally_rows(system) == kept
