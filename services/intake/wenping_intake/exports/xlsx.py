"""The ledger workbook (电子台账), written row by row with openpyxl's write-only mode so memory
stays constant whatever the number of projects (rows go to openpyxl's temp file, then to ours)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import IO, Any

from wenping_shared import local_date, local_today, printable, spreadsheet
from wenping_shared.contracts.vocab import (
    AssessorKind,
    FilingBatch,
    Initiation,
    OverallLevel,
    ProjectCategory,
    ProjectStatus,
    Recommendation,
    label_of,
)

from ..projects.lifecycle import FINISHED_STATUSES
from ..projects.models import Project
from .repository import DECIDED

S = ProjectStatus

COLUMNS: tuple[tuple[str, int], ...] = (
    ("项目编号", 24),
    ("事项名称", 40),
    ("类别", 14),
    ("启动方式", 10),
    ("报备批次", 8),
    ("行政区划", 10),
    ("区划名称", 14),
    ("责任单位", 28),
    ("评估主体", 28),
    ("状态", 14),
    ("是否逾期", 8),
    ("风险等级", 8),
    ("决策结果", 14),
    ("计划决策日期", 12),
    ("评估完成时限", 12),
    ("报告轮次", 8),
    ("报备日期", 12),
    ("首次报送报告日期", 14),
    ("审查通过日期", 12),
    ("决策日期", 12),
    ("销号日期", 12),
    ("台账记录数", 10),
)


class LedgerWorkbook:
    """One export: open, append batches (in a worker thread), save to a file object.

    Laid out for printing: landscape A4 fitted to the page width, the header row repeated on
    every page and filterable, the title and the export date in the page header (the data
    keeps row 1 as its header, so a workbook reads back like any table).
    """

    def __init__(
        self, title: str, region_names: Mapping[str, str] | None = None, exported_on: dt.date | None = None
    ) -> None:
        # openpyxl where an export is written, not at every start-up.
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self._text_cell = WriteOnlyCell
        self.workbook = Workbook(write_only=True)
        self.workbook.properties.title = title
        self.sheet: Any = self.workbook.create_sheet("电子台账")
        self.sheet.freeze_panes = "A2"
        print_for_office(self.sheet, title, exported_on or local_today(), len(COLUMNS))
        self.region_names = region_names or {}
        for index, (_, width) in enumerate(COLUMNS, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)
        header = []
        for name, _ in COLUMNS:
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = bold
            header.append(cell)
        self.sheet.append(header)
        self.rows = 0
        self.title = title

    def append(self, projects: Iterable[Project], dates: dict[str, dict[str, Any]], today: dt.date) -> None:
        for project in projects:
            values = row_values(project, dates.get(project.id, {}), today, self.region_names)
            self.sheet.append([self._cell(v) for v in values])
            self.rows += 1

    def save(self, stream: IO[bytes]) -> None:
        # The filter spans the rows written; write-only sheets take it at save time.
        from openpyxl.utils import get_column_letter

        last = get_column_letter(len(COLUMNS))
        self.sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"
        self.workbook.save(stream)

    def _cell(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        # Titles stored before input refused control characters must not make the export fail for
        # good, and a title like "=HYPERLINK(...)" must stay text, never become a formula.
        cell = self._text_cell(self.sheet, value=printable(value))
        cell.data_type = "s"
        return cell


def print_for_office(sheet: Any, title: str, exported_on: dt.date, columns: int) -> None:
    """Page set-up of an export: the services' office print layout (landscape A4, fit to width, row 1
    on every page, title and date), with narrower top and bottom margins."""
    spreadsheet.print_for_office(sheet, title, exported_on)
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6


def _day(moment: dt.datetime | None) -> dt.date | None:
    return local_date(moment) if moment is not None else None


def row_values(
    project: Project, dates: dict[str, Any], today: dt.date, region_names: Mapping[str, str] | None = None
) -> list[Any]:
    def first(status: str) -> dt.datetime | None:
        return dates[status][0] if status in dates else None

    def last(*statuses: str) -> dt.datetime | None:
        found = [dates[s][1] for s in statuses if s in dates]
        return max(found) if found else None

    overdue = project.deadline is not None and project.deadline < today and project.status not in FINISHED_STATUSES
    assessor = project.agency_name or label_of(AssessorKind, project.assessor_kind)
    return [
        project.number,
        project.title,
        label_of(ProjectCategory, project.category),
        label_of(Initiation, project.initiation),
        label_of(FilingBatch, project.filing_batch),
        project.region_code,
        (region_names or {}).get(project.region_code, ""),
        project.responsible_org_name or project.responsible_org_id,
        assessor,
        label_of(ProjectStatus, project.status),
        "是" if overdue else "否",
        label_of(OverallLevel, project.risk_level) if project.risk_level else "",
        label_of(Recommendation, project.decision_outcome) if project.decision_outcome else "",
        project.planned_decision_date,
        project.deadline,
        project.report_rounds,
        _day(first(S.filed) or project.filed_at),
        _day(first(S.report_submitted)),
        _day(last(S.approved)),
        _day(last(*DECIDED) or project.decided_at),
        _day(last(S.closed) or project.closed_at),
        project.ledger_seq,
    ]
