"""Helpers for the intake tests: filing projects and moving them along as their owners would.

A module of its own (not conftest): test modules import it by a name no other folder uses."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select, update
from system_kit import WenpingSystem, docx_bytes

from wenping_intake.projects.models import Project
from wenping_shared.contracts.samples import complete_report


def project_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": f"测试项目-{uuid.uuid4().hex[:8]}",
        "category": "project",
        "sub_kind": "urban_renewal",
        "initiation": "initiation",
        "filing_batch": "ad_hoc",
        "interests": ["demolition", "environment"],
        "affected_population": 1200,
        "description": "老旧小区改造",
        "implementing_unit_name": "南湖城市建设投资有限公司",
        "planned_decision_date": "2026-12-31",
        "deadline": "2026-12-01",
        **overrides,
    }


class Projects:
    """Drive the intake API as a given user."""

    def __init__(self, system: WenpingSystem) -> None:
        self.system = system

    async def create(self, user: str = "jx.fgw.filer", **overrides: Any) -> dict[str, Any]:
        response = await self.system.intake.post(
            "/api/v1/projects", json=project_body(**overrides), headers=await self.system.auth(user)
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def get(self, project_id: str, user: str = "jx.fgw.filer") -> dict[str, Any]:
        response = await self.system.intake.get(f"/api/v1/projects/{project_id}", headers=await self.system.auth(user))
        assert response.status_code == 200, response.text
        return response.json()

    async def act(
        self, project_id: str, action: str, user: str = "jx.fgw.filer", expect: int = 200, **extra: Any
    ) -> dict[str, Any]:
        current = await self.get(project_id, user)
        headers = {**await self.system.auth(user), "If-Match": f'"{current["version"]}"'}
        response = await self.system.intake.post(
            f"/api/v1/projects/{project_id}/transitions", json={"action": action, **extra}, headers=headers
        )
        assert response.status_code == expect, response.text
        return response.json()

    async def assessing(self, user: str = "jx.fgw.filer", **overrides: Any) -> dict[str, Any]:
        project = await self.create(user, **overrides)
        await self.act(project["id"], "file", user)
        return await self.act(project["id"], "start_assessment", user)

    async def count(self) -> int:
        async with self.system.apps["intake"].state.sessionmaker() as session:
            return int((await session.exec(select(func.count()).select_from(Project))).one())


async def tied_projects(system: WenpingSystem, projects: Projects, user: str, tie: dt.datetime) -> tuple[list[str], list[Any]]:
    """Seven new projects of ``user``'s organisation, five of them created at one instant (only the
    id orders those); (their ids, the organisation's project rows in list order, newest first)."""
    created = [await projects.create(user) for _ in range(7)]
    ids = [p["id"] for p in created]
    async with system.apps["intake"].state.sessionmaker() as session:
        await session.exec(update(Project).where(col(Project.id).in_(ids[:5])).values(created_at=tie))  # type: ignore[call-overload]
        await session.commit()
        rows = (await session.exec(
            select(Project).where(col(Project.responsible_org_id) == created[0]["responsible_org_id"])
            .order_by(col(Project.created_at).desc(), col(Project.id).desc())
        )).all()
    return ids, list(rows)


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Reports:
    def __init__(self, system: WenpingSystem) -> None:
        self.system = system

    async def upload(self, user: str, content: bytes | None = None, filename: str = "报告.docx") -> dict[str, Any]:
        response = await self.system.intake.post(
            "/api/v1/files",
            files={"file": (filename, content if content is not None else docx_bytes(), "application/octet-stream")},
            headers=await self.system.auth(user),
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def submit(
        self, project_id: str, user: str = "jx.fgw.filer", expect: int = 201, report: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        document = await self.upload(user)
        response = await self.system.intake.post(
            f"/api/v1/projects/{project_id}/reports",
            json={"report": report if report is not None else complete_report(), "document_file_id": document["id"]},
            headers=await self.system.auth(user),
        )
        assert response.status_code == expect, response.text
        return response.json()

    async def opened(self, project_id: str, user: str = "jx.fgw.filer") -> str:
        """Let the real review service receive the round and open its review; its id."""
        await self.system.drain_outboxes()
        response = await self.system.intake.get(f"/api/v1/projects/{project_id}", headers=await self.system.auth(user))
        body = response.json()
        assert body["status"] == "under_review", body
        return str(body["current_review_id"])

    async def event(self, project_id: str, expect: int = 201, **body: Any) -> dict[str, Any]:
        payload = {"verdict": None, "score": None, "rectification_deadline": None, "failed_items": [], "decided_at": None}
        payload.update(body)
        response = await self.system.intake.post(
            f"/api/v1/projects/{project_id}/review-events",
            json=payload,
            headers=await self.system.service_headers("review", "intake"),
        )
        assert response.status_code == expect, response.text
        return response.json()
