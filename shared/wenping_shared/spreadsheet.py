"""Print set-up the services' exported workbooks share (openpyxl worksheets, taken as they come)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def print_for_office(sheet: Any, title: str, exported_on: dt.date) -> None:
    """Landscape A4, fit to one page wide, row 1 (the header) on every page, the title and the
    export date in the page header and "page N of M" in the footer."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.horizontalCentered = True
    sheet.oddHeader.center.text = title
    sheet.oddHeader.center.size = 14
    sheet.oddHeader.right.text = f"导出日期：{exported_on.year}年{exported_on.month}月{exported_on.day}日"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
