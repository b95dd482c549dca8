"""One function per checklist item (v1): 38 auto items and the suggestions of the manual items
that have a rule. Each returns (result, evidence, details); for a manual item the result is the
suggestion (or None when the service has nothing to suggest).

Reading the rules (checklist-v1.yaml, binding): one defect fails one item, so an item that
depends on a value another item requires (e.g. a conclusion level, C10.1) is not_applicable when
that value is missing, with evidence naming the item that catches it. Consistency items compare
STATED values; computation items (C08.2-C08.4) compare stated levels with computed ones. Day
counts are inclusive of both ends.

Facts about the project's nature (category, sub-kind, interests, participants) come from the
report's overview (the filing form's category when the overview has none), so a precheck
without a project judges them exactly as a review with one. Only C01.2, C02.1 and C02.2 use the
project record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Any

from wenping_shared.contracts.report import Concern, Report, RiskFactor
from wenping_shared.contracts.vocab import (
    PROJECT_LEVEL_RANK,
    AgencyGrade,
    AssessorKind,
    AttachmentKind,
    ConsultationGroup,
    DocumentKind,
    ExpertField,
    FactorLevel,
    Interest,
    OverallLevel,
    PriorApprovalKind,
    ProcedureStep,
    ProjectCategory,
    ProjectLevel,
    RiskDimension,
    label,
    label_of,
    matching_expert_fields,
    project_level_for_region,
    required_risk_kinds,
)

from .config import RegionReviewConfig
from .facts import AgencyFacts, ProjectFacts, RegistryFacts
from .grading import FACTOR_RANK, risk_degree, to_decimal

PASS = "pass"
FAIL = "fail"
NA = "not_applicable"

RuleResult = tuple[str | None, str, dict[str, Any]]
Rule = Callable[["Ctx"], RuleResult]

NO_PROJECT = "预审未关联项目，本项需核对项目信息，不适用"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _days(start: dt.date, end: dt.date) -> int:
    """Calendar days from start to end, both inclusive."""
    return (end - start).days + 1


def _q(text: str | None, limit: int = 30) -> str:
    """A quoted excerpt of report text for evidence."""
    s = (text or "").strip()
    return "「" + (s if len(s) <= limit else s[:limit] + "…") + "」"


def _lv(level: object) -> str:
    return label_of(FactorLevel, str(level)) if level is not None else "未载明"


def _olv(level: object) -> str:
    return label_of(OverallLevel, str(level)) if level is not None else "未载明"


def _rname(i: int, r: RiskFactor) -> str:
    ident = r.id or f"第{i + 1}项"
    return f"{ident}{_q(r.title, 20)}" if r.title else ident


def _join(parts: Iterable[str], sep: str = "；") -> str:
    return sep.join(parts)


def _fmt_dec(x: Decimal) -> str:
    s = format(x.normalize(), "f")
    return s if s != "-0" else "0"


class Ctx:
    """Everything the rules look at, with derived values computed once per evaluation."""

    def __init__(
        self,
        report: Report,
        config: RegionReviewConfig,
        submitted_on: dt.date,
        project: ProjectFacts | None,
        registry: RegistryFacts | None,
    ) -> None:
        self.report = report
        self.config = config
        self.scheme = config.grading
        self.submitted_on = submitted_on
        self.project = project
        self.registry = registry

    # --- the project's nature, as the report states it -----------------------------------

    @cached_property
    def category(self) -> ProjectCategory | None:
        ov, ff = self.report.overview, self.report.filing_form
        if ov is not None and ov.category is not None:
            return ov.category
        return ff.category if ff is not None else None

    @cached_property
    def interests(self) -> list[Interest]:
        ov = self.report.overview
        return list(ov.interests) if ov is not None else []

    # --- procedure dates -----------------------------------------------------------------

    @cached_property
    def step_dates(self) -> dict[ProcedureStep, dt.date | None]:
        """Date of the first done entry of each step in procedure.steps (None: done, no date)."""
        out: dict[ProcedureStep, dt.date | None] = {}
        proc = self.report.procedure
        for rec in proc.steps if proc is not None else ():
            if not rec.done:
                continue
            if rec.step not in out or (out[rec.step] is None and rec.date is not None):
                out[rec.step] = rec.date
        return out

    @cached_property
    def plan_date(self) -> dt.date | None:
        proc = self.report.procedure
        return proc.plan.date if proc is not None and proc.plan is not None else None

    @cached_property
    def notice_start(self) -> dt.date | None:
        proc = self.report.procedure
        pn = proc.public_notice if proc is not None else None
        return pn.start if pn is not None else None

    @cached_property
    def compilation_date(self) -> dt.date | None:
        """The report compilation date: the date of the report_compilation step."""
        return self.step_dates.get(ProcedureStep.report_compilation)

    # --- consultations -------------------------------------------------------------------

    @cached_property
    def participants_by_group(self) -> dict[ConsultationGroup, tuple[int, int]]:
        """group -> (consultations, participants in total)."""
        out: dict[ConsultationGroup, tuple[int, int]] = {}
        for c in self.report.consultations:
            n, total = out.get(c.group, (0, 0))
            out[c.group] = (n + 1, total + (c.participants or 0))
        return out

    @cached_property
    def concerns(self) -> list[Concern]:
        return [k for c in self.report.consultations for k in c.concerns]

    # --- risks and measures --------------------------------------------------------------

    @cached_property
    def answered_concerns(self) -> set[str]:
        return {cid for r in self.report.risks for cid in r.related_concerns}

    @cached_property
    def measured_risks(self) -> set[str]:
        ms = self.report.measures
        return {rid for m in ms.items for rid in m.risk_ids} if ms is not None else set()

    # --- the assessor --------------------------------------------------------------------

    @cached_property
    def assessor_is_agency(self) -> bool:
        a = self.report.assessor
        if a is not None and a.kind is not None:
            return a.kind == AssessorKind.agency
        return self.project is not None and self.project.assessor_kind == AssessorKind.agency

    @cached_property
    def agency_id(self) -> str | None:
        a = self.report.assessor
        if a is not None and a.agency_id:
            return a.agency_id
        return self.project.agency_id if self.project is not None else None

    @cached_property
    def agency(self) -> AgencyFacts | None:
        """The registry's agency, only if it is the one the report names."""
        reg = self.registry
        if reg is None or reg.agency is None or self.agency_id is None:
            return None
        return reg.agency if reg.agency.id == self.agency_id else None

    @cached_property
    def team_expert_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for m in self.report.assessment_team:
            if m.expert_id:
                seen.setdefault(m.expert_id, None)
        return list(seen)


# ============================================================================================
# C01 filing form
# ============================================================================================

