"""Demo data after the decision (development only; idempotent): a start-of-year decision list in
each demo province (items open, due soon, overdue, withdrawn, and one taken all the way to 销号),
and tracking records on the seeded 嘉兴 old-town renewal project with one measure overdue — so
lists, reminders and statistics all show something on day one. Written through the same rules
the API uses (services, lifecycle, ledger)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, create_engine, create_sessionmaker, local_date, local_today, utcnow
from wenping_shared.contracts.samples import complete_report
from wenping_shared.demo import ACCOUNTS, demo_id

from ..config import IntakeSettings
from ..demo_accounts import REVIEW_SERVICE, demo_user
from ..ledger import service as ledger
from ..projects import lifecycle
from ..projects.models import Project
from ..projects.schemas import ProjectCreate
from ..reports.models import ReportRound
from ..tracking.models import TrackedMeasure
from ..tracking.schemas import EvaluationCreate, TrackingCreate
from ..tracking.service import TrackingService
from .models import DecisionList
from .service import DecisionListService


def _days(n: int) -> str:
    return (local_today() + dt.timedelta(days=n)).isoformat()


def demo_lists() -> tuple[tuple[str, str, str, list[dict[str, Any]]], ...]:
    """(key, filer, title, items); an item's ``_then`` says where the demo takes it afterwards."""
    year = local_today().year
    return (
        ("jx-fgw-start", "jx.fgw.filer", f"嘉兴市发展和改革委员会{year}年度重大决策事项清单（年初）", [
            {"title": f"嘉兴市{year}年城乡居民医保筹资标准调整方案", "category": "policy",
             "interests": ["social_security", "pricing"], "planned_decision_date": _days(40), "deadline": _days(5)},
            {"title": "嘉兴市中心城区路内停车收费改革方案", "category": "reform", "interests": ["pricing"],
             "planned_decision_date": _days(10), "deadline": _days(-20)},
            {"title": "嘉兴市公共租赁住房保障扩面实施方案", "category": "policy", "interests": ["social_security"],
             "planned_decision_date": _days(-70), "deadline": _days(-90), "_then": "closed"},
        ]),
        ("zy-zrzy-start", "zy.filer", f"张掖市自然资源局{year}年度重大决策事项清单（年初）", [
            {"title": "张掖市农村饮水安全巩固提升工程", "category": "project", "sub_kind": "water",
             "interests": ["farmers_burden"], "planned_decision_date": _days(15), "deadline": _days(-5)},
            {"title": "张掖市城区集中供热价格调整方案", "category": "policy", "interests": ["pricing", "social_security"],
             "planned_decision_date": _days(50), "deadline": _days(30)},
            {"title": "张掖黑河湿地自然保护区生态移民搬迁方案", "category": "project", "sub_kind": "other",
             "interests": ["demolition", "farmers_burden"], "planned_decision_date": _days(90), "deadline": _days(60),
             "_then": "withdrawn"},
        ]),
    )


async def _seed_list(session: AsyncSession, key: str, filer_name: str, title: str, items: list[dict[str, Any]]) -> None:
    filer = demo_user(filer_name)
    assert filer.region_code and filer.org_id
    service = DecisionListService(session, None)  # type: ignore[arg-type]  # no registry call: names are known
    org_name = next(a[3] for a in ACCOUNTS if a[0] == filer_name)
    now = utcnow()
    decision_list = DecisionList(
        id=demo_id("decision-list", key), title=title, batch="start_of_year", year=local_today().year,
        region_code=filer.region_code, responsible_org_id=filer.org_id, responsible_org_name=org_name,
        item_count=len(items), created_by=filer.subject, created_at=now,
    )
    session.add(decision_list)
    for position, raw in enumerate(items, start=1):
        then = raw.get("_then")
        item = ProjectCreate.model_validate({k: v for k, v in raw.items() if k != "_then"})
        project = await service._new_project(filer, item, decision_list, org_name, now)
        await ledger.append(session, project, filer, "file_in_list", None, "filed", {
            "number": project.number, "title": project.title, "decision_list_id": decision_list.id, "position": position})
        if then == "withdrawn":
            await lifecycle.change_status(session, project, filer, "withdraw", "withdrawn", {"reason": "保护区范围调整，另行论证"})
        elif then == "closed":
            await _all_the_way(session, project, filer)
    await session.flush()


