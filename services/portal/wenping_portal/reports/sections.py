"""The report editor's sections as forms, derived from the report contract.

Every field of ``wenping_shared.contracts.report`` becomes a labelled input named ``r.<path>``
(``r.consultations.0.concerns.1.text``): choices for vocabularies (with their Chinese labels),
dates, numbers, yes/no, text; lists of records are rows with 添加一行 / 删除 buttons that work
by a round trip to the server. Derived, not hand-written: a field added to the contract shows up
in the editor without touching this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from wenping_shared._types import MultiLineText
from wenping_shared.contracts import report as contract
from wenping_shared.contracts import vocab

PREFIX = "r."
#: Lists of short texts are typed on one line, split at these marks.
_LIST_MARKS = re.compile(r"[、，,；;\n]+")


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    keys: tuple[str, ...]  # the report's top-level fields this section edits
    hint: str


SECTIONS: tuple[Section, ...] = (
    Section("filing_form", "报备表", ("filing_form",), "决策主体、评估主体、联系人、负责人签署与盖章。"),
    Section("overview", "事项概况", ("overview",), "背景、内容、规模、投资、地点、进度、影响范围与人口、利益群体、涉及的切身利益、前期审批手续。"),
    Section("basis", "评估依据", ("basis",), "引用的法律、法规、规章和规范性文件，每份一行：名称、发文机关、类型、文号、年份。"),
    Section("procedure", "评估程序", ("procedure",), "评估方案、各步骤及完成日期、公开公示、专家论证会与评审会。"),
    Section("consultations", "意见征求（五必听）", ("consultations",), "每个群体、每种方式一行：日期、对象、人数、支持率、意见汇总，以及群众反映的问题和书面回应。"),
    Section("risks", "风险识别与估计", ("risks",), "每个风险因素一行：维度、类型、来源、对应的意见编号、措施前后的发生概率、影响程度与风险程度。"),
    Section("measures", "防范化解措施", ("measures",), "措施清单（针对的风险编号、内容、责任单位、时限）、应急预案、监测安排。"),
    Section("conclusion", "评估结论", ("conclusion",), "措施前后的综合风险等级、评估建议与结论正文。"),
    Section("other", "报告名称、评估主体、评估组与签署", ("title", "project_name", "assessor", "assessment_team", "attachments", "sign_off"),
            "报告名称、评估主体（机构）、评估组成员（专家须填专家库ID）、附件与签署。"),
)
BY_KEY = {s.key: s for s in SECTIONS}
REPORT_FIELDS = contract.Report.model_fields


# ---------------------------------------------------------------- the contract's shapes


def _plain(annotation: Any) -> Any:
    """X | None -> X; Annotated[X, ...] -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def _optional_inner(annotation: Any) -> Any:
    """X | None -> X, keeping X's Annotated metadata (to tell multi-line text from one line)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def _bounds(info: FieldInfo, annotation: Any) -> dict[str, str]:
    metadata = list(info.metadata)
    inner = _optional_inner(annotation)
    if typing.get_origin(inner) is typing.Annotated:
        for extra in typing.get_args(inner)[1:]:
            metadata.extend(getattr(extra, "metadata", []) or [extra])
    out: dict[str, str] = {}
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            out["min"] = f"{item.ge:g}"
        elif isinstance(item, annotated_types.Le):
            out["max"] = f"{item.le:g}"
    return out


def _label(info: FieldInfo) -> str:
    return str(info.description or "").split(" / ")[0] or "—"


def _enum_choices(enum_type: type[StrEnum]) -> tuple[tuple[str, str], ...]:
    return tuple((m.value, vocab.label(m)) for m in enum_type)


@dataclass
class Widget:
    """One input (or group of inputs) of the editor, with its value and any error beside it."""

    path: str
    label: str
    kind: str  # text | prose | date | number | bool | choice | choices | words | group | rows
    value: Any = None
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    bounds: dict[str, str] = field(default_factory=dict)
    children: list[Widget] = field(default_factory=list)  # group: its fields
    rows: list[list[Widget]] = field(default_factory=list)  # rows: each record's fields
    error: str = ""

    @property
    def name(self) -> str:
        return PREFIX + self.path

    @property
    def id(self) -> str:
        return "f-" + self.path.replace(".", "-")

    @property
    def shown(self) -> str:
        """The value as an input shows it."""
        if self.value is None:
            return ""
        if self.kind == "words":
            return "、".join(str(v) for v in self.value or [])
        return str(self.value)


def _widget(path: str, info: FieldInfo, value: Any, errors: dict[str, str]) -> Widget:
    annotation = info.annotation
    plain = _plain(annotation)
    common = Widget(path, _label(info), "text", required=info.is_required(), error=errors.get(path, ""))
    if typing.get_origin(plain) is list:
        item = _plain(typing.get_args(plain)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            records = value if isinstance(value, list) else []
            rows = [_fields(item, f"{path}.{i}", r if isinstance(r, dict) else {}, errors) for i, r in enumerate(records)]
            return dataclasses.replace(common, kind="rows", rows=rows)
        if isinstance(item, type) and issubclass(item, StrEnum):
            return dataclasses.replace(common, kind="choices", value=list(value or []), choices=_enum_choices(item))
        return dataclasses.replace(common, kind="words", value=list(value or []))
    if isinstance(plain, type) and issubclass(plain, BaseModel):
        return dataclasses.replace(common, kind="group", children=_fields(plain, path, value if isinstance(value, dict) else {}, errors))
    if isinstance(plain, type) and issubclass(plain, StrEnum):
        return dataclasses.replace(common, kind="choice", value=value, choices=_enum_choices(plain))
    if plain is bool:
        return dataclasses.replace(common, kind="bool", value=value)
    if plain is dt.date:
        return dataclasses.replace(common, kind="date", value=value)
    if plain in (int, float):
        bounds = _bounds(info, annotation)
        bounds["step"] = "1" if plain is int else "any"
        return dataclasses.replace(common, kind="number", value=value, bounds=bounds)
    prose = _optional_inner(annotation) == MultiLineText
    return dataclasses.replace(common, kind="prose" if prose else "text", value=value)


def _fields(model: type[BaseModel], prefix: str, values: dict[str, Any], errors: dict[str, str]) -> list[Widget]:
    return [_widget(f"{prefix}.{name}", info, values.get(name), errors) for name, info in model.model_fields.items()]


def widgets(section: Section, report: dict[str, Any], errors: dict[str, str] | None = None) -> list[Widget]:
    """The section's inputs; a section of one record shows that record's fields directly."""
    found = errors or {}
    shown = [_widget(key, REPORT_FIELDS[key], report.get(key), found) for key in section.keys]
    if len(shown) == 1 and shown[0].kind == "group":
        return shown[0].children
    return shown


# ---------------------------------------------------------------- the posted form, back to report JSON


def _tree(form: Any) -> dict[str, Any]:
    """The posted ``r.*`` fields as nested dicts (list indices stay keys until the schema says list)."""
    root: dict[str, Any] = {}
    for name in dict.fromkeys(form.keys()):
        if not isinstance(name, str) or not name.startswith(PREFIX):
            continue
        node = root
        *parents, leaf = name[len(PREFIX):].split(".")
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node[leaf] = [str(v) for v in form.getlist(name)]
    return root


def _number(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text  # the contract says what is wrong with it, beside the field
    return int(number) if number.is_integer() and "." not in text else number


def _coerce(info: FieldInfo, raw: Any) -> Any:
    plain = _plain(info.annotation)
    if typing.get_origin(plain) is list:
        item = _plain(typing.get_args(plain)[0])
        if isinstance(item, type) and issubclass(item, BaseModel):
            records = raw if isinstance(raw, dict) else {}
            indices = sorted((k for k in records if k.isdigit()), key=int)
            return [_record(item, records[k]) for k in indices]
        texts = raw if isinstance(raw, list) else []
        if isinstance(item, type) and issubclass(item, StrEnum):
            return [t for t in texts if t]
        return [w.strip() for t in texts for w in _LIST_MARKS.split(t) if w.strip()]
    if isinstance(plain, type) and issubclass(plain, BaseModel):
        record = _record(plain, raw if isinstance(raw, dict) else {})
        return record or None
    text = (raw[-1] if isinstance(raw, list) and raw else "").strip()
    if text == "":
        return None
    if plain is bool:
        return text == "true"
    if plain in (int, float):
        return _number(text)
    return text


def _record(model: type[BaseModel], raw: dict[str, Any]) -> dict[str, Any]:
    """A record as typed; fields left empty are left out (the contract's default applies)."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        value = _coerce(info, raw.get(name))
        if value is not None:
            out[name] = value
    return out


def parse_section(section: Section, form: Any) -> dict[str, Any]:
    """The section's top-level report fields from the posted form (empty ones as None)."""
    raw = _tree(form)
    return {key: _coerce(REPORT_FIELDS[key], raw.get(key)) for key in section.keys}


def with_section(report: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    updated = {**report, **values}
    return {k: v for k, v in updated.items() if v is not None}


def _list_at(report: dict[str, Any], path: str) -> list[Any] | None:
    """The list of records at a dotted path, created empty where the path has none yet."""
    node: Any = report
    *parents, last = path.split(".")
    for part in parents:
        if isinstance(node, list):
            if not (part.isdigit() and int(part) < len(node)):
                return None
            node = node[int(part)]
        elif isinstance(node, dict):
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
        else:
            return None
    if not isinstance(node, dict):
        return None
    if not isinstance(node.get(last), list):
        node[last] = []
    found: list[Any] = node[last]
    return found


def rows_at(report: dict[str, Any], path: str) -> list[Any]:
    return _list_at(report, path) or []


def add_row(report: dict[str, Any], path: str) -> bool:
    """One empty record more at the end of the list at ``path``."""
    rows = _list_at(report, path)
    if rows is None:
        return False
    rows.append({})
    return True


def remove_row(report: dict[str, Any], path: str) -> bool:
    """The record at ``path`` (``consultations.2``) taken out of its list."""
    parent, _, index = path.rpartition(".")
    rows = _list_at(report, parent) if parent and index.isdigit() else None
    if rows is None or int(index) >= len(rows):
        return False
    del rows[int(index)]
    return True


def row_path_valid(section: Section, path: str, *, row: bool = False) -> bool:
    """The path names a list of records of the contract in this section (``row``: one record of it)."""
    parts = path.split(".")
    if row:
        if len(parts) < 2 or not parts[-1].isdigit():
            return False
        parts = parts[:-1]
    if not parts or parts[0] not in section.keys:
        return False
    model: type[BaseModel] = contract.Report
    expect_index = False
    plain: Any = None
    for part in parts:
        if expect_index:
            if not part.isdigit():
                return False
            expect_index = False
            continue
        info = model.model_fields.get(part)
        if info is None:
            return False
        plain = _plain(info.annotation)
        if typing.get_origin(plain) is list:
            plain = _plain(typing.get_args(plain)[0])
            expect_index = True
        if isinstance(plain, type) and issubclass(plain, BaseModel):
            model = plain
        else:
            return False
    return expect_index  # ends on a list of records


# ---------------------------------------------------------------- what the services are sent


def _blank(value: Any) -> bool:
    return value in (None, "", [], {}) or (isinstance(value, dict) and all(_blank(v) for v in value.values()))


def cleaned(report: dict[str, Any]) -> tuple[dict[str, Any], dict[tuple[Any, ...], list[int]]]:
    """The report without its empty rows (a row just added and not filled in yet), and for every
    list the draft's index of each row kept, so the services' error locations map back to fields."""
    kept: dict[tuple[Any, ...], list[int]] = {}

    def walk(value: Any, at: tuple[Any, ...]) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, (*at, k)) for k, v in value.items()}
        if isinstance(value, list):
            indices = [i for i, v in enumerate(value) if not (isinstance(v, dict) and _blank(v))]
            kept[at] = indices
            return [walk(value[i], (*at, i)) for i in indices]
        return value

    return walk(report, ()), kept


