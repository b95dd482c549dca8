"""A person at the in-process portal: a cookie jar, the last page and its CSRF token.

A module of its own (not conftest): test modules import it by a name no other folder uses."""

from __future__ import annotations

import re
from typing import Any

import httpx
from system_kit import docx_bytes

PORTAL = "http://portal.test"
COOKIE = "wenping_session"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    def __init__(self, app: Any, address: str = "127.0.0.1") -> None:
        transport = httpx.ASGITransport(app=app, client=(address, 50123))
        self.client = httpx.AsyncClient(transport=transport, base_url=PORTAL, follow_redirects=True)
        self.csrf = ""

    def _remember(self, response: httpx.Response) -> httpx.Response:
        found = CSRF.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if found:
            self.csrf = found.group(1)
        return response

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._remember(await self.client.get(path, **kwargs))

    async def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return self._remember(await self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs))

    async def sign_in(self, username: str, password: str = "wenping-demo") -> httpx.Response:
        await self.get("/")
        return await self.post("/sign-in", {"username": username, "password": password})

    async def aclose(self) -> None:
        await self.client.aclose()


FGW = "嘉兴市发展和改革委员会"
AGENCY = "嘉兴和谐社会风险评估咨询有限公司"


async def commissioned_project(system: Any) -> dict[str, Any]:
    """A 发改委 urban-renewal project, assessing, commissioned to the demo grade-B agency (over the APIs)."""
    import datetime as dt
    import uuid

    from wenping_shared.contracts import samples
    from wenping_shared.demo import demo_id

    filer = await system.auth("jx.fgw.filer")
    body = {
        "title": f"门户测试项目-{uuid.uuid4().hex[:8]}", "category": "project", "sub_kind": "urban_renewal",
        "interests": ["land_requisition", "demolition", "environment", "employment"], "affected_population": 3860,
        "implementing_unit_name": samples.IMPLEMENTING_UNIT,
        "planned_decision_date": (dt.date.today() + dt.timedelta(days=120)).isoformat(),
        "deadline": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
    }
    project = (await system.intake.post("/api/v1/projects", json=body, headers=filer)).json()
    for action in ("file", "start_assessment"):
        current = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=filer)).json()
        moved = await system.intake.post(f"/api/v1/projects/{project['id']}/transitions", json={"action": action},
                                         headers={**filer, "If-Match": f'"{current["version"]}"'})
        assert moved.status_code == 200, moved.text
    answer = await system.intake.post(f"/api/v1/projects/{project['id']}/commission",
                                      json={"agency_id": demo_id("agency", AGENCY)}, headers=filer)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def submitted_review(system: Any, project: dict[str, Any]) -> str:
    """The agency submits the sample report for the project over the API; the id of the review it opens."""
    from wenping_shared.contracts import samples
    from wenping_shared.demo import org_id

    report = samples.complete_report()
    report["project_name"] = report["filing_form"]["project_name"] = project["title"]
    report["filing_form"]["decision_body"] = FGW
    report["filing_form"]["decision_body_org_id"] = org_id(FGW)
    report["assessor"]["agency_id"] = project["agency_id"]
    agency = await system.auth("agency.jx")
    upload = await system.intake.post("/api/v1/files", files={"file": ("报告.docx", docx_bytes(), "application/octet-stream")},
                                      headers=agency)
    answer = await system.intake.post(f"/api/v1/projects/{project['id']}/reports",
                                      json={"report": report, "document_file_id": upload.json()["id"]}, headers=agency)
    assert answer.status_code == 201, answer.text
    await system.drain_outboxes()
    current = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=agency)).json()
    assert current["current_review_id"], current
    return str(current["current_review_id"])
