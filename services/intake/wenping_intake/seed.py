"""Demo data for the intake service (development only; idempotent).

A handful of projects in various states in both demo provinces (嘉兴 330400 and 张掖 620700), for
the demo filers' organisations, inserted directly (no HTTP) with numbers from the counter and a
ledger row for every step, exactly as the API would have written them. One project waits in the
outbox for the review service, so a fresh system shows a report arriving for review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, create_engine, create_sessionmaker, enqueue, local_date, local_today, utcnow
from wenping_shared.contracts import Report, messages
from wenping_shared.contracts.samples import complete_report
from wenping_shared.contracts.vocab import DECIDED_STATUS, Recommendation, project_level_for_region
from wenping_shared.demo import ACCOUNTS, demo_id, org_id

from .config import IntakeSettings
from .database import OutboxMessage
from .decision_lists.seed import seed_after_decision
from .demo_accounts import REVIEW_SERVICE, demo_user
from .ledger import service as ledger
from .projects import lifecycle
from .projects.models import Project
from .projects.numbering import next_number
from .projects.schemas import ProjectFields
from .projects.service import apply_fields, project_facts
from .reports.models import ReportRound, ReturnReason
from .reports.service import REVIEWS_PATH


@dataclass(frozen=True)
class DemoProject:
    key: str
    filer: str
    fields: dict[str, Any]
    steps: tuple[tuple[Any, ...], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def _days(n: int) -> str:
    return (local_today() + dt.timedelta(days=n)).isoformat()


def demo_projects() -> tuple[DemoProject, ...]:
    hexie = "嘉兴和谐社会风险评估咨询有限公司"
    longyuan = "甘肃陇原社会风险评估有限公司"
    return (
        DemoProject("jx-water-price", "jx.fgw.filer", {
            "title": "嘉兴市居民生活用水阶梯水价调整方案", "category": "policy", "interests": ["pricing", "social_security"],
            "filing_batch": "start_of_year", "affected_population": 1_200_000,
            "planned_decision_date": _days(120), "deadline": _days(90),
            "description": "调整居民生活用水阶梯水价及低保家庭减免政策。"}, (("file",),)),
        DemoProject("jx-old-town", "jx.zjj.filer", {
            "title": "嘉兴市南湖区建设街道老旧片区城市更新（旧城改造）项目", "category": "project", "sub_kind": "urban_renewal",
            "interests": ["land_requisition", "demolition", "environment", "employment"], "filing_batch": "start_of_year",
            "affected_population": 5200, "implementing_unit_name": "南湖城市建设投资有限公司",
            "planned_decision_date": _days(-30), "deadline": _days(-45)},
            (("file",), ("start_assessment",), ("commission", hexie), ("report", "low"),
             ("review", "approved", 100.0, []), ("decide", "implement_with_measures"))),
        DemoProject("jx-industrial-park", "jx.zjj.filer", {
            "title": "嘉兴市秀洲区高新技术产业园二期建设项目", "category": "project", "sub_kind": "industrial",
            "interests": ["land_requisition", "environment"], "filing_batch": "mid_year", "affected_population": 3100,
            "planned_decision_date": _days(60), "deadline": _days(40)},
            (("file",), ("start_assessment",), ("commission", hexie), ("report", "low"), ("handoff",))),
        DemoProject("js-farmhouse", "js.zjj.filer", {
            "title": "嘉善县姚庄镇农房集聚改造项目", "category": "project", "sub_kind": "urban_renewal",
            "interests": ["demolition", "farmers_burden"], "filing_batch": "ad_hoc", "affected_population": 860,
            "planned_decision_date": _days(10), "deadline": _days(-15)},
            (("file",), ("start_assessment",))),
        DemoProject("tx-land", "tx.filer", {
            "title": "桐乡市乌镇镇西栅片区集体土地征收项目", "category": "project", "sub_kind": "land_requisition",
            "interests": ["land_requisition", "heritage"], "affected_population": 420,
            "planned_decision_date": _days(150), "deadline": _days(120)}),
        DemoProject("jx-marathon", "jx.fgw.filer", {
            "title": "2026嘉兴南湖国际马拉松赛", "category": "event", "expected_participants": 15000,
            "interests": ["public_safety"], "filing_batch": "ad_hoc",
            "planned_decision_date": _days(45), "deadline": _days(30)},
            (("file",), ("start_assessment",), ("report", "medium"),
             ("review", "returned_for_revision", 96.33, [("C06.6", "C06"), ("C09.3", "C09")]))),
        DemoProject("jx-bike-fee", "jx.zjj.filer", {
            "title": "嘉兴市公共自行车收费标准调整方案", "category": "policy", "interests": ["pricing"],
            "planned_decision_date": _days(90)},
            (("file",), ("withdraw", "经研究暂不调整收费标准，撤回报备"))),
        DemoProject("zy-land-comp", "zy.filer", {
            "title": "张掖市甘州区城郊集体土地征收补偿安置方案", "category": "project", "sub_kind": "land_requisition",
            "interests": ["land_requisition", "farmers_burden"], "filing_batch": "start_of_year", "affected_population": 2300,
            "planned_decision_date": _days(20), "deadline": _days(-10)},
            (("file",),)),
        DemoProject("zy-forest-reform", "zy.filer", {
            "title": "张掖市国有林场改革实施方案", "category": "reform", "interests": ["soe_restructuring", "employment"],
            "filing_batch": "start_of_year", "affected_population": 640,
            "planned_decision_date": _days(-20), "deadline": _days(-40)},
            (("file",), ("start_assessment",), ("commission", longyuan), ("report", "medium"),
             ("review", "returned_for_reassessment", 94.33, [("C06.6", "C06"), ("C05.2", "C05"), ("C08.1", "C08")]),
             ("report", "medium"), ("review", "approved", 100.0, []), ("decide", "defer"))),
        DemoProject("zy-festival", "zy.filer", {
            "title": "张掖七彩丹霞旅游文化节", "category": "event", "expected_participants": 600,
            "interests": ["public_safety"], "filing_batch": "mid_year",
            "planned_decision_date": _days(75), "deadline": _days(60)}),
    )


async def _seed_project(session: AsyncSession, spec: DemoProject) -> None:
    filer = demo_user(spec.filer)
    assert filer.region_code and filer.org_id
    fields = ProjectFields.model_validate(spec.fields)
    now = utcnow()
    year = local_date(now).year
    seq, number = await next_number(session, filer.region_code, year)
    org_name = next(a[3] for a in ACCOUNTS if a[0] == spec.filer)
    project = Project(
        id=demo_id("project", spec.key), number=number, year=year, seq=seq, title=fields.title,
        category=fields.category.value, initiation=fields.initiation.value, region_code=filer.region_code,
        level=project_level_for_region(filer.region_code).value, responsible_org_id=filer.org_id,
        responsible_org_name=org_name, created_by=filer.subject, created_at=now, updated_at=now,
    )
    apply_fields(project, fields)
    session.add(project)
    await ledger.append(session, project, filer, "create", None, "draft", {"number": number, "title": project.title})
    for step in spec.steps:
        await _step(session, project, filer, step)


async def _step(session: AsyncSession, project: Project, filer: Principal, step: tuple[Any, ...]) -> None:
    kind = step[0]
    if kind in ("file", "start_assessment"):
        await lifecycle.change_status(session, project, filer, kind, lifecycle.target_status(kind, None))
    elif kind == "withdraw":
        await lifecycle.change_status(session, project, filer, "withdraw", "withdrawn", {"reason": step[1]})
    elif kind == "decide":
        project.decision_outcome = step[1]
        await lifecycle.change_status(
            session, project, filer, "decide", DECIDED_STATUS[Recommendation(step[1])], {"outcome": step[1]}
        )
    elif kind == "commission":
        name = step[1]
        project.agency_id, project.agency_org_id, project.agency_name = demo_id("agency", name), org_id(name), name
        project.assessor_kind = "agency"
        project.commissioned_at = utcnow()
        lifecycle.touch(project)
        await ledger.append(session, project, filer, "commission", project.status, project.status,
                            {"agency_id": project.agency_id, "agency_org_id": project.agency_org_id, "agency_name": name})
    elif kind == "report":
        number = project.report_rounds + 1
        report = complete_report(title=f"{project.title}社会稳定风险评估报告", project_name=project.title,
                                 conclusion={"residual_level": step[1]})
        now = utcnow()
        session.add(ReportRound(
            id=demo_id("report-round", f"{project.id}-{number}"), project_id=project.id, round=number, report=report,
            submitted_at=now, submitted_on=local_date(now), submitted_by=filer.subject, submitted_by_org_id=filer.org_id,
            assessor_kind=project.assessor_kind, agency_id=project.agency_id,
        ))
        project.report_rounds = number
        await lifecycle.change_status(session, project, filer, "submit_report", "report_submitted", {"round": number})
    elif kind == "handoff":
        number = project.report_rounds
        round_row = await session.get(ReportRound, demo_id("report-round", f"{project.id}-{number}"))
        assert round_row is not None
        enqueue(session, OutboxMessage, "review", REVIEWS_PATH, messages.ReportHandoff(
            project_id=project.id, round=number, report=Report.model_validate(round_row.report),
            submitted_on=round_row.submitted_on, project=project_facts(project),
        ))
    elif kind == "review":
        await _review(session, project, step[1], step[2], step[3])


async def _review(session: AsyncSession, project: Project, verdict: str, score: float, failed: list[tuple[str, str]]) -> None:
    """A decided review of the latest round, as the review service's events would have recorded it.
    (Seeded history: the review service holds no review for these rounds.)"""
    number = project.report_rounds
    review_id = demo_id("review", f"{project.id}-{number}")
    round_row = await session.get(ReportRound, demo_id("report-round", f"{project.id}-{number}"))
    assert round_row is not None
    now = utcnow()
    await lifecycle.change_status(session, project, REVIEW_SERVICE, "review_opened", "under_review",
                                  {"review_id": review_id, "round": number})
    round_row.review_id, round_row.verdict, round_row.score, round_row.decided_at = review_id, verdict, score, now
    if verdict != "approved":
        round_row.rectification_deadline = local_today() + dt.timedelta(days=30 if verdict == "returned_for_revision" else 60)
    session.add(round_row)
    for code, category in failed:
        session.add(ReturnReason(project_id=project.id, round=number, review_id=review_id, verdict=verdict,
                                 item_code=code, category_code=category, region_code=project.region_code,
                                 year=project.year, decided_at=now))
    if verdict == "approved":
        project.risk_level = (round_row.report.get("conclusion") or {}).get("residual_level")
    project.current_review_id = review_id
    await lifecycle.change_status(session, project, REVIEW_SERVICE, "review_decided",
                                  "approved" if verdict == "approved" else "returned",
                                  {"review_id": review_id, "round": number, "verdict": verdict, "score": score,
                                   "failed_items": [c for c, _ in failed], "risk_level": project.risk_level})


async def seed_demo(settings: IntakeSettings) -> None:
    engine = create_engine(settings.resolved_database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            for spec in demo_projects():
                if await session.get(Project, demo_id("project", spec.key)) is None:
                    await _seed_project(session, spec)
            await session.commit()
    finally:
        await engine.dispose()
    await seed_after_decision(settings)