@dataclass(frozen=True)
class FieldError:
    path: str  # the draft's field path, ``consultations.0.support_rate``
    field: str  # its Chinese name, as the service gave it
    message: str

    @property
    def id(self) -> str:
        return "f-" + self.path.replace(".", "-")


def field_errors(errors: list[dict[str, Any]], kept: dict[tuple[Any, ...], list[int]]) -> list[FieldError]:
    """A 422's errors located in the draft (the services saw it without its empty rows)."""
    out: list[FieldError] = []
    for error in errors:
        loc = list(error.get("loc") or [])
        if loc[:1] == ["report"]:
            loc = loc[1:]
        path: list[Any] = []
        for part in loc:
            if isinstance(part, int):
                indices = kept.get(tuple(path), [])
                part = indices[part] if part < len(indices) else part
            path.append(part)
        out.append(FieldError(".".join(str(p) for p in path), str(error.get("field") or ""),
                              str(error.get("msg") or "填写有误")))
    return out


# ---------------------------------------------------------------- a new report


def _skeleton(model: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        inner = _plain(info.annotation)
        if typing.get_origin(inner) is list:
            out[name] = []
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            out[name] = _skeleton(inner)
        else:
            out[name] = None
    return out


def starting_draft(project: dict[str, Any]) -> dict[str, Any]:
    """A new report, with what the project already says filled in."""
    overview = _skeleton(contract.Overview)
    overview.update(
        category=project["category"], sub_kind=project.get("sub_kind"),
        expected_participants=project.get("expected_participants"),
        affected_population=project.get("affected_population"), interests=list(project.get("interests") or []),
        implementing_unit=project.get("implementing_unit_name"), implementing_unit_org_id=project.get("implementing_org_id"),
    )
    procedure = _skeleton(contract.Procedure)
    procedure["steps"] = [{"step": s.value, "date": None} for s in vocab.ProcedureStep]
    assessor_name = project.get("agency_name") or project.get("responsible_org_name")
    return {
        "title": f"{project['title']}社会稳定风险评估报告",
        "project_name": project["title"],
        "filing_form": {
            "project_name": project["title"], "decision_body": project.get("responsible_org_name"),
            "decision_body_org_id": project.get("responsible_org_id"), "assessor": assessor_name,
            "planned_decision_date": project.get("planned_decision_date"), "category": project["category"],
        },
        "overview": overview,
        "basis": [],
        "procedure": procedure,
        "consultations": [],
        "risks": [],
        "measures": _skeleton(contract.Measures),
        "conclusion": {},
        "attachments": [],
        "assessment_team": [],
        "assessor": {"kind": project.get("assessor_kind"), "name": assessor_name, "agency_id": project.get("agency_id"),
                     "lead_name": None},
        "sign_off": {"signed_by": None, "signed_on": None, "sealed": None},
    }
