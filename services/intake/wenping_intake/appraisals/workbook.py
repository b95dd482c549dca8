"""The appraisal table as xlsx, laid out for printing: A4 landscape, one page wide, the title and
header rows repeated on every page, a ranking sheet per kind and one sheet of the parts behind
each score. Blocking (openpyxl); callers run it in a thread."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from .schemas import AppraisalTable, Indicator, UnitScore

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INDICATORS = list(Indicator)


def _print_layout(sheet: Worksheet, title: str, columns: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:2"
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet.cell(1, 1, title).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")


def _ranking(sheet: Worksheet, title: str, rows: list[UnitScore]) -> None:
    header = ["名次", "名称", "区划", "总分", "等次", *(i.label for i in _INDICATORS), "方案版本"]
    _print_layout(sheet, title, len(header))
    sheet.append(header)
    for row in rows:
        points = {p.indicator: p.points for p in row.parts}
        sheet.append([
            row.rank, row.name or row.id, row.region_code, row.score, row.grade_label,
            *(points.get(i, 0) for i in _INDICATORS), f"{row.scheme_region_code}.v{row.scheme_version}",
        ])
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.border = _BOX
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["B"].width = 30
    sheet.freeze_panes = "C3"


def export(table: AppraisalTable) -> bytes:
    book = Workbook()
    heading = f"{table.year} 年度稳评工作考核（{table.region_code}，方案 {table.scheme.region_code}.v{table.scheme.version}）"
    first = book.active
    assert first is not None  # a new workbook has one sheet
    first.title = "单位排名"
    _ranking(first, heading + " · 单位", table.organizations)
    _ranking(book.create_sheet("区划排名"), heading + " · 区划", table.regions)
    detail = book.create_sheet("得分明细")
    header = ["名称", "指标", "分值/每例扣分", "分子/例数", "分母", "比率", "得分", "项目"]
    _print_layout(detail, heading + " · 得分明细", len(header))
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