_FILING_REQUIRED = (
    ("project_name", "事项名称"),
    ("decision_body", "决策主体"),
    ("assessor", "评估主体"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("planned_decision_date", "计划决策日期"),
    ("category", "事项类别"),
)


def c01_1(ctx: Ctx) -> RuleResult:
    ff = ctx.report.filing_form
    if ff is None:
        return FAIL, "报告未附报备表", {"field": "filing_form", "missing": [f for f, _ in _FILING_REQUIRED]}
    missing = [(f, lbl) for f, lbl in _FILING_REQUIRED if _blank(getattr(ff, f))]
    if missing:
        return (
            FAIL,
            "报备表缺少：" + "、".join(lbl for _, lbl in missing),
            {"field": "filing_form", "missing": [f for f, _ in missing]},
        )
    return PASS, "报备表事项名称、决策主体、评估主体、联系人及电话、计划决策日期、事项类别均已填写", {
        "field": "filing_form",
        "missing": [],
    }


def c01_2(ctx: Ctx) -> RuleResult:
    p = ctx.project
    if p is None:
        return NA, NO_PROJECT, {"reason": "no_project"}
    details: dict[str, Any] = {
        "field": "project.planned_decision_date",
        "submitted_on": _iso(ctx.submitted_on),
        "planned_decision_date": _iso(p.planned_decision_date),
        "already_implemented": p.already_implemented,
    }
    problems: list[str] = []
    if p.planned_decision_date is None:
        problems.append("项目未载明计划决策日期，无法确认评估在决策前完成")
    elif not ctx.submitted_on < p.planned_decision_date:
        problems.append(
            f"报告报送日期 {_iso(ctx.submitted_on)} 不早于项目计划决策日期 {_iso(p.planned_decision_date)}"
        )
    if p.already_implemented:
        problems.append("项目已标记为已实施（先实施后评估）")
    if problems:
        return FAIL, _join(problems), details
    return (
        PASS,
        f"报告报送日期 {_iso(ctx.submitted_on)} 早于项目计划决策日期 {_iso(p.planned_decision_date)}，项目尚未实施",
        details,
    )


def c01_3(ctx: Ctx) -> RuleResult:
    ff, r = ctx.report.filing_form, ctx.report
    if ff is None:
        return FAIL, "报告未附报备表，无法核对报备表与报告的一致性", {"field": "filing_form"}
    problems: list[str] = []
    mismatches: list[dict[str, Any]] = []
    # A blank filing-form name or category is C01.1's defect; a missing conclusion level is
    # C10.1's. What no other item requires is reported here.
    if not _blank(ff.project_name):
        if _blank(r.project_name):
            problems.append("报告未载明事项名称")
            mismatches.append({"field": "project_name", "filing_form": ff.project_name, "report": None})
        elif ff.project_name.strip() != r.project_name.strip():  # type: ignore[union-attr]
            problems.append(f"事项名称不一致：报备表为{_q(ff.project_name, 60)}，报告为{_q(r.project_name, 60)}")
            mismatches.append(
                {"field": "project_name", "filing_form": ff.project_name, "report": r.project_name}
            )
    ov_cat = r.overview.category if r.overview is not None else None
    if ff.category is not None and ov_cat != ff.category:
        if ov_cat is None:
            problems.append("报告事项概况未载明事项类别")
        else:
            problems.append(
                f"事项类别不一致：报备表为「{label(ff.category)}」，报告概况为「{label(ov_cat)}」"
            )
        mismatches.append({"field": "category", "filing_form": ff.category, "report": ov_cat})
    residual = r.conclusion.residual_level if r.conclusion is not None else None
    if ff.risk_level is None:
        problems.append("报备表未填写风险等级")
        mismatches.append({"field": "risk_level", "filing_form": None, "report": residual})
    elif residual is not None and residual != ff.risk_level:
        problems.append(
            f"风险等级不一致：报备表为「{_olv(ff.risk_level)}」，报告结论（措施后）为「{_olv(residual)}」"
        )
        mismatches.append({"field": "risk_level", "filing_form": ff.risk_level, "report": residual})
    details = {"field": "filing_form", "mismatches": [_plain(m) for m in mismatches]}
    if problems:
        return FAIL, _join(problems), details
    return PASS, "报备表事项名称、类别、风险等级与报告一致", details


def c01_4(ctx: Ctx) -> RuleResult:
    ff = ctx.report.filing_form
    if ff is None:
        return FAIL, "报告未附报备表", {"field": "filing_form"}
    problems = []
    if _blank(ff.signed_by):
        problems.append("报备表未经责任主体负责人签署（signed_by 为空）")
    if ff.sealed is not True:
        problems.append("报备表未加盖公章（sealed 不为 true）")
    details = {"field": "filing_form.signed_by/sealed", "signed_by": ff.signed_by, "sealed": ff.sealed}
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"报备表已由{ff.signed_by.strip()}签署并加盖公章", details  # type: ignore[union-attr]


# ============================================================================================
# C02 assessor and organisation
# ============================================================================================


def c02_1(ctx: Ctx) -> RuleResult:
    p = ctx.project
    if p is None:
        return NA, NO_PROJECT, {"reason": "no_project"}
    ff = ctx.report.filing_form
    body = ff.decision_body if ff is not None else None
    body_id = ff.decision_body_org_id if ff is not None else None
    details = {
        "field": "filing_form.decision_body",
        "decision_body": body,
        "decision_body_org_id": body_id,
        "responsible_org_id": p.responsible_org_id,
        "responsible_org_name": p.responsible_org_name,
    }
    if _blank(body) and body_id is None:
        return FAIL, "报备表未载明决策主体，无法核对评估责任主体", details
    # Registry ids decide when both sides have one; otherwise the names must be identical.
    if body_id is not None and p.responsible_org_id is not None:
        same = body_id == p.responsible_org_id
        basis = "机构ID"
    else:
        same = not _blank(body) and not _blank(p.responsible_org_name) and (
            body.strip() == p.responsible_org_name.strip()  # type: ignore[union-attr]
        )
        basis = "名称"
    shown_body = body or body_id
    shown_resp = p.responsible_org_name or p.responsible_org_id
    if same:
        return PASS, f"报备表决策主体{_q(shown_body, 40)}即项目责任主体（按{basis}核对）", details
    if basis == "机构ID" and body is not None and body.strip() == (p.responsible_org_name or "").strip():
        # Same name, different registry id: say which ids, or the evidence reads as a contradiction.
        return (
            FAIL,
            f"报备表决策主体名称与项目责任主体相同，但机构ID不一致（报备表 {body_id}，项目 {p.responsible_org_id}）",
            details,
        )
    return (
        FAIL,
        f"报备表决策主体{_q(shown_body, 40)}与项目责任主体{_q(shown_resp, 40)}不一致（按{basis}核对）",
        details,
    )


def c02_2(ctx: Ctx) -> RuleResult:
    p = ctx.project
    if p is None:
        return NA, NO_PROJECT, {"reason": "no_project"}
    if not ctx.assessor_is_agency:
        return NA, "项目为自行评估，未委托第三方机构，本项不适用", {"assessor_kind": "self"}
    agency_id = ctx.agency_id
    details: dict[str, Any] = {"field": "assessor.agency_id", "agency_id": agency_id}
    if agency_id is None:
        return FAIL, "委托第三方机构评估但未载明机构ID，无法在机构库中核验", details
    a = ctx.agency
    if a is None:
        return FAIL, f"机构库中未找到评估机构（ID {agency_id}）", details
    problems: list[str] = []
    try:
        level: ProjectLevel | None = project_level_for_region(p.region_code)
    except ValueError:
        level = None
        problems.append(f"项目行政区划代码「{p.region_code}」无效，无法确定项目级别")
    details.update(
        {
            "agency_name": a.name,
            "status": a.status,
            "grade": a.grade,
            "grade_valid_until": _iso(a.grade_valid_until),
            "submitted_on": _iso(ctx.submitted_on),
            "project_level": level.value if level else None,
            "registry_eligible": a.eligible,
            "registry_reasons": list(a.reasons),
        }
    )
    if a.status != "active":
        problems.append(f"机构状态为「{_agency_status(a.status)}」，不是正常状态")
    if a.grade is None:
        problems.append("机构无有效等级")
    else:
        if a.grade_valid_until is None:
            problems.append(f"机构{a.grade}级等级未载明有效期")
        elif a.grade_valid_until < ctx.submitted_on:
            problems.append(
                f"机构{a.grade}级等级有效期至 {_iso(a.grade_valid_until)}，报送日期 {_iso(ctx.submitted_on)} 已过期"
            )
        max_level = ctx.config.agency_grade_max_level.get(AgencyGrade(a.grade)) if a.grade in AgencyGrade._value2member_map_ else None
        details["grade_max_level"] = max_level.value if max_level else None
        if level is not None:
            if max_level is None:
                problems.append(f"机构等级「{a.grade}」未配置可承接的项目级别")
            elif PROJECT_LEVEL_RANK[level] > PROJECT_LEVEL_RANK[max_level]:
                problems.append(
                    f"{a.grade}级机构仅可承接{label(max_level)}及以下项目，本项目为{label(level)}项目"
                )
    if not a.eligible:
        reasons = "；".join(a.reasons) if a.reasons else "未说明原因"
        problems.append(f"机构库资格核验未通过：{reasons}")
    if problems:
        return FAIL, f"评估机构{_q(a.name, 40)}：" + _join(problems), details
    return (
        PASS,
        f"评估机构{_q(a.name, 40)}状态正常，{a.grade}级，有效期至 {_iso(a.grade_valid_until)}（不早于报送日期 {_iso(ctx.submitted_on)}），可承接{label(level)}项目",  # type: ignore[arg-type]
        details,
    )


def _agency_status(status: str) -> str:
    return {"active": "正常", "suspended": "暂停", "blacklisted": "列入黑名单"}.get(status, status)


def c02_3(ctx: Ctx) -> RuleResult:
    ids = ctx.team_expert_ids
    experts = ctx.registry.experts if ctx.registry is not None else {}
    found = [experts[i] for i in ids if i in experts]
    missing = [i for i in ids if i not in experts]
    ov = ctx.report.overview
    wanted = matching_expert_fields(
        ctx.category, ov.sub_kind if ov is not None else None, ctx.interests
    )
    matched = [e for e in found if wanted.intersection(e.fields)]
    minimum = ctx.config.team_min_registry_experts
    details: dict[str, Any] = {
        "field": "assessment_team",
        "registry_experts": len(found),
        "threshold": minimum,
        "not_in_registry": missing,
        "matching_fields": sorted(wanted),
        "matching_experts": [e.name for e in matched],
    }
    problems: list[str] = []
    note = ""
    if missing:
        note = "专家库中未找到：" + "、".join(f"ID {i}" for i in missing) + "（不计入）"
    if len(found) < minimum:
        problems.append(f"评估组中专家库专家 {len(found)} 名，少于 {minimum} 名")
    if not wanted:
        problems.append("报告未载明事项类别及涉及利益，无法确定相关专业领域")
    elif not matched:
        fields = "、".join(sorted({label_of_field(f) for e in found for f in e.fields})) or "无"
        problems.append(
            "评估组专家领域（" + fields + "）均不属于与事项相关的领域（"
            + "、".join(label_of_field(f) for f in sorted(wanted)) + "）"
        )
    if problems:
        return FAIL, _join(problems + ([note] if note else [])), details
    text = (
        f"评估组中专家库专家 {len(found)} 名（不少于 {minimum} 名），其中"
        + "、".join(f"{e.name}（{'、'.join(label_of_field(f) for f in e.fields if f in wanted)}）" for e in matched)
        + "属于相关领域"
    )
    return PASS, text + (f"；{note}" if note else ""), details


def label_of_field(value: str) -> str:
    return label_of(ExpertField, value)


def c02_4(ctx: Ctx) -> RuleResult:
    r, p = ctx.report, ctx.project
    ff, ov = r.filing_form, r.overview
    # Organisations the assessors must be independent of, by registry id and by name.
    parties: list[tuple[str, str | None, str | None]] = []  # (role, org id, name)
    if p is not None:
        parties.append(("决策主体", p.responsible_org_id, p.responsible_org_name))
    if ff is not None:
        parties.append(("决策主体", ff.decision_body_org_id, ff.decision_body))
    if ov is not None:
        parties.append(("实施单位", ov.implementing_unit_org_id, ov.implementing_unit))
    by_id = {oid: (role, name) for role, oid, name in parties if oid}
    by_name = {name.strip(): role for role, _, name in parties if not _blank(name)}  # type: ignore[union-attr]

    def conflict(org_id: str | None, name: str | None) -> str | None:
        if org_id and org_id in by_id:
            return by_id[org_id][0]
        if not _blank(name) and name.strip() in by_name:  # type: ignore[union-attr]
            return by_name[name.strip()]  # type: ignore[union-attr]
        return None

    problems: list[str] = []
    experts = ctx.registry.experts if ctx.registry is not None else {}
    checked = 0
    for eid in ctx.team_expert_ids:
        e = experts.get(eid)
        if e is None:
            problems.append(f"专家库中未找到专家（ID {eid}），无法核实其回避情况")
            continue
        checked += 1
        role = conflict(e.employer_org_id, e.employer_name)
        if role:
            problems.append(f"专家{e.name}的工作单位{_q(e.employer_name, 40)}为本事项{role}，应当回避")
    agency_note = ""
    if ctx.assessor_is_agency:
        a = ctx.agency
        if a is not None:
            role = conflict(a.org_id, a.name)
            if role:
                problems.append(f"评估机构{_q(a.name, 40)}隶属于本事项{role}，应当回避")
            agency_note = f"及评估机构{_q(a.name, 40)}"
        elif ctx.agency_id is not None:
            problems.append(f"机构库中未找到评估机构（ID {ctx.agency_id}），无法核实其独立性")
        else:
            name = r.assessor.name if r.assessor is not None else (ff.assessor if ff else None)
            role = conflict(None, name)
            if role:
                problems.append(f"评估机构{_q(name, 40)}为本事项{role}，应当回避")
            agency_note = f"及评估机构{_q(name, 40)}" if name else ""
    details = {
        "field": "assessment_team/assessor",
        "experts_checked": checked,
        "avoid_org_ids": sorted(by_id),
        "avoid_org_names": sorted(by_name),
    }
    if problems:
        return FAIL, _join(problems), details
    parties_text = "、".join(f"{role}{_q(name, 30)}" for name, role in by_name.items()) or "决策主体及实施单位"
    return PASS, f"评估组 {checked} 名专家{agency_note}均不属于{parties_text}", details


# ============================================================================================
# C03 overview
# ============================================================================================

_OVERVIEW_TEXT = (
    ("background", "事项背景"),
    ("content", "主要内容"),
    ("scale", "规模"),
    ("location", "地点"),
    ("schedule", "实施计划"),
)


def c03_1(ctx: Ctx) -> RuleResult:
    ov = ctx.report.overview
    minimum = ctx.config.overview_min_length
    if ov is None:
        return FAIL, "报告缺少事项概况", {"field": "overview", "threshold": minimum}
    problems: list[str] = []
    lengths: dict[str, int] = {}
    for f, lbl in _OVERVIEW_TEXT:
        text = getattr(ov, f)
        n = len(text.strip()) if isinstance(text, str) else 0
        lengths[f] = n
        if n == 0:
            problems.append(f"未载明{lbl}")
        elif n < minimum:
            problems.append(f"{lbl}仅 {n} 字，少于 {minimum} 字")
    details = {"field": "overview", "lengths": lengths, "threshold": minimum}
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"事项背景、主要内容、规模、地点、实施计划均已载明且不少于 {minimum} 字", details


def c03_2(ctx: Ctx) -> RuleResult:
    ov = ctx.report.overview
    if ov is None:
        return FAIL, "报告缺少事项概况", {"field": "overview"}
    problems: list[str] = []
    if _blank(ov.affected_area):
        problems.append("未描述影响范围")
    if ov.affected_population is None:
        problems.append("未载明涉及人数")
    elif ov.affected_population <= 0:
        problems.append(f"涉及人数为 {ov.affected_population}，应为正数")
    groups = [g.strip() for g in ov.stakeholder_groups if not _blank(g)]
    if not groups:
        problems.append("未列明利益相关群体")
    details = {
        "field": "overview",
        "affected_population": ov.affected_population,
        "stakeholder_groups": groups,
    }
    if problems:
        return FAIL, _join(problems), details
    return (
        PASS,
        f"影响范围已描述，涉及 {ov.affected_population} 人，利益相关群体：{'、'.join(groups)}",
        details,
    )


_INTEREST_KEYWORDS: dict[str, tuple[str, ...]] = {
    Interest.land_requisition: ("征地", "土地征收", "征收土地", "征收集体土地", "用地征收"),
    Interest.demolition: ("拆迁", "房屋征收", "征收房屋", "拆除"),
    Interest.farmers_burden: ("农民负担", "农民"),
    Interest.soe_restructuring: ("改制",),
    Interest.environment: ("环境", "污染", "噪声", "扬尘"),
    Interest.employment: ("就业", "岗位", "失业"),
    Interest.heritage: ("文化遗产", "文物", "历史建筑", "历史文化"),
    Interest.public_safety: ("公共安全", "安全"),
    Interest.pricing: ("价格", "收费", "调价"),
    Interest.social_security: ("社会保障", "社保", "养老", "医保", "低保"),
}


def c03_3(ctx: Ctx) -> RuleResult:
    ov = ctx.report.overview
    if ov is None:
        return FAIL, "报告缺少事项概况", {"field": "overview"}
    if not ov.interests:
        return NA, "事项概况未列明涉及的群众切身利益", {"field": "overview.interests"}
    text = "".join(
        t
        for t in (
            ov.background, ov.content, ov.scale, ov.location, ov.schedule,
            ov.affected_area, ov.interests_description, *ov.stakeholder_groups,
        )
        if t
    )
    missing = [i for i in ov.interests if not any(k in text for k in _INTEREST_KEYWORDS.get(i, (label(i),)))]
    details = {"field": "overview", "interests": [str(i) for i in ov.interests], "not_discussed": [str(i) for i in missing]}
    if missing:
        return FAIL, "事项概况未说明涉及的" + "、".join(label(i) for i in missing) + "等群众切身利益内容", details
    return PASS, "事项概况对涉及的" + "、".join(label(i) for i in ov.interests) + "等利益均有说明", details


_APPROVALS = (
    PriorApprovalKind.project_approval,
    PriorApprovalKind.planning,
    PriorApprovalKind.land_use,
    PriorApprovalKind.environmental_assessment,
)


def c03_4(ctx: Ctx) -> RuleResult:
    cat = ctx.category
    if cat != ProjectCategory.project:
        shown = label(cat) if cat is not None else "未载明"
        return NA, f"事项类别为「{shown}」，前期审批手续仅对重大工程项目审查", {"category": cat}
    ov = ctx.report.overview
    listed = {a.kind: a for a in ov.prior_approvals} if ov is not None else {}
    problems: list[str] = []
    missing = [k for k in _APPROVALS if k not in listed]
    if missing:
        problems.append("未说明" + "、".join(label(k) for k in missing) + "手续办理情况")
    no_status = [k for k in _APPROVALS if k in listed and listed[k].status is None]
    if no_status:
        problems.append("、".join(label(k) for k in no_status) + "手续未注明办理状态")
    details = {
        "field": "overview.prior_approvals",
        "missing": [str(k) for k in missing],
        "without_status": [str(k) for k in no_status],
    }
    if problems:
        return FAIL, _join(problems), details
    status = "，".join(f"{label(k)}{label(listed[k].status)}" for k in _APPROVALS)  # type: ignore[arg-type]
    return PASS, f"前期手续：{status}", details


# ============================================================================================
# C04 basis
# ============================================================================================


def c04_1(ctx: Ctx) -> RuleResult:
    docs = ctx.report.basis
    minimum = ctx.config.basis_min_documents
    laws = [d for d in docs if d.kind in (DocumentKind.law, DocumentKind.administrative_regulation)]
    details = {"field": "basis", "documents": len(docs), "threshold": minimum, "laws_or_regulations": len(laws)}
    problems = []
    if len(docs) < minimum:
        problems.append(f"引用依据文件 {len(docs)} 件，少于 {minimum} 件")
    if not laws:
        problems.append("未引用法律或行政法规")
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"引用依据文件 {len(docs)} 件（不少于 {minimum} 件），其中法律、行政法规 {len(laws)} 件", details


_YEAR_IN_NUMBER = re.compile(r"〔(\d{4})〕")


def c04_2(ctx: Ctx) -> RuleResult:
    docs = ctx.report.basis
    if not docs:
        return NA, "未引用依据文件（见C04.1）", {"field": "basis"}
    repealed = {s.strip() for s in ctx.config.repealed_documents}
    max_age = ctx.config.document_max_age_years
    flagged: list[str] = []
    rows: list[dict[str, Any]] = []
    for i, d in enumerate(docs):
        name = f"第{i + 1}项《{(d.title or '').strip()}》"
        if repealed and ((d.title or "").strip() in repealed or (d.number or "").strip() in repealed):
            flagged.append(f"{name}已列入本地区废止文件清单")
            rows.append({"index": i, "reason": "repealed"})
        year = d.year
        if year is None and d.number:
            m = _YEAR_IN_NUMBER.search(d.number)
            year = int(m.group(1)) if m else None
        if year is not None and ctx.submitted_on.year - year > max_age:
            flagged.append(f"{name}发布于 {year} 年，距报送已逾 {max_age} 年，请核实是否现行有效")
            rows.append({"index": i, "reason": "old", "year": year})
    details = {"field": "basis", "threshold_years": max_age, "flagged": rows}
    if flagged:
        return FAIL, _join(flagged), details
    return PASS, f"引用文件均未列入废止清单，且发布时间均在 {max_age} 年以内", details


_NUMBER_SHAPES = (
    re.compile(r"[^\s〔〕\[\]【】()（）]+〔\d{4}〕\d+号"),
    re.compile(r"[^\s〔〕\[\]【】()（）]+令第\d+号"),
)
_NEEDS_NUMBER = (DocumentKind.administrative_regulation, DocumentKind.rule, DocumentKind.normative_document)


def c04_3(ctx: Ctx) -> RuleResult:
    docs = ctx.report.basis
    if not docs:
        return NA, "未引用依据文件（见C04.1）", {"field": "basis"}
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for i, d in enumerate(docs):
        name = f"第{i + 1}项" + (f"《{d.title.strip()}》" if not _blank(d.title) else "")  # type: ignore[union-attr]
        if _blank(d.title):
            problems.append(f"{name}未载明文件名称")
            rows.append({"index": i, "field": "title"})
        if _blank(d.issuer):
            problems.append(f"{name}未载明发文机关")
            rows.append({"index": i, "field": "issuer"})
        if d.kind in _NEEDS_NUMBER:
            if _blank(d.number):
                problems.append(f"{name}（{label(d.kind)}）未载明文号")
                rows.append({"index": i, "field": "number", "value": None})
            elif not any(s.fullmatch(d.number.strip()) for s in _NUMBER_SHAPES):  # type: ignore[union-attr]
                problems.append(
                    f"{name}文号「{d.number}」不规范（应为“…〔年份〕序号号”或“…令第N号”，年份用六角括号〔〕）"
                )
                rows.append({"index": i, "field": "number", "value": d.number})
    details = {"field": "basis", "problems": rows}
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"引用的 {len(docs)} 件文件均载明名称和发文机关，行政法规、规章和规范性文件文号规范", details


_LOCAL_ISSUER = re.compile(r"[省市县区州盟旗]")


def c04_4(ctx: Ctx) -> RuleResult:
    docs = ctx.report.basis
    if not docs:
        return NA, "未引用依据文件（见C04.1）", {"field": "basis"}
    local = [
        d
        for d in docs
        if d.kind in (DocumentKind.local_regulation, DocumentKind.rule, DocumentKind.standard, DocumentKind.plan)
        or (d.kind == DocumentKind.normative_document and d.issuer and _LOCAL_ISSUER.search(d.issuer))
    ]
    details = {"field": "basis", "local_or_sectoral": len(local)}
    if not local:
        return FAIL, "未引用地方性法规、规章、行业标准或相关规划", details
    names = "、".join(f"《{(d.title or '').strip()}》" for d in local[:3])
    return PASS, f"已引用地方性、行业性规定或规划 {len(local)} 件，如{names}", details


# ============================================================================================
# C05 procedure
# ============================================================================================


def c05_1(ctx: Ctx) -> RuleResult:
    proc = ctx.report.procedure
    plan = proc.plan if proc is not None else None
    if plan is None:
        return FAIL, "未制定评估方案", {"field": "procedure.plan"}
    problems = []
    if _blank(plan.content):
        problems.append("评估方案未载明评估内容")
    if not any(not _blank(m) for m in plan.methods):
        problems.append("评估方案未载明评估方法")
    if plan.time_limit is None:
        problems.append("评估方案未载明完成时限")
    details = {"field": "procedure.plan", "time_limit": _iso(plan.time_limit), "methods": plan.methods}
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"评估方案载明评估内容、方法（{'、'.join(m for m in plan.methods if not _blank(m))}）和完成时限 {_iso(plan.time_limit)}", details


def c05_2(ctx: Ctx) -> RuleResult:
    proc = ctx.report.procedure
    pn = proc.public_notice if proc is not None else None
    minimum = ctx.config.notice_days
    if pn is None:
        return FAIL, "未对评估事项进行公开公示", {"field": "procedure.public_notice", "threshold": minimum}
    details: dict[str, Any] = {
        "field": "procedure.public_notice",
        "start": _iso(pn.start),
        "end": _iso(pn.end),
        "threshold": minimum,
        "compilation_date": _iso(ctx.compilation_date),
    }
    if pn.start is None or pn.end is None:
        return FAIL, "公示起止日期未载明，无法核实公示期", details
    days = _days(pn.start, pn.end)
    details["days"] = days
    problems = []
    if days < minimum:
        problems.append(f"公示期 {days} 天（{_iso(pn.start)} 至 {_iso(pn.end)}，含首尾），少于 {minimum} 天")
    channels = [c.strip() for c in pn.channels if not _blank(c)]
    if not channels:
        problems.append("未载明公示渠道")
    comp = ctx.compilation_date
    if comp is not None and pn.end > comp:
        problems.append(f"公示结束日期 {_iso(pn.end)} 晚于报告编制日期 {_iso(comp)}")
    if problems:
        return FAIL, _join(problems), details
    tail = (
        f"，于报告编制日期 {_iso(comp)} 前结束"
        if comp is not None
        else "；报告编制日期未载明，未核对公示结束时间（见C05.3）"
    )
    return (
        PASS,
        f"公示期 {days} 天（{_iso(pn.start)} 至 {_iso(pn.end)}，含首尾），不少于 {minimum} 天；渠道：{'、'.join(channels)}{tail}",
        details,
    )


_ORDER = (
    ProcedureStep.plan,
    ProcedureStep.public_notice,
    ProcedureStep.consultation,
    ProcedureStep.analysis,
    ProcedureStep.risk_identification,
    ProcedureStep.report_compilation,
)


def c05_3(ctx: Ctx) -> RuleResult:
    if ctx.report.procedure is None:
        return FAIL, "报告缺少评估程序", {"field": "procedure"}
    # Plan and notice dates come from their own sections, whatever the steps list says.
    dates: dict[ProcedureStep, dt.date | None] = {}
    missing: list[str] = []
    undated: list[str] = []
    proc = ctx.report.procedure
    if proc.plan is None:
        missing.append(label(ProcedureStep.plan))
    elif proc.plan.date is None:
        undated.append(label(ProcedureStep.plan))
    else:
        dates[ProcedureStep.plan] = proc.plan.date
    if proc.public_notice is None:
        missing.append(label(ProcedureStep.public_notice))
    elif proc.public_notice.start is None:
        undated.append(label(ProcedureStep.public_notice))
    else:
        dates[ProcedureStep.public_notice] = proc.public_notice.start
    for step in _ORDER[2:]:
        if step not in ctx.step_dates:
            missing.append(label(step))
        elif ctx.step_dates[step] is None:
            undated.append(label(step))
        else:
            dates[step] = ctx.step_dates[step]
    problems = []
    if missing:
        problems.append("缺少工作步骤：" + "、".join(missing))
    if undated:
        problems.append("未载明日期的步骤：" + "、".join(undated))
    present = [(s, d) for s, d in ((s, dates.get(s)) for s in _ORDER) if d is not None]
    for (s1, d1), (s2, d2) in pairwise(present):
        if d1 > d2:
            problems.append(f"{label(s2)}（{_iso(d2)}）早于{label(s1)}（{_iso(d1)}），顺序颠倒")
    details = {
        "field": "procedure",
        "dates": {s.value: _iso(d) for s, d in present},
        "missing": missing,
        "undated": undated,
    }
    if problems:
        return FAIL, _join(problems), details
    chain = " → ".join(f"{label(s)} {_iso(d)}" for s, d in present)
    return PASS, f"步骤齐全且顺序正确：{chain}", details


def c05_4(ctx: Ctx) -> RuleResult:
    proc = ctx.report.procedure
    m = proc.expert_meeting if proc is not None else None
    minimum = ctx.config.expert_meeting_min_experts
    comp = ctx.compilation_date
    if m is None:
        extra = "（报告完成后的评审会不能替代论证会）" if proc is not None and proc.review_meeting else ""
        return FAIL, f"未组织专家论证会{extra}", {"field": "procedure.expert_meeting", "threshold": minimum}
    keys = {(e.expert_id or (e.name or "").strip()) for e in m.experts} - {""}
    details = {
        "field": "procedure.expert_meeting",
        "date": _iso(m.date),
        "compilation_date": _iso(comp),
        "experts": len(keys),
        "threshold": minimum,
    }
    problems = []
    if m.date is None:
        problems.append("专家论证会未载明日期")
    elif comp is not None and m.date > comp:
        problems.append(
            f"专家论证会日期 {_iso(m.date)} 晚于报告编制日期 {_iso(comp)}（报告完成后的评审会不能替代论证会）"
        )
    if _blank(m.minutes):
        problems.append("专家论证会无会议纪要")
    if len(keys) < minimum:
        problems.append(f"参加论证的专家 {len(keys)} 名，少于 {minimum} 名")
    if problems:
        return FAIL, _join(problems), details
    when = f"于报告编制日期 {_iso(comp)} 前" if comp is not None else "（报告编制日期未载明，未核对先后，见C05.3）"
    return PASS, f"{_iso(m.date)} 召开专家论证会{when}，{len(keys)} 名专家参加（不少于 {minimum} 名），有会议纪要", details


def c05_5(ctx: Ctx) -> RuleResult:
    start, end = ctx.plan_date, ctx.compilation_date
    cat = ctx.category
    required = ctx.config.period_days_for(cat)
    details: dict[str, Any] = {
        "field": "procedure.plan.date/report_compilation",
        "plan_date": _iso(start),
        "compilation_date": _iso(end),
        "threshold": required,
        "category": cat,
    }
    if start is None or end is None:
        return NA, "缺少方案制定日期或报告编制日期，无法计算评估周期（见C05.3）", _plain(details)
    days = _days(start, end)
    details["days"] = days
    cat_text = label(cat) if cat is not None else "类别未载明的事项"
    if days < required:
        return (
            FAIL,
            f"评估周期 {days} 天（{_iso(start)} 至 {_iso(end)}，含首尾），少于{cat_text}要求的 {required} 天",
            _plain(details),
        )
    return (
        PASS,
        f"评估周期 {days} 天（{_iso(start)} 至 {_iso(end)}，含首尾），不少于{cat_text}要求的 {required} 天",
        _plain(details),
    )


# ============================================================================================
# C06 consultation
# ============================================================================================


def _group_rule(group: ConsultationGroup) -> Rule:
    def rule(ctx: Ctx) -> RuleResult:
        minimum = ctx.config.consultation_min_participants.get(group, 1)
        n, total = ctx.participants_by_group.get(group, (0, 0))
        details = {"field": "consultations", "group": group.value, "consultations": n, "participants": total, "threshold": minimum}
        name = label(group)
        if n == 0:
            return FAIL, f"未征求{name}意见", details
        if total < minimum:
            return FAIL, f"{name}意见征求 {n} 次，合计 {total} 人，少于 {minimum} 人", details
        return PASS, f"{name}意见征求 {n} 次，合计 {total} 人（不少于 {minimum} 人）", details

    rule.__name__ = f"consultation_{group.value}"
    return rule


c06_1 = _group_rule(ConsultationGroup.stakeholders)
c06_2 = _group_rule(ConsultationGroup.key_populations)
c06_3 = _group_rule(ConsultationGroup.local_government)
_c06_4_group = _group_rule(ConsultationGroup.implementing_unit)
c06_5 = _group_rule(ConsultationGroup.experts)


def c06_4(ctx: Ctx) -> RuleResult:
    ov = ctx.report.overview
    cat = ctx.category
    names_unit = ov is not None and (not _blank(ov.implementing_unit) or ov.implementing_unit_org_id is not None)
    if cat in (ProjectCategory.policy, ProjectCategory.reform) and not names_unit:
        return NA, f"事项为{label(cat)}，概况未载明实施单位，本项不适用", {"category": cat.value}
    return _c06_4_group(ctx)


def c06_6(ctx: Ctx) -> RuleResult:
    cfg = ctx.config
    ov = ctx.report.overview
    pop = ov.affected_population if ov is not None else None
    _, sample = ctx.participants_by_group.get(ConsultationGroup.stakeholders, (0, 0))
    problems: list[str] = []
    if pop is None:
        required = cfg.sample_minimum
        basis = f"涉及人数未载明，按最低样本 {required} 人核对"
    else:
        ceil = (cfg.sample_ratio_percent * pop + 99) // 100
        required = min(pop, max(cfg.sample_minimum, ceil))
        basis = f"涉及 {pop} 人，应不少于 min({pop}, max({cfg.sample_minimum}, ⌈{cfg.sample_ratio_percent}%×{pop}⌉={ceil}))={required} 人"
    if sample < required:
        problems.append(f"涉利益群体样本 {sample} 人，少于 {required} 人（{basis}）")
    methods = sorted({c.method for c in ctx.report.consultations if c.method is not None})
    if len(methods) < cfg.min_consultation_methods:
        shown = "、".join(label(m) for m in methods) or "无"
        problems.append(f"征求意见方式 {len(methods)} 种（{shown}），少于 {cfg.min_consultation_methods} 种")
    unanswered = [k for k in ctx.concerns if _blank(k.response)]
    if unanswered:
        problems.append(
            f"{len(unanswered)} 条意见未作书面回应："
            + "、".join((k.id or "") + _q(k.text, 20) for k in unanswered[:5])
            + ("等" if len(unanswered) > 5 else "")
        )
    details = {
        "field": "consultations",
        "stakeholder_participants": sample,
        "affected_population": pop,
        "required_sample": required,
        "methods": [str(m) for m in methods],
        "min_methods": cfg.min_consultation_methods,
        "unanswered_concerns": [k.id for k in unanswered],
    }
    if problems:
        return FAIL, _join(problems), details
    return (
        PASS,
        (
            f"涉利益群体样本 {sample} 人（{basis}）；征求方式 {len(methods)} 种"
            f"（{'、'.join(label(m) for m in methods)}）；{len(ctx.concerns)} 条意见均有书面回应"
        ),
        details,
    )


# ============================================================================================
# C07 risk identification
# ============================================================================================

_FOUR_DIMENSIONS = (
    RiskDimension.legality,
    RiskDimension.rationality,
    RiskDimension.feasibility,
    RiskDimension.controllability,
)


def c07_1(ctx: Ctx) -> RuleResult:
    risks = ctx.report.risks
    covered = {r.dimension for r in risks if r.dimension is not None}
    missing = [d for d in _FOUR_DIMENSIONS if d not in covered]
    details = {"field": "risks.dimension", "missing": [d.value for d in missing]}
    if not risks:
        return FAIL, "未识别任何风险因素", details
    if missing:
        return FAIL, "风险识别未覆盖" + "、".join(label(d) for d in missing) + "维度", details
    return PASS, f"{len(risks)} 项风险因素覆盖合法性、合理性、可行性、可控性四个维度", details


def c07_2(ctx: Ctx) -> RuleResult:
    concerns = ctx.concerns
    if not concerns:
        return NA, "意见征求中未记录群众反映的问题，无需与风险因素对应", {"field": "consultations.concerns"}
    answered = ctx.answered_concerns
    without_id = [k for k in concerns if _blank(k.id)]
    unanswered = [k for k in concerns if not _blank(k.id) and k.id not in answered]
    problems = []
    if unanswered:
        problems.append(
            "以下意见未纳入任何风险因素："
            + "、".join(f"{k.id}{_q(k.text, 20)}" for k in unanswered)
        )
    if without_id:
        problems.append(
            "以下意见未编号，无法与风险因素对应：" + "、".join(_q(k.text, 20) for k in without_id)
        )
    details = {
        "field": "risks.related_concerns",
        "concerns": len(concerns),
        "unanswered": [k.id for k in unanswered],
        "without_id": len(without_id),
    }
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"{len(concerns)} 条群众意见均已对应到风险因素", details


def c07_3(ctx: Ctx) -> RuleResult:
    ov = ctx.report.overview
    required = required_risk_kinds(
        ctx.category,
        ctx.interests,
        ov.expected_participants if ov is not None else None,
        ctx.config.event_crowd_threshold,
    )
    if not required:
        return NA, "事项涉及的利益无对应的重点风险类型", {"field": "risks.kind", "required": []}
    present = {r.kind for r in ctx.report.risks if r.kind is not None}
    missing = [k for k in required if k not in present]
    details = {
        "field": "risks.kind",
        "required": [k.value for k in required],
        "missing": [k.value for k in missing],
    }
    if missing:
        return (
            FAIL,
            _join(f"{'、'.join(required[k])}，但未识别「{label(k)}」类风险" for k in missing),
            details,
        )
    return (
        PASS,
        _join(f"{'、'.join(why)}，已识别「{label(k)}」类风险" for k, why in required.items()),
        details,
    )


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def c07_4(ctx: Ctx) -> RuleResult:
    risks = ctx.report.risks
    if not risks:
        return NA, "未识别风险因素（见C07.1）", {"field": "risks.source"}
    minimum = ctx.config.risk_source_min_length
    seen: dict[str, int] = {}
    flags: list[str] = []
    for i, r in enumerate(risks):
        src = _norm(r.source)
        if not src:
            flags.append(f"{_rname(i, r)}未描述风险源")
        elif len(src) < minimum:
            flags.append(f"{_rname(i, r)}风险源仅 {len(src)} 字，少于 {minimum} 字")
        if src:
            if src in seen:
                flags.append(f"{_rname(i, r)}风险源与{_rname(seen[src], risks[seen[src]])}完全相同")
            else:
                seen[src] = i
    details = {"field": "risks.source", "threshold": minimum}
    if flags:
        return FAIL, _join(flags), details
    return PASS, f"{len(risks)} 项风险源描述均不少于 {minimum} 字且互不重复", details


# ============================================================================================
# C08 estimation and grading
# ============================================================================================


def c08_1(ctx: Ctx) -> RuleResult:
    risks = ctx.report.risks
    if not risks:
        return NA, "未识别风险因素（见C07.1）", {"field": "risks"}
    problems = []
    for i, r in enumerate(risks):
        lacks = [n for n, v in (("发生概率", r.probability), ("影响程度", r.impact)) if v is None]
        if lacks:
            problems.append(f"{_rname(i, r)}未估计" + "和".join(lacks))
    details = {"field": "risks.probability/impact", "without_estimate": len(problems)}
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"{len(risks)} 项风险因素均已估计发生概率和影响程度（0~1）", details


def _pi(p: float, i: float) -> str:
    return f"P={p}×I={i}=R {_fmt_dec(risk_degree(p, i))}"


def c08_2(ctx: Ctx) -> RuleResult:
    scheme = ctx.scheme
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    checked = 0
    for i, r in enumerate(ctx.report.risks):
        if r.probability is None or r.impact is None:
            continue  # C08.1's defect
        checked += 1
        computed = scheme.factor_level(r.probability, r.impact)
        if r.level != computed:
            problems.append(
                f"{_rname(i, r)}：{_pi(r.probability, r.impact)}，应为{_lv(computed)}（{scheme.band_text(computed)}），报告判定为{_lv(r.level)}"
            )
            rows.append(
                {
                    "risk": r.id,
                    "probability": r.probability,
                    "impact": r.impact,
                    "r": float(risk_degree(r.probability, r.impact)),
                    "stated": r.level.value if r.level else None,
                    "computed": computed.value,
                }
            )
    details = {"field": "risks.level", "scheme": scheme.version, "mismatches": rows}
    if checked == 0:
        return NA, "无已估计概率和影响的风险因素（见C08.1）", details
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"{checked} 项风险因素的风险程度均与 R=P×I 按本地区判定标准计算一致", details


def _count_text(levels: Iterable[FactorLevel]) -> str:
    counts: dict[FactorLevel, int] = {}
    for lv in levels:
        counts[lv] = counts.get(lv, 0) + 1
    order = sorted(counts, key=lambda x: -FACTOR_RANK[x])
    return "、".join(f"{label(lv)}{counts[lv]}项" for lv in order) or "无"


def _overall(
    ctx: Ctx, risks: list[RiskFactor], residual: bool
) -> tuple[OverallLevel, str, dict[str, Any]]:
    """Overall level computed by the region's scheme: from stated factor levels (stacking) or
    from the weighted R of the stated P and I (index)."""
    scheme = ctx.scheme
    if scheme.method == "stacking":
        levels = [lv for lv in ((r.residual_level if residual else r.level) for r in risks) if lv is not None]
        computed = scheme.overall_by_stacking(levels)
        return computed, f"单因素等级{_count_text(levels)}，按叠加法综合等级为{_olv(computed)}", {
            "method": "stacking"
        }
    pairs: list[tuple[Decimal, Decimal | None]] = []
    for r in risks:
        p, i = (r.residual_probability, r.residual_impact) if residual else (r.probability, r.impact)
        if p is not None and i is not None:
            pairs.append((risk_degree(p, i), to_decimal(r.weight) if r.weight is not None else None))
    index = scheme.overall_index(pairs)
    computed = scheme.overall_by_index(index)
    return (
        computed,
        f"综合指数 {_fmt_dec(index.quantize(Decimal('0.0001')))}，按指数法综合等级为{_olv(computed)}",
        {"method": "index", "index": float(index)},
    )


def c08_3(ctx: Ctx) -> RuleResult:
    concl = ctx.report.conclusion
    stated = concl.initial_level if concl is not None else None
    if stated is None:
        return NA, "评估结论未载明初始综合风险等级（见C10.1）", {"field": "conclusion.initial_level"}
    computed, how, extra = _overall(ctx, ctx.report.risks, residual=False)
    details = {"field": "conclusion.initial_level", "stated": stated.value, "computed": computed.value, **extra}
    if stated != computed:
        return FAIL, f"{how}，报告判定为{_olv(stated)}", details
    return PASS, f"{how}，与报告判定一致", details


def c08_4(ctx: Ctx) -> RuleResult:
    risks = ctx.report.risks
    if not risks:
        return NA, "未识别风险因素（见C07.1）", {"field": "risks"}
    scheme = ctx.scheme
    problems: list[str] = []
    for i, r in enumerate(risks):
        name = _rname(i, r)
        if r.residual_probability is None or r.residual_impact is None:
            problems.append(f"{name}未估计落实措施后的发生概率和影响程度")
        else:
            computed = scheme.factor_level(r.residual_probability, r.residual_impact)
            if r.residual_level is None:
                problems.append(f"{name}未载明措施后风险程度（按 {_pi(r.residual_probability, r.residual_impact)} 应为{_lv(computed)}）")
            elif r.residual_level != computed:
                problems.append(
                    f"{name}措施后 {_pi(r.residual_probability, r.residual_impact)}，应为{_lv(computed)}，报告判定为{_lv(r.residual_level)}"
                )
        if (
            r.residual_level is not None
            and r.level is not None
            and FACTOR_RANK[r.residual_level] > FACTOR_RANK[r.level]
        ):
            problems.append(f"{name}措施后风险程度（{_lv(r.residual_level)}）高于措施前（{_lv(r.level)}）")
    concl = ctx.report.conclusion
    stated = concl.residual_level if concl is not None else None
    details: dict[str, Any] = {"field": "risks.residual_*/conclusion.residual_level", "stated": stated}
    tail = ""
    if stated is not None:
        overall, how, extra = _overall(ctx, risks, residual=True)
        details.update({"computed": overall.value, **extra})
        if stated != overall:
            problems.append(f"措施后{how}，报告结论判定为{_olv(stated)}")
        else:
            tail = f"；措施后{how}，与报告结论一致"
    else:
        tail = "；结论未载明措施后综合风险等级（见C10.1）"
    details = _plain(details)
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"{len(risks)} 项风险因素均已评估措施后风险程度且判定正确、不高于措施前{tail}", details


def c08_5(ctx: Ctx) -> RuleResult:
    rated = [
        c
        for c in ctx.report.consultations
        if c.group == ConsultationGroup.stakeholders and c.support_rate is not None
    ]
    concl = ctx.report.conclusion
    level = concl.residual_level if concl is not None else None
    details: dict[str, Any] = {"field": "consultations.support_rate", "level": level}
    if not rated:
        return None, "涉利益群体意见征求未载明支持率，无法给出建议", _plain(details)
    if level is None:
        return None, "结论未载明措施后综合风险等级，无法给出建议（见C10.1）", _plain(details)
    weights = [Decimal(c.participants or 0) for c in rated]
    total = sum(weights, Decimal(0))
    if total > 0:
        support = sum((to_decimal(c.support_rate) * w for c, w in zip(rated, weights, strict=True)), Decimal(0)) / total  # type: ignore[arg-type]
        how = "按参与人数加权"
    else:
        support = sum((to_decimal(c.support_rate) for c in rated), Decimal(0)) / len(rated)  # type: ignore[arg-type]
        how = "简单平均"
    low, high = ctx.config.support_low_threshold, ctx.config.support_high_threshold
    pct = f"{_fmt_dec((support * 100).quantize(Decimal('0.1')))}%"
    details.update({"support": float(support), "low_threshold": float(low), "high_threshold": float(high)})
    details = _plain(details)
    if level == OverallLevel.low and support < low:
        return FAIL, f"涉利益群体支持率 {pct}（{how}）低于 {_fmt_dec(low * 100)}%，但综合风险等级（措施后）为低，请研判是否低估", details
    if level == OverallLevel.high and support > high:
        return FAIL, f"涉利益群体支持率 {pct}（{how}）高于 {_fmt_dec(high * 100)}%，但综合风险等级（措施后）为高，请研判是否高估", details
    return PASS, f"涉利益群体支持率 {pct}（{how}），综合风险等级（措施后）为{_olv(level)}，未见明显不符", details


# ============================================================================================
# C09 measures
# ============================================================================================

_MODERATE_UP = (FactorLevel.moderate, FactorLevel.significant, FactorLevel.major)


def c09_1(ctx: Ctx) -> RuleResult:
    due = [(i, r) for i, r in enumerate(ctx.report.risks) if r.level in _MODERATE_UP]
    if not due:
        return NA, "无初始风险程度为一般及以上的风险因素", {"field": "measures.items.risk_ids"}
    measured = ctx.measured_risks
    lacking = [(i, r) for i, r in due if not r.id or r.id not in measured]
    details = {
        "field": "measures.items.risk_ids",
        "risks_due": len(due),
        "without_measure": [r.id for _, r in lacking],
    }
    if lacking:
        return (
            FAIL,
            "以下风险无对应防范化解措施："
            + "、".join(f"{_rname(i, r)}（{_lv(r.level)}）" + ("（未编号，无法对应）" if not r.id else "") for i, r in lacking),
            details,
        )
    return PASS, f"初始风险程度为一般及以上的 {len(due)} 项风险均有对应措施", details


def c09_2(ctx: Ctx) -> RuleResult:
    ms = ctx.report.measures
    items = ms.items if ms is not None else []
    if not items:
        return NA, "未制定防范化解措施（见C09.1）", {"field": "measures.items"}
    problems = []
    for n, m in enumerate(items, 1):
        name = f"第{n}项措施{_q(m.content, 15)}"
        if _blank(m.responsible_unit):
            problems.append(f"{name}未明确责任单位")
        if m.deadline is None:
            problems.append(f"{name}未明确完成时限")
        elif not m.deadline > ctx.submitted_on:
            problems.append(f"{name}完成时限 {_iso(m.deadline)} 不晚于报送日期 {_iso(ctx.submitted_on)}")
    details = {"field": "measures.items", "measures": len(items), "submitted_on": _iso(ctx.submitted_on)}
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"{len(items)} 项措施均明确责任单位，完成时限均晚于报送日期 {_iso(ctx.submitted_on)}", details


def c09_3(ctx: Ctx) -> RuleResult:
    ms = ctx.report.measures
    items = ms.items if ms is not None else []
    if not items:
        return NA, "未制定防范化解措施（见C09.1）", {"field": "measures.items"}
    minimum = ctx.config.measure_min_length
    flags = []
    first: dict[str, tuple[int, frozenset[str]]] = {}
    for n, m in enumerate(items, 1):
        text = _norm(m.content)
        if len(text) < minimum:
            flags.append(f"第{n}项措施仅 {len(text)} 字，少于 {minimum} 字")
        if text:
            risks = frozenset(m.risk_ids)
            if text in first and first[text][1] != risks:
                flags.append(f"第{n}项措施与第{first[text][0]}项措施针对不同风险但内容完全相同")
            first.setdefault(text, (n, risks))
    details = {"field": "measures.items.content", "threshold": minimum}
    if flags:
        return FAIL, _join(flags), details
    return PASS, f"{len(items)} 项措施均不少于 {minimum} 字，且未见对不同风险照搬同一措施", details


def c09_4(ctx: Ctx) -> RuleResult:
    concl = ctx.report.conclusion
    level = concl.initial_level if concl is not None else None
    if level is None:
        return NA, "结论未载明初始综合风险等级（见C10.1）", {"field": "measures.emergency_plan"}
    if level == OverallLevel.low:
        return NA, "初始综合风险等级为低，无需应急预案", {"field": "measures.emergency_plan", "level": "low"}
    ms = ctx.report.measures
    plan = ms.emergency_plan if ms is not None else None
    details = {"field": "measures.emergency_plan", "level": level.value}
    if plan is None:
        return FAIL, f"初始综合风险等级为{_olv(level)}，但未制定应急预案", details
    if _blank(plan.summary):
        return FAIL, f"初始综合风险等级为{_olv(level)}，应急预案缺少要点内容", details
    return PASS, f"初始综合风险等级为{_olv(level)}，已制定应急预案{_q(plan.title or plan.summary, 40)}", details


def c09_5(ctx: Ctx) -> RuleResult:
    ms = ctx.report.measures
    mon = ms.monitoring if ms is not None else None
    if mon is None:
        return FAIL, "未明确风险监测和跟踪安排", {"field": "measures.monitoring"}
    problems = []
    if _blank(mon.responsible_unit):
        problems.append("风险监测未明确责任单位")
    if _blank(mon.frequency):
        problems.append("风险监测未明确频次")
    details = {"field": "measures.monitoring", "responsible_unit": mon.responsible_unit, "frequency": mon.frequency}
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"风险监测由{_q(mon.responsible_unit, 30)}负责，频次{_q(mon.frequency, 30)}", details


# ============================================================================================
# C10 conclusion
# ============================================================================================


def c10_1(ctx: Ctx) -> RuleResult:
    c = ctx.report.conclusion
    if c is None:
        return FAIL, "报告缺少评估结论", {"field": "conclusion"}
    missing = [
        lbl
        for lbl, v in (
            ("初始综合风险等级", c.initial_level),
            ("措施后综合风险等级", c.residual_level),
            ("评估建议", c.recommendation),
            ("结论正文", c.text),
        )
        if _blank(v)
    ]
    details = {"field": "conclusion", "missing": missing}
    if missing:
        return FAIL, "评估结论未载明" + "、".join(missing), details
    return (
        PASS,
        f"结论载明初始综合风险等级{_olv(c.initial_level)}、措施后{_olv(c.residual_level)}，建议「{label(c.recommendation)}」",  # type: ignore[arg-type]
        details,
    )


def c10_2(ctx: Ctx) -> RuleResult:
    c = ctx.report.conclusion
    level = c.residual_level if c is not None else None
    rec = c.recommendation if c is not None else None
    if level is None or rec is None:
        return NA, "结论未载明措施后综合风险等级或评估建议（见C10.1）", {"field": "conclusion.recommendation"}
    allowed = ctx.scheme.recommendation_fit[level]
    allowed_text = "或".join(label(x) for x in allowed)
    details = {
        "field": "conclusion.recommendation",
        "level": level.value,
        "recommendation": rec.value,
        "allowed": [x.value for x in allowed],
    }
    if rec not in allowed:
        return FAIL, f"措施后综合风险等级为{_olv(level)}，建议「{label(rec)}」不符（{_olv(level)}风险应{allowed_text}）", details
    return PASS, f"措施后综合风险等级为{_olv(level)}，建议「{label(rec)}」符合（{_olv(level)}风险可{allowed_text}）", details


_REQUIRED_ATTACHMENTS = (
    AttachmentKind.expert_opinions,
    AttachmentKind.survey_summary,
    AttachmentKind.public_notice_evidence,
    AttachmentKind.meeting_minutes,
)


def c10_3(ctx: Ctx) -> RuleResult:
    r = ctx.report
    problems = []
    if r.sign_off is None or _blank(r.sign_off.signed_by):
        problems.append("评估主体未签署报告")
    kinds = {a.kind for a in r.attachments}
    missing = [k for k in _REQUIRED_ATTACHMENTS if k not in kinds]
    if missing:
        problems.append("缺少附件：" + "、".join(label(k) for k in missing))
    details = {"field": "sign_off/attachments", "missing_attachments": [k.value for k in missing]}
    if problems:
        return FAIL, _join(problems), details
    return PASS, f"报告已由{r.sign_off.signed_by.strip()}签署；专家意见、调查汇总、公示材料、会议纪要等附件齐全", details  # type: ignore[union-attr]


# ============================================================================================


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    """Enum members -> their values, so details are plain JSON."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out[k] = _plain(v)
        elif hasattr(v, "value") and isinstance(v.value, str):
            out[k] = v.value
        else:
            out[k] = v
    return out


RULES: dict[str, Rule] = {
    "C01.1": c01_1,
    "C01.2": c01_2,
    "C01.3": c01_3,
    "C01.4": c01_4,
    "C02.1": c02_1,
    "C02.2": c02_2,
    "C02.3": c02_3,
    "C02.4": c02_4,
    "C03.1": c03_1,
    "C03.2": c03_2,
    "C03.3": c03_3,
    "C03.4": c03_4,
    "C04.1": c04_1,
    "C04.2": c04_2,
    "C04.3": c04_3,
    "C04.4": c04_4,
    "C05.1": c05_1,
    "C05.2": c05_2,
    "C05.3": c05_3,
    "C05.4": c05_4,
    "C05.5": c05_5,
    "C06.1": c06_1,
    "C06.2": c06_2,
    "C06.3": c06_3,
    "C06.4": c06_4,
    "C06.5": c06_5,
    "C06.6": c06_6,
    "C07.1": c07_1,
    "C07.2": c07_2,
    "C07.3": c07_3,
    "C07.4": c07_4,
    "C08.1": c08_1,
    "C08.2": c08_2,
    "C08.3": c08_3,
    "C08.4": c08_4,
    "C08.5": c08_5,
    "C09.1": c09_1,
    "C09.2": c09_2,
    "C09.3": c09_3,
    "C09.4": c09_4,
    "C09.5": c09_5,
    "C10.1": c10_1,
    "C10.2": c10_2,
    "C10.3": c10_3,
}

__all__ = ["FAIL", "NA", "PASS", "RULES", "Ctx", "Rule", "RuleResult"]