async def _all_the_way(session: AsyncSession, project: Project, filer: Principal) -> None:
    """filed → assessed → approved → implemented → tracked → evaluated → closed (销号)."""
    await lifecycle.change_status(session, project, filer, "start_assessment", "assessing")
    now = utcnow()
    report = complete_report(title=f"{project.title}社会稳定风险评估报告", project_name=project.title,
                             conclusion={"residual_level": "low"})
    review_id = demo_id("review", f"{project.id}-1")
    session.add(ReportRound(
        project_id=project.id, round=1, report=report, submitted_at=now, submitted_on=local_date(now),
        submitted_by=filer.subject, submitted_by_org_id=filer.org_id, assessor_kind="self",
        review_id=review_id, verdict="approved", score=90.0, decided_at=now,
    ))
    project.report_rounds = 1
    await lifecycle.change_status(session, project, filer, "submit_report", "report_submitted", {"round": 1})
    await lifecycle.change_status(session, project, REVIEW_SERVICE, "review_opened", "under_review",
                                  {"review_id": review_id, "round": 1})
    project.risk_level = "low"
    project.current_review_id = review_id
    await lifecycle.change_status(session, project, REVIEW_SERVICE, "review_decided", "approved",
                                  {"review_id": review_id, "round": 1, "verdict": "approved", "score": 90.0})
    project.decision_outcome = "implement"
    await lifecycle.change_status(session, project, filer, "decide", "implement", {"outcome": "implement"})
    await session.flush()
    tracking = TrackingService(session)
    for index in range(2):
        await tracking.record(filer, project.id, TrackingCreate(measure=index, progress_percent=100, status="completed",
                                                                note="已按期落实"))
    await tracking.evaluate(filer, project.id, EvaluationCreate(
        disputes_arisen=0, measures_effective=True, summary="措施落实到位，实施平稳，未发生矛盾纠纷。", satisfaction_rate=0.95,
    ), lambda _: None)
    await lifecycle.change_status(session, project, filer, "close", "closed")


async def _seed_tracking(session: AsyncSession) -> None:
    """Progress on the seeded old-town renewal project (implement_with_measures): tracking starts,
    one measure is done, one is overdue, one is due within days."""
    project = await session.get(Project, demo_id("project", "jx-old-town"))
    if project is None or project.status != "implement_with_measures":
        return
    existing = (await session.exec(select(TrackedMeasure).where(col(TrackedMeasure.project_id) == project.id))).first()
    if existing is not None:
        return
    filer = demo_user("jx.zjj.filer")
    tracking = TrackingService(session)
    today = local_today()
    plan = (
        (1, 100, "completed", "补偿安置方案与分户结果已在社区公示", None),
        (0, 60, "in_progress", "已完成 312 户评估结果送达，复核申请 9 件", today - dt.timedelta(days=10)),
        (3, 30, "in_progress", "帮扶专班已组建，正在逐户摸排", today + dt.timedelta(days=3)),
    )
    for index, progress, status, note, deadline in plan:
        await tracking.record(filer, project.id, TrackingCreate(
            measure=index, progress_percent=progress, status=status, note=note, deadline=deadline))


async def seed_after_decision(settings: IntakeSettings) -> None:
    engine = create_engine(settings.resolved_database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            for key, filer, title, items in demo_lists():
                if await session.get(DecisionList, demo_id("decision-list", key)) is None:
                    await _seed_list(session, key, filer, title, items)
            await _seed_tracking(session)
            await session.commit()
    finally:
        await engine.dispose()
