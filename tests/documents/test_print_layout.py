"""Excel exports an office prints: landscape, fitted to the width, header repeated and
filterable, title and export date on every page, region names beside the codes."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from system_kit import WenpingSystem

from wenping_shared import local_today


def _assert_printable(sheet: Worksheet, title: str, columns: int, rows: int) -> None:
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.freeze_panes == "A2"
    last = sheet.cell(row=1, column=columns).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}{rows}"
    today = local_today()
    assert sheet.oddHeader.center.text == title
    assert sheet.oddHeader.right.text == f"导出日期：{today.year}年{today.month}月{today.day}日"
    assert sheet.oddFooter.center.text is not None and "&P" in sheet.oddFooter.center.text


async def test_the_ledger_export_prints_on_landscape_pages_with_region_names(system: WenpingSystem) -> None:
    response = await system.intake.get("/api/v1/projects/export.xlsx", headers=await system.auth("jx.supervisor"))
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content))["电子台账"]
    rows: list[tuple[Any, ...]] = list(sheet.iter_rows(values_only=True))
    assert len(rows) > 1, "the demo region has projects"
    _assert_printable(sheet, "电子台账", len(rows[0]), len(rows))
    header = list(rows[0])
    at = header.index("行政区划")
    assert header[at + 1] == "区划名称"
    names = {r[at]: r[at + 1] for r in rows[1:]}
    regions = await system.registry.get("/api/v1/regions", headers=await system.auth("jx.supervisor"))
    known = {r["code"]: r["name"] for r in regions.json()}
    assert names and all(name == known[code] for code, name in names.items()), names


async def test_the_expert_export_prints_like_the_ledger(system: WenpingSystem) -> None:
    response = await system.registry.get("/api/v1/experts/export.xlsx", headers=await system.auth("zj.admin"))
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content))["专家名单"]
    rows = list(sheet.iter_rows(values_only=True))
    _assert_printable(sheet, "专家名单", len(rows[0]), len(rows))
    header = list(rows[0])
    at = header.index("所属地区")
    assert header[at + 1] == "地区名称"
    regions = await system.registry.get("/api/v1/regions", headers=await system.auth("zj.admin"))
    known = {r["code"]: r["name"] for r in regions.json()}
    assert len(rows) > 1 and all(r[at + 1] == known[r[at]] for r in rows[1:])
