"""The appraisal table as xlsx, laid out for printing as every export is (exports/xlsx.py
``print_for_office``: A4 landscape, one page wide, header row repeated, title and date in the page
header): a ranking sheet per kind and one sheet of the parts behind each score. Blocking
(openpyxl); callers run it in a thread."""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

from ..exports.xlsx import print_for_office
from .schemas import AppraisalTable, Indicator, UnitScore

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

_INDICATORS = list(Indicator)


def _ranking(sheet: Worksheet, title: str, today: dt.date, rows: list[UnitScore]) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = ["名次", "名称", "区划", "总分", "等次", *(i.label for i in _INDICATORS), "方案版本"]
    print_for_office(sheet, title, today, len(header))
    sheet.append(header)
    for row in rows:
        points = {p.indicator: p.points for p in row.parts}
        sheet.append([
            row.rank, row.name or row.id, row.region_code, row.score, row.grade_label,
            *(points.get(i, 0) for i in _INDICATORS), f"{row.scheme_region_code}.v{row.scheme_version}",
        ])
    for line in sheet.iter_rows():
        for cell in line:
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["B"].width = 30
    sheet.freeze_panes = "C2"


def export(table: AppraisalTable, today: dt.date) -> bytes:
    # openpyxl where a workbook is made, not at every start-up.
    from openpyxl import Workbook

    book = Workbook()
    heading = f"{table.year} 年度稳评工作考核（{table.region_code}，方案 {table.scheme.region_code}.v{table.scheme.version}）"
    first = book.active
    assert first is not None  # a new workbook has one sheet
    first.title = "单位排名"
    _ranking(first, heading + " · 单位", today, table.organizations)
    _ranking(book.create_sheet("区划排名"), heading + " · 区划", today, table.regions)
    detail = book.create_sheet("得分明细")
    header = ["名称", "指标", "分值/每例扣分", "分子/例数", "分母", "比率", "得分", "项目"]
    print_for_office(detail, heading + " · 得分明细", today, len(header))
    detail.append(header)
    for row in [*table.organizations, *table.regions]:
        for part in row.parts:
            numbers = "、".join(p.number for p in part.projects if p.counted)
            detail.append([row.name or row.id, part.label, part.weight, part.numerator, part.denominator,
                           part.rate, part.points, numbers])
    detail.column_dimensions["A"].width = 30
    detail.column_dimensions["B"].width = 24
    detail.column_dimensions["H"].width = 60
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
