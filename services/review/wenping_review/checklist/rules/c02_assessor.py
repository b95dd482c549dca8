"""C02 评估主体与组织: the responsible body, the commissioned agency (registry), the team's
registry experts and the assessors' independence."""

from __future__ import annotations

from typing import Any

from wenping_shared.contracts.vocab import (
    PROJECT_LEVEL_RANK,
    AgencyGrade,
    ExpertField,
    ProjectLevel,
    label,
    label_of,
    matching_expert_fields,
    project_level_for_region,
)

from .context import RuleContext
from .evidence import NO_PROJECT, is_blank, iso, joined, quoted, text_of
from .outcome import RuleOutcome, failed, not_applicable, passed, rule


@rule("C02.1")
def responsible_body_is_decision_body(context: RuleContext) -> RuleOutcome:
    p = context.project
    if p is None:
        return not_applicable(NO_PROJECT, {"reason": "no_project"})
    ff = context.report.filing_form
    body = ff.decision_body if ff is not None else None
    body_id = ff.decision_body_org_id if ff is not None else None
    details = {
        "field": "filing_form.decision_body",
        "decision_body": body,
        "decision_body_org_id": body_id,
        "responsible_org_id": p.responsible_org_id,
        "responsible_org_name": p.responsible_org_name,
    }
    if is_blank(body) and body_id is None:
        return failed("报备表未载明决策主体，无法核对评估责任主体", details)
    # Registry ids decide when both sides have one; otherwise the names must be identical.
    if body_id is not None and p.responsible_org_id is not None:
        same = body_id == p.responsible_org_id
        basis = "机构ID"
    else:
        same = (
            not is_blank(body)
            and not is_blank(p.responsible_org_name)
            and (text_of(body) == text_of(p.responsible_org_name))
        )
        basis = "名称"
    shown_body = body or body_id
    shown_resp = p.responsible_org_name or p.responsible_org_id
    if same:
        return passed(f"报备表决策主体{quoted(shown_body, 40)}即项目责任主体（按{basis}核对）", details)
    if basis == "机构ID" and body is not None and body.strip() == (p.responsible_org_name or "").strip():
        # Same name, different registry id: say which ids, or the evidence reads as a contradiction.
        return failed(
            f"报备表决策主体名称与项目责任主体相同，但机构ID不一致（报备表 {body_id}，项目 {p.responsible_org_id}）",
            details,
        )
    return failed(
        f"报备表决策主体{quoted(shown_body, 40)}与项目责任主体{quoted(shown_resp, 40)}不一致（按{basis}核对）", details
    )


@rule("C02.2")
def agency_registered_and_graded(context: RuleContext) -> RuleOutcome:
    p = context.project
    if p is None:
        return not_applicable(NO_PROJECT, {"reason": "no_project"})
    if not context.assessed_by_agency:
        return not_applicable("项目为自行评估，未委托第三方机构，本项不适用", {"assessor_kind": "self"})
    agency_id = context.agency_id
    details: dict[str, Any] = {"field": "assessor.agency_id", "agency_id": agency_id}
    if agency_id is None:
        return failed("委托第三方机构评估但未载明机构ID，无法在机构库中核验", details)
    a = context.agency
    if a is None:
        return failed(f"机构库中未找到评估机构（ID {agency_id}）", details)
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
            "grade_valid_until": iso(a.grade_valid_until),
            "submitted_on": iso(context.submitted_on),
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
        elif a.grade_valid_until < context.submitted_on:
            problems.append(
                f"机构{a.grade}级等级有效期至 {iso(a.grade_valid_until)}，报送日期 {iso(context.submitted_on)} 已过期"
            )
        max_level = (
            context.config.agency_grade_max_level.get(AgencyGrade(a.grade))
            if a.grade in AgencyGrade._value2member_map_
            else None
        )
        details["grade_max_level"] = max_level.value if max_level else None
        if level is not None:
            if max_level is None:
                problems.append(f"机构等级「{a.grade}」未配置可承接的项目级别")
            elif PROJECT_LEVEL_RANK[level] > PROJECT_LEVEL_RANK[max_level]:
                problems.append(f"{a.grade}级机构仅可承接{label(max_level)}及以下项目，本项目为{label(level)}项目")
    if not a.eligible:
        reasons = "；".join(a.reasons) if a.reasons else "未说明原因"
        problems.append(f"机构库资格核验未通过：{reasons}")
    if problems or level is None:  # an invalid region code (no level) is among the problems
        return failed(f"评估机构{quoted(a.name, 40)}：" + joined(problems), details)
    return passed(
        f"评估机构{quoted(a.name, 40)}状态正常，{a.grade}级，有效期至 {iso(a.grade_valid_until)}（不早于报送日期 {iso(context.submitted_on)}），可承接{label(level)}项目",
        details,
    )


