"""Expert import template, all-or-nothing import validation, and export."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wenping_registry.experts import xlsx as xlsx_module
from wenping_registry.experts.xlsx import (
    HEADERS,
    NOTES_SHEET_NAME,
    SHEET_NAME,
    ExpertSheetRow,
    build_template,
    id_number_check_char,
    id_number_problem,
    parse_import,
    write_export,
    write_export_to,
)
from wenping_shared.contracts.vocab import ExpertField, ExpertStatus

TODAY = dt.date(2025, 6, 15)

# 11010519491231002X is the worked example of GB 11643; the others were computed for this test.
ID_A = "330402198001010014"
ID_B = "440304198510123458"
ID_C = "330421199003071236"
ID_X = "11010519491231002X"


def good_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "姓名": "李四",
        "专业领域": "法律政策、社会管理",
        "职称": "教授",
        "工作单位": "嘉兴学院",
        "所属地区": "330402",
        "手机号": "13812345678",
        "身份证号": ID_A,
        "聘期开始": dt.date(2025, 1, 1),
        "聘期结束": "2027-12-31",
        "状态": "在库",
    }
    row.update(changes)
    return row


def good_expert(**changes: Any) -> ExpertSheetRow:
    """The expert of good_row() as the import reads it."""
    row: dict[str, Any] = {
        "name": "李四",
        "fields": (ExpertField.law_policy, ExpertField.social_governance),
        "title": "教授",
        "employer_name": "嘉兴学院",
        "region_code": "330402",
        "phone": "13812345678",
        "id_number": ID_A,
        "term_start": dt.date(2025, 1, 1),
        "term_end": dt.date(2027, 12, 31),
        "status": ExpertStatus.active,
    }
    row.update(changes)
    return ExpertSheetRow(**row)


def xlsx(rows: list[dict[str, Any]], headers: tuple[str, ...] | list[str] = HEADERS, sheet: str = SHEET_NAME) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def parse(data: bytes, **kwargs: Any) -> Any:
    return parse_import(data, today=TODAY, **kwargs)


def only_error(result: Any) -> tuple[int | None, str | None, str]:
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    e = result.errors[0]
    return e.row, e.column, e.message


# --- ID numbers -----------------------------------------------------------------------------


def test_id_check_char_known_example() -> None:
    assert id_number_check_char("11010519491231002") == "X"
    for good in (ID_A, ID_B, ID_C, ID_X):
        assert id_number_problem(good, TODAY) is None, good


def _reference_id_check(first17: str) -> str:
    # GB 11643 restated independently: weight of position i is 2**(17 - i) mod 11 (ISO 7064 MOD 11-2).
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_id_check_char_matches_reference(first17: str) -> None:
    assert id_number_check_char(first17) == _reference_id_check(first17)


def test_every_id_position_is_weighted() -> None:
    base = "32031119751208421"
    for pos in range(17):
        changed = base[:pos] + str((int(base[pos]) + 1) % 10) + base[pos + 1 :]
        assert id_number_check_char(changed) != id_number_check_char(base), pos


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("33040219800101001", "18位"),
        ("3304021980010100141", "18位"),
        ("33040219800101001A", "格式"),
        ("3304021980010100x4", "格式"),
        ("330402198002300014", "出生日期"),
        ("330402203001010014", "出生日期"),  # born in the future
        ("330402198001010015", "校验码"),
        ("110105194912310021", "校验码"),
    ],
)
def test_id_problems(value: str, fragment: str) -> None:
    problem = id_number_problem(value, TODAY)
    assert problem is not None and fragment in problem
    assert value not in problem  # never echo personal data


# --- template -------------------------------------------------------------------------------


def test_template_layout() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(build_template()))
    assert wb.sheetnames == [SHEET_NAME, NOTES_SHEET_NAME]
    rows = list(wb[SHEET_NAME].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert len(rows) == 2
    notes = [r[0] for r in wb[NOTES_SHEET_NAME].iter_rows(values_only=True)]
    for header in HEADERS:
        assert header in notes
    for label in ("法律政策", "水利", "交通运输"):
        assert label in notes


def test_template_example_row_is_valid_except_that_it_is_an_example() -> None:
    result = parse(build_template())
    assert only_error(result)[:2] == (2, "姓名")
    assert "示例" in result.errors[0].message
    # With a real name the example row itself passes every check.
    wb = openpyxl.load_workbook(io.BytesIO(build_template()))
    wb[SHEET_NAME]["A2"] = "张三"
    out = io.BytesIO()
    wb.save(out)
    fixed = parse(out.getvalue())
    assert fixed.ok, fixed.errors
    assert fixed.rows[0].fields == (ExpertField.law_policy, ExpertField.social_governance)


# --- import: success ------------------------------------------------------------------------


def test_good_rows_import() -> None:
    data = xlsx(
        [
            good_row(),
            good_row(
                姓名="王五",
                专业领域="water, transport，水利",
                职称=None,
                工作单位=None,
                所属地区=330421,
                手机号="+86 138-1234-5679",
                身份证号=ID_X.lower(),
                聘期开始="2024/3/1",
                聘期结束=None,
                状态="suspended",
            ),
        ]
    )
    result = parse(data)
    assert result.ok, result.errors
    first, second = result.rows
    assert first == good_expert(row_number=2)
    assert second.row_number == 3
    assert second.fields == (ExpertField.water, ExpertField.transport)
    assert second.region_code == "330421"
    assert second.phone == "13812345679"
    assert second.id_number == ID_X
    assert second.term_start == dt.date(2024, 3, 1)
    assert second.term_end is None
    assert second.status is ExpertStatus.suspended
    assert second.employer_name is None


def test_columns_found_by_header_in_any_order_and_blank_rows_skipped() -> None:
    headers = [*reversed(HEADERS), "备注"]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws.append(headers)
    ws.append([])
    row = good_row(备注="随便")
    ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    result = parse(out.getvalue())
    assert result.ok, result.errors
    assert result.rows[0].row_number == 3
    assert result.rows[0].name == "李四"


def test_blank_status_means_active() -> None:
    result = parse(xlsx([good_row(状态=None)]))
    assert result.ok, result.errors
    assert result.rows[0].status is ExpertStatus.active


def test_numeric_cells_read_as_text() -> None:
    # Some writers store 330402 as 330402.0; the code must not become "330402.0".
    assert xlsx_module._text(330402.0) == "330402"
    assert xlsx_module._text(13812345678) == "13812345678"
    assert xlsx_module._text(" 教授 ") == "教授"
    assert xlsx_module._text(None) == ""


def test_date_formats() -> None:
    for text in ("2025-01-01", "2025/1/1", "2025.1.1", "2025年1月1日", dt.datetime(2025, 1, 1, 0, 0)):
        result = parse(xlsx([good_row(聘期开始=text, 聘期结束=None)]))
        assert result.ok, (text, result.errors)
        assert result.rows[0].term_start == dt.date(2025, 1, 1)


def test_organizations_are_resolved_by_name_or_id() -> None:
    orgs = {"嘉兴学院": "org-1", "org-1": "org-1", "嘉兴市住建局": "org-2", "org-2": "org-2"}
    data = xlsx([good_row(), good_row(工作单位="org-2", 身份证号=ID_B)])
    result = parse(data, organizations=orgs)
    assert result.ok, result.errors
    assert [r.employer_org_id for r in result.rows] == ["org-1", "org-2"]


# --- import: every error, all or nothing ----------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "column", "fragment"),
    [
        ({"姓名": None}, "姓名", "姓名不能为空"),
        ({"姓名": "  "}, "姓名", "姓名不能为空"),
        ({"专业领域": "法律政策、天文学"}, "专业领域", "未知的专业领域：天文学"),
        ({"专业领域": ""}, "专业领域", "专业领域不能为空"),
        ({"所属地区": "33040"}, "所属地区", "6位行政区划代码"),
        ({"所属地区": "浙江嘉兴"}, "所属地区", "6位行政区划代码"),
        ({"所属地区": None}, "所属地区", "所属地区不能为空"),
        ({"手机号": "12812345678"}, "手机号", "手机号格式不正确"),
        ({"手机号": "1381234567"}, "手机号", "手机号格式不正确"),
        ({"手机号": None}, "手机号", "手机号不能为空"),
        ({"身份证号": "330402198001010015"}, "身份证号", "校验码错误"),
        ({"身份证号": 330402198001010014}, "身份证号", "文本格式"),
        ({"身份证号": None}, "身份证号", "身份证号不能为空"),
        ({"聘期开始": None}, "聘期开始", "聘期开始不能为空"),
        ({"聘期开始": "明年"}, "聘期开始", "日期格式不正确"),
        ({"聘期开始": "2025-02-30"}, "聘期开始", "日期格式不正确"),
        ({"聘期结束": "不详"}, "聘期结束", "日期格式不正确"),
        ({"聘期开始": "2025-01-01", "聘期结束": "2024-12-31"}, "聘期结束", "聘期结束早于聘期开始"),
        ({"状态": "离职"}, "状态", "状态“离职”无效"),
        ({"职称": "很" * 51}, "职称", "不能超过50字"),
    ],
)
def test_each_row_error(changes: dict[str, Any], column: str, fragment: str) -> None:
    # The bad row is the third data row: good rows around it are not imported either.
    data = xlsx(
        [good_row(), good_row(身份证号=ID_B), good_row(**{"身份证号": ID_C, **changes}), good_row(身份证号=ID_X)]
    )
    result = parse(data)
    row, col, message = only_error(result)
    assert (row, col) == (4, column)
    assert fragment in message
    assert result.rows == ()


def test_unknown_organization() -> None:
    result = parse(xlsx([good_row(工作单位="不存在的单位")]), organizations={"嘉兴学院": "org-1"})
    assert only_error(result)[:2] == (2, "工作单位")


def test_unknown_region() -> None:
    result = parse(xlsx([good_row(所属地区="330499")]), known_region_codes={"330402", "330421"})
    assert only_error(result) == (2, "所属地区", "行政区划代码 330499 不存在")


def test_duplicate_id_within_file() -> None:
    result = parse(xlsx([good_row(), good_row(身份证号=ID_B), good_row(姓名="重复者")]))
    assert only_error(result) == (4, "身份证号", "身份证号与第 2 行重复")


def test_all_errors_of_all_rows_are_reported() -> None:
    data = xlsx(
        [
            good_row(姓名=None, 手机号="123"),
            good_row(身份证号=ID_B),
            good_row(身份证号=ID_C, 专业领域="天文", 状态="?"),
        ]
    )
    result = parse(data)
    assert not result.ok
    assert result.rows == ()
    assert [(e.row, e.column) for e in result.errors] == [(2, "姓名"), (2, "手机号"), (4, "专业领域"), (4, "状态")]


def test_missing_required_column() -> None:
    headers = [h for h in HEADERS if h not in ("身份证号", "所属地区")]
    result = parse(xlsx([good_row()], headers=headers))
    row, column, message = only_error(result)
    assert row == 1 and column is None
    assert "所属地区" in message and "身份证号" in message


def test_empty_sheet() -> None:
    assert "没有专家数据" in only_error(parse(xlsx([])))[2]


def test_row_limit() -> None:
    rows = [good_row(身份证号=i) for i in (ID_A, ID_B, ID_C)]
    assert "最多导入 2 行" in only_error(parse(xlsx(rows), max_rows=2))[2]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a spreadsheet at all",
        "姓名,专业领域\n张三,法律政策\n".encode(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # legacy .xls (OLE2)
        b"PK\x03\x04 truncated zip",
    ],
)
def test_not_an_xlsx(data: bytes) -> None:
    assert only_error(parse(data)) == (None, None, "文件不是有效的 Excel（.xlsx）文件")


def test_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    assert only_error(parse(out.getvalue()))[2] == "文件不是有效的 Excel（.xlsx）文件"


# --- export ---------------------------------------------------------------------------------


def export_rows() -> list[ExpertSheetRow]:
    return [
        good_expert(fields=(ExpertField.law_policy, ExpertField.water), term_end=None),
        ExpertSheetRow(
            name='=HYPERLINK("http://evil")',
            fields=(ExpertField.heritage,),
            region_code="330421",
            phone="13912345678",
            id_number=ID_X,
            term_start=dt.date(2024, 1, 1),
            term_end=dt.date(2026, 1, 1),
            status=ExpertStatus.retired,
        ),
    ]


def read(data: bytes) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return list(wb[SHEET_NAME].iter_rows(values_only=True))


def test_export_with_personal_data_round_trips() -> None:
    data = write_export(export_rows(), include_personal_data=True)
    rows = read(data)
    assert rows[0] == HEADERS
    assert rows[1][:7] == ("李四", "法律政策、水利", "教授", "嘉兴学院", "330402", "13812345678", ID_A)
    assert rows[2][-1] == "退出"
    # Re-importing the export gives the same experts back, the formula-like name as plain text.
    result = parse(data)
    assert [e.message for e in result.errors] == []
    assert [r.model_copy(update={"row_number": None}) for r in result.rows] == export_rows()


def test_export_without_personal_data_drops_the_columns() -> None:
    data = write_export(export_rows(), include_personal_data=False)
    rows = read(data)
    assert "手机号" not in rows[0] and "身份证号" not in rows[0]
    assert len(rows[0]) == len(HEADERS) - 2
    flat = repr(rows)
    assert ID_A not in flat and "13812345678" not in flat


def test_export_never_writes_formulas() -> None:
    data = write_export(export_rows(), include_personal_data=False)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert "HYPERLINK" in sheet


def test_export_streams_into_a_file_like_and_takes_a_generator(tmp_path: Any) -> None:
    def many() -> Any:
        base = export_rows()[0]
        for i in range(1000):
            yield base.model_copy(update={"name": f"专家{i}"})

    path = tmp_path / "experts.xlsx"
    with path.open("wb") as fh:
        write_export_to(fh, many(), include_personal_data=False)
    rows = read(path.read_bytes())
    assert len(rows) == 1001
    assert rows[-1][0] == "专家999"
