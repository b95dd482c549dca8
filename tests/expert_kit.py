"""Experts with platform accounts, drawn for projects through the real registry: shared by the
registry's decline tests and intake's expert-opinion tests.

Pools: the demo seed leaves 330411 (秀洲区) without experts; these tests own its fields
finance (declines), environment (opinions) and transport (adoption statistics).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from system_kit import WenpingSystem, docx_bytes

from wenping_registry.experts.xlsx import id_number_check_char
from wenping_shared.contracts.samples import complete_report
from wenping_shared.demo import DEMO_PASSWORD, org_id

POOL_REGION = "330411"
DRAWER = "jx.reviewer"

_seq = iter(range(1, 10**6))


@dataclass(frozen=True)
class ExpertAccount:
    expert_id: str
    username: str
    user_id: str
    employer_name: str


#: Every account these tests made, by expert id: a draw may choose one made by another test.
ACCOUNTS: dict[str, ExpertAccount] = {}


def _id_number() -> str:
    seq = next(_seq) + 500
    first17 = f"{POOL_REGION}1975{1 + seq % 12:02d}{1 + seq % 28:02d}{seq % 1000:03d}"
    return first17 + id_number_check_char(first17)


async def expert_accounts(system: WenpingSystem, n: int, field: str) -> list[ExpertAccount]:
    """``n`` experts of 330411 in ``field``, each employed by a unit that is no registry
    organisation (employer_name only) and linked to an account of role expert."""
    admin = await system.auth("zj.admin")
    made = []
    for _ in range(n):
        tag = uuid.uuid4().hex[:8]
        user = await system.registry.post("/api/v1/users", headers=admin, json={
            "username": f"expert.t{tag}", "display_name": f"测试专家{tag}", "password": DEMO_PASSWORD,
            "roles": ["expert"], "org_id": org_id("嘉兴学院"),
        })
        assert user.status_code == 201, user.text
        employer = f"秀洲某设计院{tag}"
        expert = await system.registry.post("/api/v1/experts", headers=admin, json={
            "name": f"专家{tag}", "fields": [field], "employer_name": employer, "region_code": POOL_REGION,
            "phone": "13700004321", "id_number": _id_number(), "user_id": user.json()["id"],
        })
        assert expert.status_code == 201, expert.text
        account = ExpertAccount(expert.json()["id"], f"expert.t{tag}", user.json()["id"], employer)
        ACCOUNTS[account.expert_id] = account
        made.append(account)
    return made


async def draw(system: WenpingSystem, project_id: str, field: str, count: int, **extra: Any) -> dict[str, Any]:
    """Draw ``count`` experts of ``field`` in 330411 for the project, and let intake hear of it."""
    response = await system.registry.post("/api/v1/expert-draws", headers=await system.auth(DRAWER), json={
        "project_id": project_id, "fields": [field], "count": count, "region_code": POOL_REGION, **extra,
    })
    assert response.status_code == 201, response.text
    await system.drain_outboxes()
    return dict(response.json())


def chosen(draw_record: dict[str, Any]) -> list[ExpertAccount]:
    return [ACCOUNTS[c["expert_id"]] for c in draw_record["chosen"]]


async def assessing_project(system: WenpingSystem, filer: str) -> dict[str, Any]:
    """A self-assessed project of the filer's unit, filed and under assessment."""
    headers = await system.auth(filer)
    created = await system.intake.post("/api/v1/projects", headers=headers, json={
        "title": f"专家意见测试项目-{uuid.uuid4().hex[:8]}", "category": "project", "sub_kind": "urban_renewal",
        "interests": ["environment"], "deadline": "2026-12-01",
    })
    assert created.status_code == 201, created.text
    project = dict(created.json())
    for action in ("file", "start_assessment"):
        moved = await system.intake.post(f"/api/v1/projects/{project['id']}/transitions", json={"action": action},
                                         headers={**headers, "If-Match": f'"{project["version"]}"'})
        assert moved.status_code == 200, moved.text
        project = dict(moved.json())
    return project


async def submit_report(system: WenpingSystem, project_id: str, filer: str) -> Any:
    """Upload a report document and submit a round; the response (201, or the refusal)."""
    headers = await system.auth(filer)
    upload = await system.intake.post("/api/v1/files", headers=headers,
                                      files={"file": ("报告.docx", docx_bytes(), "application/octet-stream")})
    assert upload.status_code == 201, upload.text
    return await system.intake.post(f"/api/v1/projects/{project_id}/reports", headers=headers,
                                    json={"report": complete_report(), "document_file_id": upload.json()["id"]})