def _agency_status(status: str) -> str:
    return {"active": "正常", "suspended": "暂停", "blacklisted": "列入黑名单"}.get(status, status)


@rule("C02.3")
def team_has_registry_experts(context: RuleContext) -> RuleOutcome:
    ids = context.team_expert_ids
    experts = context.registry_experts
    found = [experts[i] for i in ids if i in experts]
    missing = [i for i in ids if i not in experts]
    ov = context.report.overview
    wanted = matching_expert_fields(context.category, ov.sub_kind if ov is not None else None, context.interests)
    matched = [e for e in found if wanted.intersection(e.fields)]
    minimum = context.config.team_min_registry_experts
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
            "评估组专家领域（"
            + fields
            + "）均不属于与事项相关的领域（"
            + "、".join(label_of_field(f) for f in sorted(wanted))
            + "）"
        )
    if problems:
        return failed(joined(problems + ([note] if note else [])), details)
    text = (
        f"评估组中专家库专家 {len(found)} 名（不少于 {minimum} 名），其中"
        + "、".join(f"{e.name}（{'、'.join(label_of_field(f) for f in e.fields if f in wanted)}）" for e in matched)
        + "属于相关领域"
    )
    return passed(text + (f"；{note}" if note else ""), details)


def label_of_field(value: str) -> str:
    return label_of(ExpertField, value)


@rule("C02.4")
def assessors_independent(context: RuleContext) -> RuleOutcome:
    r, p = context.report, context.project
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
    by_name = {text_of(name): role for role, _, name in parties if not is_blank(name)}

    def conflict(org_id: str | None, name: str | None) -> str | None:
        if org_id and org_id in by_id:
            return by_id[org_id][0]
        if not is_blank(name) and text_of(name) in by_name:
            return by_name[text_of(name)]
        return None

    problems: list[str] = []
    experts = context.registry_experts
    checked = 0
    for eid in context.team_expert_ids:
        e = experts.get(eid)
        if e is None:
            problems.append(f"专家库中未找到专家（ID {eid}），无法核实其回避情况")
            continue
        checked += 1
        role = conflict(e.employer_org_id, e.employer_name)
        if role:
            problems.append(f"专家{e.name}的工作单位{quoted(e.employer_name, 40)}为本事项{role}，应当回避")
    agency_note = ""
    if context.assessed_by_agency:
        a = context.agency
        if a is not None:
            role = conflict(a.org_id, a.name)
            if role:
                problems.append(f"评估机构{quoted(a.name, 40)}隶属于本事项{role}，应当回避")
            agency_note = f"及评估机构{quoted(a.name, 40)}"
        elif context.agency_id is not None:
            problems.append(f"机构库中未找到评估机构（ID {context.agency_id}），无法核实其独立性")
        else:
            name = r.assessor.name if r.assessor is not None else (ff.assessor if ff else None)
            role = conflict(None, name)
            if role:
                problems.append(f"评估机构{quoted(name, 40)}为本事项{role}，应当回避")
            agency_note = f"及评估机构{quoted(name, 40)}" if name else ""
    details = {
        "field": "assessment_team/assessor",
        "experts_checked": checked,
        "avoid_org_ids": sorted(by_id),
        "avoid_org_names": sorted(by_name),
    }
    if problems:
        return failed(joined(problems), details)
    parties_text = "、".join(f"{role}{quoted(name, 30)}" for name, role in by_name.items()) or "决策主体及实施单位"
    return passed(f"评估组 {checked} 名专家{agency_note}均不属于{parties_text}", details)
