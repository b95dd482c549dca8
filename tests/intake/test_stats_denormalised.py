"""The statistics' denormalised copies follow the review events as the review service sends them:
project.approved_on (the latest approval's Beijing date, for the on-time rate) and
return_reason.year (the project's year, so reasons are counted per year without a join)."""

from __future__ import annotations

import datetime as dt

from intake_kit import Projects, Reports
from sqlmodel import col, select
from system_kit import WenpingSystem
from test_stats_summary import delta, summary

from wenping_intake.projects.models import Project
from wenping_intake.reports.models import ReturnReason


async def test_review_events_keep_the_statistics_copies(system: WenpingSystem, projects: Projects, reports: Reports) -> None:
    project = await projects.assessing(deadline="2026-12-01")
    region, year = project["region_code"], project["year"]
    scopes = {
        "region_year": ("jx.reviewer", {"region_code": region, "year": year}),
        "region": ("jx.reviewer", {"region_code": region}),
        "filer": ("jx.fgw.filer", {"year": year}),  # organisation scope: the reasons joined to projects
        "other_year": ("jx.reviewer", {"region_code": region, "year": year - 1}),
    }
    await system.drain_outboxes()
    before = {name: await summary(system, user, **params) for name, (user, params) in scopes.items()}

    await reports.submit(project["id"])
    first = await reports.opened(project["id"])
    failed = [{"code": "C05.2", "category_code": "C05"}, {"code": "C05.4", "category_code": "C05"}]
    await reports.event(project["id"], event="decided", review_id=first, round=1, verdict="returned_for_revision",
                        score=70.0, failed_items=failed, rectification_deadline="2026-12-31",
                        decided_at="2026-11-20T10:00:00+08:00")
    await reports.submit(project["id"])
    second = await reports.opened(project["id"])
    # 00:30 on 2 December in Beijing is still 1 December in UTC: one day past the deadline.
    approved = await reports.event(project["id"], event="decided", review_id=second, round=2, verdict="approved",
                                   score=92.0, decided_at="2026-12-02T00:30:00+08:00")
    assert approved["status"] == "approved"

    async with system.apps["intake"].state.sessionmaker() as session:
        row = (await session.exec(select(Project).where(col(Project.id) == project["id"]))).one()
        reasons = (await session.exec(select(ReturnReason).where(col(ReturnReason.project_id) == project["id"]))).all()
    assert row.approved_on == dt.date(2026, 12, 2)
    assert sorted((r.item_code, r.year, r.region_code) for r in reasons) == [("C05.2", year, region), ("C05.4", year, region)]

    after = {name: await summary(system, user, **params) for name, (user, params) in scopes.items()}
    for name in ("region_year", "region", "filer"):
        changes = delta(before[name], after[name])
        assert changes["on_time.completed_with_deadline"] == 1 and "on_time.on_time" not in changes, (name, changes)
        assert changes["returns.C05.failed_items"] == 2 and changes["returns.C05.returned_reviews"] == 1, (name, changes)
        assert changes["completed"] == 1 and changes["rounds.rounds_total"] == 2, (name, changes)
    assert delta(before["other_year"], after["other_year"]) == {}
