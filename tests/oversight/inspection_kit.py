"""Helpers for the inspection and accountability tests: a county supervisor of 桐乡 (a sibling of
嘉善), an inspection with its four checks, and reading a project's ledger actions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from system_kit import WenpingSystem

from wenping_shared.demo import org_id

CHECKS = ("procedure", "implementation", "quality", "closure")
_TX_SUPERVISOR: dict[int, dict[str, str]] = {}
PASSWORD = "a-long-password-1"


async def tx_supervisor(system: WenpingSystem) -> dict[str, str]:
    """Headers of a supervisor of 桐乡市 (330483): same city as 嘉善, a sibling county."""
    if id(system) not in _TX_SUPERVISOR:
        username = f"tx.supervisor.{uuid.uuid4().hex[:8]}"
        user = await system.registry.post("/api/v1/users", headers=await system.auth("zj.admin"), json={
            "username": username, "display_name": "桐乡市维稳办负责人", "password": PASSWORD, "roles": ["supervisor"],
            "org_id": org_id("桐乡市自然资源和规划局"),
        })
        assert user.status_code == 201, user.text
        _TX_SUPERVISOR[id(system)] = {"Authorization": f"Bearer {await system.token(username, password=PASSWORD)}"}
    return _TX_SUPERVISOR[id(system)]


def inspection_body(project_id: str, on: dt.date, problems: dict[str, dt.date], tag: str = "") -> dict[str, Any]:
    """Four checks; those named in ``problems`` found a problem due by the date given."""
    checks = []
    for check in CHECKS:
        if check in problems:
            checks.append({"check": check, "finding": f"{tag}{check}问题：台账缺少公示材料", "problem": True,
                           "requirement": "补齐材料并重新公示", "deadline": problems[check].isoformat()})
        else:
            checks.append({"check": check, "finding": f"{tag}{check}符合要求"})
    return {"project_id": project_id, "inspected_on": on.isoformat(), "inspectors": ["李督查", "王督查"], "checks": checks}


async def inspect(system: WenpingSystem, body: dict[str, Any], user: str = "jx.supervisor", expect: int = 201) -> dict[str, Any]:
    response = await system.intake.post("/api/v1/inspections", json=body, headers=await system.auth(user))
    assert response.status_code == expect, response.text
    return dict(response.json())


def problem(inspection: dict[str, Any], check: str) -> dict[str, Any]:
    return next(f for f in inspection["findings"] if f["check"] == check)


async def ledger_actions(system: WenpingSystem, project_id: str, user: str = "jx.supervisor") -> list[dict[str, Any]]:
    response = await system.intake.get(f"/api/v1/projects/{project_id}/ledger", headers=await system.auth(user),
                                       params={"verify": "true"})
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True
    return list(response.json()["items"])
