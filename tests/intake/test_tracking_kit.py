"""Shared helpers for the after-decision tests (lists, tracking, reminders, stats, export).

Projects are filed through the decision-list API; states the review flow would reach (approved,
decided, ...) are then written straight to the real database, so each test controls exactly
which figures it expects.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_intake.projects.models import Project
from wenping_intake.reports.models import ReportRound, ReturnReason


def list_item(**overrides: Any) -> dict[str, Any]:
    return {
        "title": f"事项-{uuid.uuid4().hex[:8]}",
        "category": "policy",
        "initiation": "initiation",
        "interests": ["social_security"],
        **overrides,
    }


async def file_items(system: WenpingSystem, user: str, items: Sequence[dict[str, Any]], batch: str = "start_of_year") -> list[str]:
    """File these items as one decision list; the new projects' ids in item order."""
    body = {"batch": batch, "year": 2026, "title": f"清单-{uuid.uuid4().hex[:8]}", "items": list(items)}
    response = await system.intake.post("/api/v1/decision-lists", json=body, headers=await system.auth(user))
    assert response.status_code == 201, response.text
    return [i["project_id"] for i in response.json()["items"]]


async def file_projects(system: WenpingSystem, user: str, n: int, **overrides: Any) -> list[str]:
    return await file_items(system, user, [list_item(**overrides) for _ in range(n)])


def measures(*specs: tuple[str, str | None, str | None]) -> dict[str, Any]:
    """A report whose measures are (content, responsible unit, deadline)."""
    return {
        "measures": {
            "items": [
                {"risk_ids": ["R1"], "content": c, "responsible_unit": u, "coordinating_units": [], "deadline": d}
                for c, u, d in specs
            ]
        }
    }


async def force_state(
    system: WenpingSystem,
    project_id: str,
    status: str,
    *,
    rounds: int = 0,
    risk_level: str | None = None,
    approved_at: dt.datetime | None = None,
    report: dict[str, Any] | None = None,
    returns: Sequence[str] = (),
    category: str | None = None,
    deadline: dt.date | None = None,
) -> None:
    """Put a project where the review flow would have taken it: status, rounds, risk level, an
    approved report round (with its report) and the failed items of a returned round."""
    async with system.apps["intake"].state.sessionmaker() as session:
        project = (await session.exec(select(Project).where(col(Project.id) == project_id))).one()
        project.status = status
        project.report_rounds = rounds
        project.risk_level = risk_level
        if category is not None:
            project.category = category
        if deadline is not None:
            project.deadline = deadline
        session.add(project)
        now = dt.datetime.now(dt.UTC)
        if returns:
            review_id = f"rv-{uuid.uuid4().hex[:12]}"
            session.add(
                ReportRound(
                    project_id=project_id, round=1, report={}, submitted_on=now.date(), submitted_by="test",
                    assessor_kind="self", review_id=review_id, verdict="returned_for_revision", decided_at=now,
                )
            )
            for code in returns:
                session.add(
                    ReturnReason(
                        project_id=project_id, round=1, review_id=review_id, verdict="returned_for_revision",
                        item_code=code, category_code=code.split(".")[0], region_code=project.region_code, decided_at=now,
                    )
                )
        if approved_at is not None or report is not None:
            session.add(
                ReportRound(
                    project_id=project_id, round=max(rounds, 2 if returns else 1), report=report or {},
                    submitted_on=now.date(), submitted_by="test", assessor_kind="self",
                    review_id=f"rv-{uuid.uuid4().hex[:12]}", verdict="approved", decided_at=approved_at or now,
                )
            )
        await session.commit()


async def test_force_state_moves_a_filed_list_project(system: WenpingSystem) -> None:
    (project_id,) = await file_projects(system, "tx.filer", 1)
    await force_state(system, project_id, "approved", rounds=1, risk_level="low", approved_at=dt.datetime.now(dt.UTC))
    response = await system.intake.get(f"/api/v1/projects/{project_id}", headers=await system.auth("tx.filer"))
    assert response.json()["status"] == "approved" and response.json()["risk_level"] == "low"
