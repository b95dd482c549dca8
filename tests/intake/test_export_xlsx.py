"""GET /api/v1/projects/export.xlsx: the list's projects (same filters and visibility) with their ledger dates."""

from __future__ import annotations

import datetime as dt
import glob
import io
import os
import tempfile
from typing import Any

from openpyxl import load_workbook
from system_kit import WenpingSystem
from test_tracking_kit import file_items, force_state, list_item

from wenping_shared import local_today


async def export(system: WenpingSystem, user: str | None = None, headers: dict[str, str] | None = None, **params: Any) -> list[list[Any]]:
    response = await system.intake.get(
        "/api/v1/projects/export.xlsx", params=params, headers=headers or await system.auth(user or "")
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "项目编号" and int(response.headers["x-row-count"]) == len(rows) - 1
    return rows


async def listed_numbers(system: WenpingSystem, user: str, **params: Any) -> set[str]:
    listed = await system.every_item("intake", "/api/v1/projects", await system.auth(user), **params)
    return {p["number"] for p in listed}


async def test_export_has_the_lists_projects_and_their_ledger_dates(system: WenpingSystem) -> None:
    a, b = await file_items(system, "tx.filer", [list_item(deadline="2020-01-01"), list_item(category="reform")])
    await force_state(system, b, "approved", rounds=1)
    leftovers = set(glob.glob(os.path.join(tempfile.gettempdir(), "wenping-export-*")))

    rows = await export(system, "tx.filer")
    header = rows[0]
    numbers = {r[0] for r in rows[1:]}
    assert numbers == await listed_numbers(system, "tx.filer")
    project_a = (await system.intake.get(f"/api/v1/projects/{a}", headers=await system.auth("tx.filer"))).json()
    row = next(r for r in rows[1:] if r[0] == project_a["number"])
    cells = dict(zip(header, row, strict=True))
    assert cells["事项名称"] == project_a["title"] and cells["状态"] == "已报备" and cells["是否逾期"] == "是"
    assert cells["报备批次"] == "年初" and cells["责任单位"] == "桐乡市自然资源和规划局"
    filed_on = cells["报备日期"]
    assert isinstance(filed_on, dt.datetime) and filed_on.date() == local_today()
    assert cells["审查通过日期"] is None and cells["台账记录数"] == 1

    # Same filters as the list.
    for params in ({"category": "reform"}, {"status": "approved"}, {"overdue": "true"}, {"q": project_a["number"]}):
        got = {r[0] for r in (await export(system, "tx.filer", **params))[1:]}
        assert got == await listed_numbers(system, "tx.filer", **params), params
    assert {r[0] for r in (await export(system, "tx.filer", q=project_a["number"]))[1:]} == {project_a["number"]}
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "wenping-export-*"))) <= leftovers  # temp files deleted


async def test_export_visibility_per_role(system: WenpingSystem) -> None:
    (mine,) = await file_items(system, "tx.filer", [list_item()])
    number = (await system.intake.get(f"/api/v1/projects/{mine}", headers=await system.auth("tx.filer"))).json()["number"]
    assert number in {r[0] for r in (await export(system, "jx.reviewer"))[1:]}
    for user in ("zy.reviewer", "zy.filer", "jx.fgw.filer", "agency.jx", "zj.admin", "expert.jx1"):
        assert number not in {r[0] for r in (await export(system, user))[1:]}, user
    client = await system.client_token("demo-platform", "wenping-demo-secret")
    rows = await export(system, headers={"Authorization": f"Bearer {client}"})
    assert number in {r[0] for r in rows[1:]} and all(str(r[5]).startswith("3304") for r in rows[1:])


async def test_export_bad_filters_and_no_token(system: WenpingSystem) -> None:
    headers = await system.auth("jx.reviewer")
    for params in ({"status": "nonsense"}, {"year": "x"}, {"region_code": "33"}, {"overdue": "perhaps"}):
        response = await system.intake.get("/api/v1/projects/export.xlsx", params=params, headers=headers)
        assert response.status_code == 422, (params, response.text)
    assert (await system.intake.get("/api/v1/projects/export.xlsx")).status_code == 401
