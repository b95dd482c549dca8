"""The report editor's sections: which part of the report contract each one edits, how it is
shown (a form for flat sections, JSON for lists of records), and the starting draft."""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from wenping_shared.contracts import report as contract
from wenping_shared.contracts import vocab

#: Sections shown as JSON hold these top-level report keys together.
OTHER_KEYS = ("title", "project_name", "assessor", "assessment_team", "attachments", "sign_off")
#: Fields written as prose get a text area.
PROSE = frozenset({"leader_opinion", "text"})


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    model: type[BaseModel] | None  # a flat model edited as a form; None: edited as JSON
    hint: str


SECTIONS: tuple[Section, ...] = (
    Section("filing_form", "报备表", contract.FilingForm, "决策主体、评估主体、联系人、负责人签署与盖章。"),
    Section("overview", "事项概况", None, "背景、内容、规模、投资、地点、进度、影响范围与人口、利益群体、涉及领域、前期审批手续。"),
    Section("basis", "评估依据", None, "引用的法律、法规、规章和规范性文件：名称、发文机关、类型、文号、年份（列表）。"),
    Section("procedure", "评估程序", None, "评估方案、各步骤及日期、公开公示、专家论证会与评审会。"),
    Section("consultations", "意见征求（五必听）", None, "每个群体的征求方式、日期、对象、人数、支持率、意见及回应（列表）。"),
    Section("risks", "风险识别与估计", None, "每个风险因素：维度、类型、来源、对应的群众意见、概率与影响（措施前后）、等级（列表）。"),
    Section("measures", "防范化解措施", None, "措施清单（对应风险、内容、责任单位、时限）、应急预案、监测安排。"),
    Section("conclusion", "评估结论", contract.Conclusion, "措施前后的总体风险等级、建议与结论正文。"),
    Section("other", "报告名称、评估主体、评估组与签署", None, "报告名称、事项名称、评估主体（机构ID）、评估组成员、附件、签署。"),
)
BY_KEY = {s.key: s for s in SECTIONS}


def _unwrap(annotation: Any) -> Any:
    """X | None -> X; Annotated[X, ...] -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation


def field_label(info: Any) -> str:
    description = str(info.description or "")
    return description.split(" / ")[0] or "—"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # text | prose | date | bool | number | choice
    choices: tuple[tuple[str, str], ...] = ()


def form_fields(model: type[BaseModel]) -> list[FormField]:
    fields = []
    for name, info in model.model_fields.items():
        kind_type = _unwrap(info.annotation)
        label = field_label(info)
        if isinstance(kind_type, type) and issubclass(kind_type, StrEnum):
            fields.append(FormField(name, label, "choice", tuple((m.value, vocab.label(m)) for m in kind_type)))
        elif kind_type is bool:
            fields.append(FormField(name, label, "bool"))
        elif kind_type is dt.date:
            fields.append(FormField(name, label, "date"))
        elif kind_type in (int, float):
            fields.append(FormField(name, label, "number"))
        else:
            fields.append(FormField(name, label, "prose" if name in PROSE else "text"))
    return fields


def parse_form(model: type[BaseModel], form: typing.Mapping[str, Any]) -> dict[str, Any]:
    """The posted fields of a flat section as report JSON (empty means not stated)."""
    values: dict[str, Any] = {}
    for field in form_fields(model):
        raw = str(form.get(f"f.{field.name}", "")).strip()
        if raw == "":
            values[field.name] = None
        elif field.kind == "bool":
            values[field.name] = raw == "true"
        elif field.kind == "number":
            try:
                number = float(raw)
                values[field.name] = int(number) if number.is_integer() else number
            except ValueError:
                values[field.name] = raw  # the contract says what is wrong with it
        else:
            values[field.name] = raw
    return values


def section_value(report: dict[str, Any], key: str) -> Any:
    if key == "other":
        return {k: report.get(k) for k in OTHER_KEYS}
    return report.get(key)


def with_section(report: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    updated = dict(report)
    if key == "other":
        if not isinstance(value, dict):
            raise ValueError("此部分须为 JSON 对象（{…}）")
        unknown = set(value) - set(OTHER_KEYS)
        if unknown:
            raise ValueError("此部分只能包含：" + "、".join(OTHER_KEYS))
        updated.update({k: value.get(k) for k in OTHER_KEYS})
    else:
        updated[key] = value
    return {k: v for k, v in updated.items() if v is not None}


def parse_json(text: str) -> Any:
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise ValueError(f"第 {exc.lineno} 行第 {exc.colno} 列 JSON 格式有误：{exc.msg}") from exc


def pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) if value is not None else ""


def _skeleton(model: type[BaseModel]) -> dict[str, Any]:
    """Every field of a record, empty: an assessor sees what the contract asks for."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        inner = _unwrap(info.annotation)
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


def record_help(key: str) -> list[tuple[str, str]]:
    """(field, Chinese description) of the records a JSON section holds, for the help beside it."""
    models: dict[str, list[type[BaseModel]]] = {
        "overview": [contract.Overview, contract.PriorApproval],
        "basis": [contract.CitedDocument],
        "procedure": [contract.Procedure, contract.AssessmentPlan, contract.ProcedureStepRecord, contract.PublicNotice,
                      contract.ExpertMeeting, contract.MeetingExpert],
        "consultations": [contract.Consultation, contract.Concern],
        "risks": [contract.RiskFactor],
        "measures": [contract.Measures, contract.Measure, contract.EmergencyPlan, contract.Monitoring],
        "other": [contract.Assessor, contract.TeamMember, contract.Attachment, contract.SignOff],
    }
    rows: list[tuple[str, str]] = []
    for model in models.get(key, []):
        for name, info in model.model_fields.items():
            rows.append((f"{model.__name__}.{name}", str(info.description or "")))
    return rows
