"""The decomposition table (目标分解表) as xlsx: the template handed out and the rows read back.
Blocking (openpyxl); callers run it in a thread."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from wenping_shared.contracts.vocab import ProjectCategory

from ..errors import TargetImportUnreadable
from .schemas import COUNTING_RULE

#: (field, column title, width). 单位名称 is for the reader of the sheet; the id decides.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("year", "考核年度", 10),
    ("region_code", "行政区划代码（区划目标）", 22),
    ("org_id", "单位ID（单位目标）", 40),
    ("org_name", "单位名称（仅供核对）", 30),
    ("category", "类别（可空）", 14),
    ("target_count", "目标评估数", 12),
)
_TITLES = {field: title for field, title, _ in COLUMNS}
SHEET = "目标分解表"
MAX_ROWS = 2000


def column_title(field: str) -> str:
    return _TITLES.get(field, field)


def template(year: int, example_region: str) -> bytes:
    # openpyxl where a workbook is made or read, not at every start-up.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = SHEET
    sheet.append([title for _, title, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    sheet.append([year, example_region, None, None, None, 2])
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    for line in (
        "每行一个目标：区划目标填「行政区划代码」，单位目标填「单位ID」（二者只填一项）；示例行可改可删。",
        "类别为空表示计全部类别，否则填以下代码之一：",
        *(f"  {m.value}：{m.label}" for m in ProjectCategory),
        "同一年度、区划或单位、类别的目标已存在时，导入即替换（留痕）；任何一行有错则整表不导入。",
        COUNTING_RULE,
    ):
        notes.append([line])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_rows(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row number, field values) of every non-empty data row of the first sheet."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TargetImportUnreadable() from exc
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = [_cell(v) for v in values[: len(COLUMNS)]]
            if all(v is None for v in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise TargetImportUnreadable(f"目标分解表最多 {MAX_ROWS} 行")
            fields = {field: value for (field, _, _), value in zip(COLUMNS, cells, strict=False)}
            fields.pop("org_name", None)
            rows.append((number, {k: (str(v) if k in ("region_code", "org_id") and v is not None else v) for k, v in fields.items()}))
        return rows
    finally:
        book.close()
