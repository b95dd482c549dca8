"""Helpers for the oversight tests: a year of projects in known states.

Projects are filed through the decision-list API by their department's filer, then moved to
where the review flow would have taken them by writing the real database (status, year, dates,
report rounds, effect evaluation), so each test controls exactly which figures it expects. Each
test uses a year of its own (the database is shared by the whole run).

A module of its own (not conftest): test modules import it by a name no other folder uses."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_intake.projects.models import Project
from wenping_intake.reports.models import ReportRound
from wenping_intake.tracking.models import EffectEvaluation
from wenping_shared.demo import org_id

JS_ZJJ = org_id("嘉善县住房和城乡建设局")  # 330421, filer js.zjj.filer
TX_ZRZY = org_id("桐乡市自然资源和规划局")  # 330483, filer tx.filer


@dataclass
class Spec:
    """Where one project of the year stands."""

    listed: bool = True
    status: str = "filed"
    category: str = "policy"
    deadline: dt.date | None = None
    verdicts: list[tuple[str, dt.date]] = field(default_factory=list)  # rounds in order: (verdict, Beijing date)
    already_implemented: bool = False
    evaluated: bool = False


def _decided(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.UTC)


async def year_of_projects(system: WenpingSystem, user: str, year: int, specs: list[Spec]) -> list[dict[str, Any]]:
    """File one project per spec as ``user`` (one decision list), then put each where its spec says."""
    items = [{"title": f"考核项目-{uuid.uuid4().hex[:8]}", "category": s.category, "initiation": "initiation",
              "interests": ["social_security"]} for s in specs]
    body = {"batch": "start_of_year", "year": 2026, "title": f"清单-{uuid.uuid4().hex[:8]}", "items": items}
    response = await system.intake.post("/api/v1/decision-lists", json=body, headers=await system.auth(user))
    assert response.status_code == 201, response.text
    ids = [i["project_id"] for i in response.json()["items"]]
    async with system.apps["intake"].state.sessionmaker() as session:
        for project_id, spec in zip(ids, specs, strict=True):
            project = (await session.exec(select(Project).where(col(Project.id) == project_id))).one()
            project.year = year
            project.status = spec.status
            project.deadline = spec.deadline
            project.already_implemented = spec.already_implemented
            project.report_rounds = len(spec.verdicts)
            if not spec.listed:
                project.decision_list_id = None
                project.filing_batch = "ad_hoc"
            session.add(project)
            for number, (verdict, day) in enumerate(spec.verdicts, start=1):
                session.add(ReportRound(
                    project_id=project_id, round=number, report={}, submitted_on=day, submitted_by="test",
                    assessor_kind="self", review_id=f"rv-{uuid.uuid4().hex[:12]}", verdict=verdict, decided_at=_decided(day),
                ))
            if spec.evaluated:
                session.add(EffectEvaluation(
                    project_id=project_id, disputes_arisen=0, measures_effective=True, summary="措施落实，未发生矛盾纠纷",
                    evaluated_by="test",
                ))
        await session.commit()
        rows = (await session.exec(select(Project).where(col(Project.id).in_(ids)))).all()
        by_id = {p.id: {"id": p.id, "number": p.number} for p in rows}
    return [by_id[i] for i in ids]


async def set_target(system: WenpingSystem, expect: int = 200, user: str = "jx.supervisor", **body: Any) -> dict[str, Any]:
    response = await system.intake.post("/api/v1/targets", json=body, headers=await system.auth(user))
    assert response.status_code == expect, response.text
    return dict(response.json())
