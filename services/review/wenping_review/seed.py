"""Demo data for the review service (development only; idempotent).

The decided reviews behind the intake service's seeded review history (same review ids, same
failed items), built from the real rule engine on the sample report, so the reviewer's history,
the feedback letters and the return-reason statistics show something on day one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic_core import to_jsonable_python
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import create_engine, create_sessionmaker, utcnow
from wenping_shared.contracts.report import Report
from wenping_shared.contracts.samples import SUBMITTED_ON, complete_report, sample_project_facts, sample_registry_facts
from wenping_shared.contracts.vocab import ItemMode, ItemResult
from wenping_shared.demo import ACCOUNTS, demo_id, org_id, user_id

from .checklist import DEFAULT_CONFIG, ProjectFacts, RegistryFacts, evaluate, load_checklist, score, verdict
from .config import ReviewSettings
from .reviews.models import DocumentNumberSequence, Review, ReviewItem

#: (intake demo project key, filer, title, round, failed items with the reviewer's comment)
_DECIDED: tuple[tuple[str, str, str, int, dict[str, str]], ...] = (
    ("jx-old-town", "jx.zjj.filer", "嘉兴市南湖区建设街道老旧片区城市更新（旧城改造）项目", 1, {}),
    ("jx-marathon", "jx.fgw.filer", "2026嘉兴南湖国际马拉松赛", 1, {
        "C06.6": "涉利益群体问卷样本仅覆盖沿线商户，未覆盖沿线居民，征求意见范围不广。",
        "C09.3": "交通管制与医疗保障措施表述笼统，未明确点位和人员。",
    }),
    ("zy-forest-reform", "zy.filer", "张掖市国有林场改革实施方案", 1, {
        "C06.6": "职工意见征求仅召开一次座谈会，样本不足。",
        "C05.2": "公示期仅5天，少于7天。",
        "C08.1": "部分风险因素未估计发生概率。",
    }),
    ("zy-forest-reform", "zy.filer", "张掖市国有林场改革实施方案", 2, {}),
)
_REVIEWERS = {"330400": ("jx.reviewer", "嘉兴市委政法委", "嘉政法函"), "620700": ("zy.reviewer", "张掖市委政法委", "张政法函")}


def _account(username: str) -> tuple[str, str]:
    """(organisation name, region) of a demo account."""
    row = next(a for a in ACCOUNTS if a[0] == username)
    return row[3], row[4]


async def seed_reviews(session: AsyncSession) -> None:
    checklist = load_checklist("v1")
    registry = RegistryFacts.from_dict(sample_registry_facts())
    now = utcnow()
    numbers: dict[str, int] = {}
    for key, filer, title, round_, failed in _DECIDED:
        project_id = demo_id("project", key)
        review_id = demo_id("review", f"{project_id}-{round_}")
        org_name, region = _account(filer)
        reviewer, office, prefix = _REVIEWERS[region]
        numbers[region] = numbers.get(region, 0) + 1
        if await session.get(Review, review_id) is not None:
            continue
        facts: dict[str, Any] = sample_project_facts(
            project_id=project_id, responsible_org_id=org_id(org_name), responsible_org_name=org_name, region_code=region
        )
        report = complete_report(title=f"{title}社会稳定风险评估报告", project_name=title)
        report["filing_form"].update(project_name=title, decision_body=org_name, decision_body_org_id=org_id(org_name))
        outcomes = evaluate(Report.model_validate(report), checklist=checklist, config=DEFAULT_CONFIG,
                            submitted_on=SUBMITTED_ON, project=ProjectFacts.from_dict(facts), registry=registry)
        results: dict[str, ItemResult] = {}
        items: list[ReviewItem] = []
        for position, (definition, outcome) in enumerate(zip(checklist.items, outcomes, strict=True)):
            auto = definition.mode == ItemMode.auto
            comment = failed.get(definition.code)
            result = ItemResult.fail if comment else (outcome.result if auto else ItemResult.pass_)
            results[definition.code] = result
            judged = comment is not None or not auto
            items.append(ReviewItem(
                review_id=review_id, code=definition.code, position=position,
                category_code=checklist.category_of[definition.code].code, mode=definition.mode.value,
                severity=definition.severity.value, auto_result=outcome.result.value if auto else None,
                result=result.value, evidence=outcome.evidence, details=outcome.details,
                suggestion=outcome.suggestion.value if outcome.suggestion is not None else None,
                comment=comment or ("经审阅，符合要求" if judged else None),
                judged_by=user_id(reviewer) if judged else None, judged_at=now if judged else None,
            ))
        outcome_verdict = verdict(results, checklist)
        assert outcome_verdict is not None
        days = {"returned_for_revision": 30, "returned_for_reassessment": 60}.get(outcome_verdict.value)
        session.add(Review(
            id=review_id, project_id=project_id, round=round_, status="decided", region_code=region,
            project_title=title, report_title=report["title"], responsible_org_id=org_id(org_name),
            responsible_org_name=org_name, assessor_kind=facts.get("assessor_kind", "self"),
            checklist_version=checklist.version, config_source={"region_code": None, "version": None},
            config=DEFAULT_CONFIG.model_dump(mode="json"), submitted_on=SUBMITTED_ON, report=report, project=to_jsonable_python(facts),
            opened_by="seed", verdict=outcome_verdict.value, score=score(results, checklist),
            rectification_deadline=now.date() + dt.timedelta(days=days) if days else None,
            decided_at=now, decided_by=user_id(reviewer), issuing_region_code=region, issuing_org_id=org_id(office),
            issuing_office=office, document_year=now.year, document_seq=numbers[region],
            document_number=f"{prefix}〔{now.year}〕{numbers[region]}号",
        ))
        await session.flush()
        session.add_all(items)
    for region, last in numbers.items():
        row = await session.get(DocumentNumberSequence, (region, now.year))
        if row is None:
            session.add(DocumentNumberSequence(issuing_region_code=region, year=now.year, last_number=last))
        elif row.last_number < last:
            row.last_number = last
    await session.flush()


async def seed_demo(settings: ReviewSettings) -> None:
    engine = create_engine(settings.resolved_database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            await seed_reviews(session)
            await session.commit()
    finally:
        await engine.dispose()
