"""Targets (目标管理): a supervisor sets them inside the subtree, progress is counted from the
projects (never typed in), the decomposition table imports all-or-nothing, every change audited."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook
from oversight_kit import JS_ZJJ, TX_ZRZY, Spec, set_target, year_of_projects
from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_intake.targets.models import AssessmentTarget, OversightChange
from wenping_shared.demo import org_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _board(system: WenpingSystem, year: int, user: str = "jx.supervisor", **params: str) -> dict[str, dict]:
    response = await system.intake.get(
        "/api/v1/targets", params={"year": year, **params}, headers=await system.auth(user)
    )
    assert response.status_code == 200, response.text
    return {f"{t['org_id'] or t['region_code']}|{t['category']}": t for t in response.json()["items"]}


async def test_progress_is_counted_from_approved_projects(system: WenpingSystem) -> None:
    year = 2012
    approved = [("approved", dt.date(year, 3, 1))]
    await year_of_projects(system, "js.zjj.filer", year, [
        Spec(status="approved", verdicts=approved),
        Spec(status="approved", category="reform", verdicts=approved),
        Spec(status="assessing"),  # not completed
    ])
    # Approved the year after: counts for that year, not this one.
    await year_of_projects(system, "js.zjj.filer", year, [Spec(status="approved", verdicts=[("approved", dt.date(year + 1, 1, 2))])])

    org = await set_target(system, year=year, org_id=JS_ZJJ, target_count=3)
    assert (org["region_code"], org["org_name"], org["completed"], org["remaining"], org["met"]) == (
        "330421", "嘉善县住房和城乡建设局", 2, 1, False)
    policy = await set_target(system, year=year, org_id=JS_ZJJ, category="policy", target_count=1)
    assert (policy["completed"], policy["met"], policy["category_label"]) == (1, True, "重大政策")
    region = await set_target(system, year=year, region_code="330400", target_count=2)
    assert (region["completed"], region["met"]) == (2, True)

    # Setting the same target again replaces it (version 2), and both settings are in the audit trail.
    again = await set_target(system, year=year, org_id=JS_ZJJ, target_count=2)
    assert (again["id"], again["version"], again["met"]) == (org["id"], 2, True)
    async with system.apps["intake"].state.sessionmaker() as session:
        changes = (await session.exec(
            select(OversightChange).where(col(OversightChange.object_id) == org["id"]).order_by(col(OversightChange.at))
        )).all()
    assert [(c.action, c.details["target_count"], c.details["previous_count"]) for c in changes] == [
        ("set", 3, None), ("replace", 2, 3)]
    assert {c.actor for c in changes} == {await _subject(system, "jx.supervisor")}

    board = await _board(system, year)
    assert board[f"{JS_ZJJ}|None"]["completed"] == 2 and board["330400|None"]["completed"] == 2
    # A department sees its own targets only; a county's view is its subtree.
    own = await _board(system, year, "js.zjj.filer")
    assert set(own) == {f"{JS_ZJJ}|None", f"{JS_ZJJ}|policy"}
    assert await _board(system, year, "tx.filer") == {}


async def _subject(system: WenpingSystem, user: str) -> str:
    response = await system.intake.get("/api/v1/whoami", headers=await system.auth(user))
    return str(response.json()["subject"])


async def test_only_a_supervisor_sets_targets_and_only_inside_the_subtree(system: WenpingSystem) -> None:
    response = await system.intake.post(
        "/api/v1/targets", json={"year": 2012, "region_code": "330400", "target_count": 1},
        headers=await system.auth("js.zjj.filer"),
    )
    assert (response.status_code, response.json()["code"]) == (403, "oversight.supervisor_only")
    # 张掖 is outside 嘉兴's subtree, whether named as a region or by one of its organisations.
    outside = await set_target(system, 403, year=2012, region_code="620700", target_count=1)
    assert outside["code"] == "oversight.outside_subtree" and "辖区" in outside["detail"]
    outside_org = await set_target(system, 403, year=2012, org_id=org_id("张掖市自然资源局"), target_count=1)
    assert outside_org["code"] == "oversight.outside_subtree"
    unknown = await set_target(system, 400, year=2012, org_id="no-such-org", target_count=1)
    assert unknown["code"] == "target.org_not_found"
    both = await set_target(system, 422, year=2012, org_id=JS_ZJJ, region_code="330421", target_count=1)
    assert "二选一" in str(both) or "只须填写一项" in both["detail"]
    reading = await system.intake.get("/api/v1/targets", params={"year": 2012, "region_code": "620700"},
                                      headers=await system.auth("jx.supervisor"))
    assert (reading.status_code, reading.json()["code"]) == (403, "oversight.outside_subtree")


def _table(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "目标分解表"
    sheet.append(["考核年度", "行政区划代码（区划目标）", "单位ID（单位目标）", "单位名称（仅供核对）", "类别（可空）", "目标评估数"])
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


async def _import(system: WenpingSystem, content: bytes) -> tuple[int, dict]:
    response = await system.intake.post(
        "/api/v1/targets/import", files={"file": ("目标分解表.xlsx", content, XLSX)},
        headers=await system.auth("jx.supervisor"),
    )
    return response.status_code, response.json()


async def _count(system: WenpingSystem, year: int) -> int:
    async with system.apps["intake"].state.sessionmaker() as session:
        return len((await session.exec(select(AssessmentTarget).where(col(AssessmentTarget.year) == year))).all())


async def test_template_and_decomposition_table_import(system: WenpingSystem) -> None:
    year = 2013
    response = await system.intake.get("/api/v1/targets/template.xlsx", params={"year": year},
                                       headers=await system.auth("jx.supervisor"))
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    template = load_workbook(io.BytesIO(response.content))
    assert template.sheetnames == ["目标分解表", "填写说明"]
    assert [c.value for c in template["目标分解表"][1]][-1] == "目标评估数"
    assert [c.value for c in template["目标分解表"][2]] == [year, "330400", None, None, None, 2]

    # A bad table: nothing imported, every bad row named with its Excel row number and column.
    status, problem = await _import(system, _table([
        [year, "330421", None, None, None, 1],
        [year, None, JS_ZJJ, "嘉善县住建局", "policy", "三"],
        [year, "620700", None, None, None, 1],
        [year, None, None, None, "weird", 1],
        [year, "330421", None, None, None, 5],
    ]))
    assert status == 422 and problem["code"] == "target.import_invalid", problem
    assert "未导入任何目标" in problem["detail"]
    locs = {tuple(e["loc"][:2]) for e in problem["errors"]}
    assert locs == {("rows", 3), ("rows", 4), ("rows", 5), ("rows", 6)}
    assert any(e["loc"] == ["rows", 3, "目标评估数"] and e["msg"] == "须为整数" for e in problem["errors"])
    assert any("第 2 行" in e["msg"] for e in problem["errors"])
    assert await _count(system, year) == 0

    status, result = await _import(system, _table([
        [year, "330421", None, None, None, 1],
        [year, None, JS_ZJJ, "嘉善县住建局", "policy", 2],
        [year, None, TX_ZRZY, None, None, 3],
    ]))
    assert status == 200, result
    assert (result["created"], result["replaced"]) == (3, 0)
    assert [(t["region_code"], t["target_count"]) for t in result["items"]] == [("330421", 1), ("330421", 2), ("330483", 3)]
    status, result = await _import(system, _table([[year, None, TX_ZRZY, None, None, 4]]))
    assert (status, result["created"], result["replaced"]) == (200, 0, 1)
    assert await _count(system, year) == 3

    status, problem = await _import(system, b"not a workbook")
    assert (status, problem["code"]) == (400, "target.import_unreadable")
