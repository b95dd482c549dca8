"""The expert pool spreadsheet (专家库导入导出表), import template, validation and export.

Column layout (sheet ``专家名单``, header in row 1, one expert per row from row 2; columns are
found by their header text, so their order may change and extra columns are ignored):

==========  ====  ===========================================================================
header      must  content
==========  ====  ===========================================================================
姓名        yes   the expert's name (at most 50 characters)
专业领域    yes   one or more fields separated by 、 or , (also ，；; and spaces), each the
                  Chinese label (法律政策) or the English value (law_policy) of ExpertField
职称        no    professional title, free text (教授, 高级工程师 ...)
工作单位    no    the employer's registered organisation name as listed on the platform, or
                  the organisation id; resolved to an id when the caller passes the
                  ``organizations`` lookup. Blank for someone without an employer (retired).
所属地区    yes   six-digit GB/T 2260 region code (330402)
手机号      yes   11-digit mainland mobile number
身份证号    yes   18-character resident ID number with a valid GB 11643 check character;
                  must be typed as text (a number cell loses the last digits)
聘期开始    yes   date (a date cell, or text 2025-01-01, 2025/1/1, 2025.1.1, 2025年1月1日)
聘期结束    no    date, not before 聘期开始; blank for an open term
状态        no    在库/暂停/退出 or active/suspended/retired; blank means 在库
==========  ====  ===========================================================================

The organisation is given by *name* because admins fill the sheet by hand; names are unique
enough per region and the lookup turns an unknown name into a row error, never a guess.

Import is all or nothing: :func:`parse_import` validates every row and returns either all
rows or only errors (each with the sheet's own row number and a Chinese reason).
Exports use the same layout (so an export with personal data can be edited and re-imported);
without personal data the 手机号 and 身份证号 columns are left out entirely.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Container, Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any, Final

from pydantic import BaseModel, ConfigDict, Field

from wenping_shared import local_today, printable
from wenping_shared.contracts.vocab import LABELS, ExpertField, ExpertStatus
from wenping_shared.spreadsheet import print_for_office

if TYPE_CHECKING:  # openpyxl is imported where a workbook is made or read, not at every start-up (~0.5 s)
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

SHEET_NAME: Final = "专家名单"
NOTES_SHEET_NAME: Final = "说明"
MAX_IMPORT_ROWS: Final = 5000

H_NAME, H_FIELDS, H_TITLE, H_EMPLOYER, H_REGION = "姓名", "专业领域", "职称", "工作单位", "所属地区"
H_PHONE, H_ID, H_START, H_END, H_STATUS = "手机号", "身份证号", "聘期开始", "聘期结束", "状态"

#: Every column in sheet order.
HEADERS: Final = (H_NAME, H_FIELDS, H_TITLE, H_EMPLOYER, H_REGION, H_PHONE, H_ID, H_START, H_END, H_STATUS)
REQUIRED_HEADERS: Final = frozenset({H_NAME, H_FIELDS, H_REGION, H_PHONE, H_ID, H_START})
#: Personal data: visible only to admins and reviewers, left out of ordinary exports.
PERSONAL_HEADERS: Final = frozenset({H_PHONE, H_ID})

_FIELD_LABELS: Final[Mapping[str, str]] = LABELS[ExpertField]
_STATUS_LABELS: Final[Mapping[str, str]] = LABELS[ExpertStatus]

_COLUMN_NOTES: Final = {
    H_NAME: ("必填", "专家姓名，不超过50字", "张三"),
    H_FIELDS: (
        "必填",
        "一个或多个专业领域，用“、”或“,”分隔；可填中文名称或英文代码，可选值见下表",
        "法律政策、社会管理",
    ),
    H_TITLE: ("选填", "职称，如教授、高级工程师", "教授"),
    H_EMPLOYER: ("选填", "工作单位全称（须与平台登记的单位名称一致）或单位编号；无工作单位可留空", "嘉兴学院"),
    H_REGION: ("必填", "所属地区的6位行政区划代码（GB/T 2260）", "330402"),
    H_PHONE: ("必填", "11位手机号码", "13812345678"),
    H_ID: ("必填", "18位居民身份证号码，请以文本格式填写", "330402198001010014"),
    H_START: ("必填", "聘期开始日期，如 2025-01-01", "2025-01-01"),
    H_END: ("选填", "聘期结束日期，不得早于聘期开始；长期聘用可留空", "2027-12-31"),
    H_STATUS: ("选填", "在库、暂停或退出；留空为在库", "在库"),
}


class ExpertSheetRow(BaseModel):
    """One expert as it appears in the spreadsheet (import result and export input)."""

    model_config = ConfigDict(frozen=True)

    row_number: int | None = None
    """The spreadsheet row it came from (imports only)."""
    name: str = Field(min_length=1)
    fields: tuple[ExpertField, ...] = Field(min_length=1)
    title: str | None = None
    employer_name: str | None = None
    """The 工作单位 text as written (export: the organisation's name)."""
    employer_org_id: str | None = None
    """Resolved through the ``organizations`` lookup on import, else None."""
    region_code: str = Field(pattern=r"^\d{6}$")
    phone: str | None = None
    id_number: str | None = None
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    status: ExpertStatus = ExpertStatus.active


class SheetProblem(BaseModel):
    """One reason an import is refused. ``row`` None: the file as a whole."""

    model_config = ConfigDict(frozen=True)

    row: int | None
    column: str | None
    message: str


class ParsedImport(BaseModel):
    """Either every row (``errors`` empty) or no rows at all (all or nothing)."""

    model_config = ConfigDict(frozen=True)

    rows: tuple[ExpertSheetRow, ...] = ()
    errors: tuple[SheetProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


# --- GB 11643 resident ID numbers ------------------------------------------------------------

ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS: Final = "10X98765432"


def id_number_check_char(first17: str) -> str:
    """GB 11643 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("需要17位数字")
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number_problem(id_number: str, today: dt.date | None = None) -> str | None:
    """Why an 18-digit resident ID number is invalid (Chinese), or None when it is valid.

    The number itself is never echoed: error lists end up in logs.
    """
    if len(id_number) != 18:
        return "身份证号应为18位"
    if not (id_number[:17].isascii() and id_number[:17].isdigit()) or id_number[17] not in "0123456789X":
        return "身份证号格式不正确（前17位应为数字，末位为数字或X）"
    try:
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if born > (today or dt.date.today()) or born.year < 1900:
        return "身份证号中的出生日期无效"
    if id_number_check_char(id_number[:17]) != id_number[17]:
        return "身份证号校验码错误（不符合 GB 11643 校验规则），请核对"
    return None


# --- template -------------------------------------------------------------------------------


def build_template() -> bytes:
    """The import template: header row, one example row, and a 说明 sheet describing columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new Workbook always has one ordinary sheet
    ws.title = SHEET_NAME
    ws.append(list(HEADERS))
    ws.append([_COLUMN_NOTES[h][2] for h in HEADERS])
    ws.cell(row=2, column=1, value="示例：张三（导入前请删除本行）")
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=1, column=col)
        cell.font = bold
        if header in REQUIRED_HEADERS:
            cell.fill = required_fill
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = 24 if header in (H_FIELDS, H_EMPLOYER, H_ID, H_NAME) else 14
        if header in (H_PHONE, H_ID, H_REGION):
            # Text format so Excel keeps leading zeros and all 18 ID digits.
            ws.column_dimensions[letter].number_format = "@"
            for row in (1, 2):
                ws.cell(row=row, column=col).number_format = "@"
    ws.freeze_panes = "A2"
    status_col = get_column_letter(HEADERS.index(H_STATUS) + 1)
    status_list = DataValidation(type="list", formula1='"' + ",".join(_STATUS_LABELS.values()) + '"', allow_blank=True)
    status_list.add(f"{status_col}2:{status_col}{MAX_IMPORT_ROWS + 1}")
    ws.add_data_validation(status_list)

    notes = wb.create_sheet(NOTES_SHEET_NAME)
    notes.append(["列名", "是否必填", "填写说明", "示例"])
    for header in HEADERS:
        must, text, example = _COLUMN_NOTES[header]
        notes.append([header, must, text, example])
    notes.append([])
    notes.append(["专业领域可选值", "英文代码"])
    for value, text in _FIELD_LABELS.items():
        notes.append([text, value])
    notes.append([])
    notes.append(["状态可选值", "英文代码"])
    for value, text in _STATUS_LABELS.items():
        notes.append([text, value])
    notes.append([])
    notes.append(["导入规则"])
    for rule in (
        "第1行为列名，请勿修改；从第2行起每行一位专家，空行将被忽略。",
        "导入前会逐行校验全部数据：任何一行有错误，整个文件都不导入，并列出所有错误的行号和原因。",
        f"同一文件中身份证号不得重复；每次最多导入 {MAX_IMPORT_ROWS} 行。",
        "请删除第2行的示例数据后再导入。",
        "手机号、身份证号属于个人信息，仅管理员和审查员可见。",
    ):
        notes.append([rule])
    for letter, width in (("A", 16), ("B", 16), ("C", 70), ("D", 22)):
        notes.column_dimensions[letter].width = width
    for cell in notes[1]:
        cell.font = bold

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- import ---------------------------------------------------------------------------------


def parse_import(
    data: bytes,
    *,
    organizations: Mapping[str, str] | None = None,
    known_region_codes: Container[str] | None = None,
    max_rows: int = MAX_IMPORT_ROWS,
    today: dt.date | None = None,
) -> ParsedImport:
    """Validate a whole import file; all rows or only errors.

    ``organizations`` maps an organisation's name *and* its id to its id; given, every
    工作单位 must be found in it. ``known_region_codes``, given, must contain every 所属地区.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    not_xlsx = ParsedImport(errors=(SheetProblem(row=None, column=None, message="文件不是有效的 Excel（.xlsx）文件"),))
    if not data.startswith(b"PK"):
        return not_xlsx
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError):
        return not_xlsx
    try:
        names = wb.sheetnames
        sheet = (
            wb[SHEET_NAME] if SHEET_NAME in names else wb[next((n for n in names if n != NOTES_SHEET_NAME), names[0])]
        )
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return _errors(SheetProblem(row=None, column=None, message="表格为空：第1行应为列名"))
        columns, header_errors = _read_header(header)
        if header_errors:
            return ParsedImport(errors=tuple(header_errors))
        return _parse_rows(
            rows,
            columns,
            organizations=organizations,
            known_region_codes=known_region_codes,
            max_rows=max_rows,
            today=today or dt.date.today(),
        )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        # A damaged sheet inside a valid zip surfaces only while reading rows.
        return not_xlsx
    finally:
        wb.close()


def _errors(*problems: SheetProblem) -> ParsedImport:
    return ParsedImport(errors=problems)


def _read_header(header: tuple[Any, ...]) -> tuple[dict[str, int], list[SheetProblem]]:
    columns: dict[str, int] = {}
    problems: list[SheetProblem] = []
    for index, value in enumerate(header):
        text = _text(value).rstrip("*＊").strip()
        if text in HEADERS:
            if text in columns:
                problems.append(SheetProblem(row=1, column=text, message=f"列名“{text}”重复"))
            columns[text] = index
    missing = [h for h in HEADERS if h in REQUIRED_HEADERS and h not in columns]
    if missing:
        problems.append(
            SheetProblem(row=1, column=None, message=f"缺少必填列：{'、'.join(missing)}（请使用导入模板，第1行为列名）")
        )
    return columns, problems


def _parse_rows(
    rows: Iterable[tuple[Any, ...]],
    columns: Mapping[str, int],
    *,
    organizations: Mapping[str, str] | None,
    known_region_codes: Container[str] | None,
    max_rows: int,
    today: dt.date,
) -> ParsedImport:
    parsed: list[ExpertSheetRow] = []
    problems: list[SheetProblem] = []
    seen_ids: dict[str, int] = {}
    data_rows = 0
    for row_number, raw in enumerate(rows, start=2):
        if all(_text(v) == "" for v in raw):
            continue
        data_rows += 1
        if data_rows > max_rows:
            return _errors(SheetProblem(row=None, column=None, message=f"每次最多导入 {max_rows} 行，请分批导入"))

        def cell(header: str, raw: tuple[Any, ...] = raw) -> Any:
            index = columns.get(header)
            return raw[index] if index is not None and index < len(raw) else None

        row_problems: list[SheetProblem] = []

        def problem(
            column: str, message: str, row_number: int = row_number, bucket: list[SheetProblem] = row_problems
        ) -> None:
            bucket.append(SheetProblem(row=row_number, column=column, message=message))

        name = _text(cell(H_NAME))
        if not name:
            problem(H_NAME, "姓名不能为空")
        elif name.startswith("示例"):
            problem(H_NAME, "这是模板中的示例行，请删除后再导入")
        elif len(name) > 50:
            problem(H_NAME, "姓名不能超过50字")

        fields, unknown = _parse_fields(_text(cell(H_FIELDS)))
        if unknown:
            problem(H_FIELDS, f"未知的专业领域：{'、'.join(unknown)}（可选：{'、'.join(_FIELD_LABELS.values())}）")
        elif not fields:
            problem(H_FIELDS, "专业领域不能为空")

        title = _text(cell(H_TITLE)) or None
        if title is not None and len(title) > 50:
            problem(H_TITLE, "职称不能超过50字")

        employer_name = _text(cell(H_EMPLOYER)) or None
        employer_org_id: str | None = None
        if employer_name is not None and organizations is not None:
            employer_org_id = organizations.get(employer_name)
            if employer_org_id is None:
                problem(H_EMPLOYER, f"工作单位“{employer_name}”不存在，请填写平台中登记的单位全称")

        region_code = _text(cell(H_REGION))
        if not region_code:
            problem(H_REGION, "所属地区不能为空")
        elif not re.fullmatch(r"[1-9]\d{5}", region_code):
            problem(H_REGION, "所属地区应为6位行政区划代码，如 330402")
        elif known_region_codes is not None and region_code not in known_region_codes:
            problem(H_REGION, f"行政区划代码 {region_code} 不存在")

        phone = re.sub(r"[\s-]", "", _text(cell(H_PHONE)))
        if phone.startswith("+86"):
            phone = phone[3:]
        if not phone:
            problem(H_PHONE, "手机号不能为空")
        elif not re.fullmatch(r"1[3-9]\d{9}", phone):
            problem(H_PHONE, "手机号格式不正确，应为11位手机号码")

        id_value = cell(H_ID)
        id_number = _text(id_value).upper()
        if isinstance(id_value, int | float):
            problem(H_ID, "身份证号请以文本格式填写（数字格式会丢失末位数字）")
        elif not id_number:
            problem(H_ID, "身份证号不能为空")
        elif (reason := id_number_problem(id_number, today)) is not None:
            problem(H_ID, reason)
        elif id_number in seen_ids:
            problem(H_ID, f"身份证号与第 {seen_ids[id_number]} 行重复")
        else:
            seen_ids[id_number] = row_number

        term_start = _parse_date(cell(H_START))
        if term_start is None:
            problem(
                H_START, "聘期开始不能为空" if _text(cell(H_START)) == "" else "聘期开始日期格式不正确，应如 2025-01-01"
            )
        term_end = _parse_date(cell(H_END))
        if term_end is None and _text(cell(H_END)) != "":
            problem(H_END, "聘期结束日期格式不正确，应如 2027-12-31")
        if term_start is not None and term_end is not None and term_end < term_start:
            problem(H_END, "聘期结束早于聘期开始")

        status_text = _text(cell(H_STATUS))
        status = _parse_status(status_text)
        if status is None:
            problem(H_STATUS, f"状态“{status_text}”无效，应为 在库、暂停 或 退出")

        if row_problems:
            problems.extend(row_problems)
            continue
        assert status is not None  # no problems means every value parsed
        parsed.append(
            ExpertSheetRow(
                row_number=row_number,
                name=name,
                fields=fields,
                title=title,
                employer_name=employer_name,
                employer_org_id=employer_org_id,
                region_code=region_code,
                phone=phone,
                id_number=id_number,
                term_start=term_start,
                term_end=term_end,
                status=status,
            )
        )
    if problems:
        return ParsedImport(errors=tuple(problems))
    if not parsed:
        return _errors(SheetProblem(row=None, column=None, message="表格中没有专家数据（从第2行起填写）"))
    return ParsedImport(rows=tuple(parsed))


_FIELD_BY_TEXT: Final[Mapping[str, ExpertField]] = {
    **{text: ExpertField(value) for value, text in _FIELD_LABELS.items()},
    **{value: ExpertField(value) for value in _FIELD_LABELS},
}
_STATUS_BY_TEXT: Final[Mapping[str, ExpertStatus]] = {
    **{text: ExpertStatus(value) for value, text in _STATUS_LABELS.items()},
    **{value: ExpertStatus(value) for value in _STATUS_LABELS},
}


def _parse_fields(text: str) -> tuple[tuple[ExpertField, ...], list[str]]:
    fields: list[ExpertField] = []
    unknown: list[str] = []
    for token in re.split(r"[、,，;；\s]+", text):
        if not token:
            continue
        field = _FIELD_BY_TEXT.get(token) or _FIELD_BY_TEXT.get(token.lower())
        if field is None:
            unknown.append(token)
        elif field not in fields:
            fields.append(field)
    return tuple(fields), unknown


def _parse_status(text: str) -> ExpertStatus | None:
    if not text:
        return ExpertStatus.active
    return _STATUS_BY_TEXT.get(text) or _STATUS_BY_TEXT.get(text.lower())


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE_TEXT.fullmatch(_text(value))
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _text(value: Any) -> str:
    """A cell as trimmed text; whole floats lose their ``.0`` (Excel stores 330402 as 330402.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


# --- export ---------------------------------------------------------------------------------


#: Beside 所属地区 on exports only (import ignores it, so an export still re-imports).
H_REGION_NAME: Final = "地区名称"


def export_headers(include_personal_data: bool, with_region_names: bool = False) -> tuple[str, ...]:
    headers = HEADERS if include_personal_data else tuple(h for h in HEADERS if h not in PERSONAL_HEADERS)
    if with_region_names:
        at = headers.index(H_REGION) + 1
        headers = (*headers[:at], H_REGION_NAME, *headers[at:])
    return headers


def write_export_to(
    stream: IO[bytes],
    rows: Iterable[ExpertSheetRow],
    include_personal_data: bool,
    region_names: Mapping[str, str] | None = None,
    exported_on: dt.date | None = None,
) -> None:
    """Stream the export into a binary file-like object (write-only workbook: rows are not kept
    in memory, so a pool of any size exports in constant memory).

    Laid out for printing like the ledger: landscape A4 fitted to the width, header row frozen,
    filterable and repeated on every page, title and export date in the page header.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    wb.properties.title = "专家名单"
    ws = wb.create_sheet(SHEET_NAME)
    headers = export_headers(include_personal_data, with_region_names=region_names is not None)
    wide = (H_FIELDS, H_EMPLOYER, H_ID)
    for col, header in enumerate(headers, start=1):  # write-only sheets take widths before any row
        ws.column_dimensions[get_column_letter(col)].width = 24 if header in wide else 14
    ws.freeze_panes = "A2"
    print_for_office(ws, "专家名单", exported_on or local_today())
    bold = Font(bold=True)
    ws.append([_out_cell(ws, h, font=bold) for h in headers])
    count = 0
    for row in rows:
        values: dict[str, Any] = {
            H_NAME: row.name,
            H_FIELDS: "、".join(_FIELD_LABELS[f.value] for f in row.fields),
            H_TITLE: row.title,
            H_EMPLOYER: row.employer_name,
            H_REGION: row.region_code,
            H_REGION_NAME: (region_names or {}).get(row.region_code, ""),
            H_PHONE: row.phone,
            H_ID: row.id_number,
            H_START: row.term_start,
            H_END: row.term_end,
            H_STATUS: _STATUS_LABELS[row.status.value],
        }
        ws.append([_out_cell(ws, values[h]) for h in headers])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    wb.save(stream)


def write_export(rows: Iterable[ExpertSheetRow], include_personal_data: bool) -> bytes:
    out = io.BytesIO()
    write_export_to(out, rows, include_personal_data)
    return out.getvalue()


def _out_cell(ws: Any, value: Any, *, font: Font | None = None) -> WriteOnlyCell:
    # Rows stored before input refused control characters must not make the export fail for good.
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=printable(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        # Always a text cell: a name like "=HYPERLINK(...)" must never become a formula, and
        # codes and ID numbers must keep every digit.
        cell.data_type = "s"
        cell.number_format = "@"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    if font is not None:
        cell.font = font
    return cell
