"""C03 事项概况: the overview states the matter, who it affects, the interests at stake and the
prior approvals."""

from __future__ import annotations

from wenping_shared.contracts.vocab import Interest, PriorApprovalKind, ProjectCategory, label

from .context import RuleContext
from .evidence import is_blank, joined
from .outcome import RuleOutcome, failed, failed_on, not_applicable, passed, rule

_OVERVIEW_TEXT = (
    ("background", "事项背景"),
    ("content", "主要内容"),
    ("scale", "规模"),
    ("location", "地点"),
    ("schedule", "实施计划"),
)


@rule("C03.1")
def overview_stated(context: RuleContext) -> RuleOutcome:
    ov = context.report.overview
    minimum = context.config.overview_min_length
    if ov is None:
        return failed("报告缺少事项概况", {"field": "overview", "threshold": minimum})
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
    return failed_on(problems, details) or passed(
        f"事项背景、主要内容、规模、地点、实施计划均已载明且不少于 {minimum} 字", details
    )


@rule("C03.2")
def affected_groups_stated(context: RuleContext) -> RuleOutcome:
    ov = context.report.overview
    if ov is None:
        return failed("报告缺少事项概况", {"field": "overview"})
    problems: list[str] = []
    if is_blank(ov.affected_area):
        problems.append("未描述影响范围")
    if ov.affected_population is None:
        problems.append("未载明涉及人数")
    elif ov.affected_population <= 0:
        problems.append(f"涉及人数为 {ov.affected_population}，应为正数")
    groups = [g.strip() for g in ov.stakeholder_groups if not is_blank(g)]
    if not groups:
        problems.append("未列明利益相关群体")
    details = {"field": "overview", "affected_population": ov.affected_population, "stakeholder_groups": groups}
    return failed_on(problems, details) or passed(
        f"影响范围已描述，涉及 {ov.affected_population} 人，利益相关群体：{'、'.join(groups)}", details
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


@rule("C03.3")
def interests_explained(context: RuleContext) -> RuleOutcome:
    ov = context.report.overview
    if ov is None:
        return failed("报告缺少事项概况", {"field": "overview"})
    if not ov.interests:
        return not_applicable("事项概况未列明涉及的群众切身利益", {"field": "overview.interests"})
    text = "".join(
        t
        for t in (
            ov.background,
            ov.content,
            ov.scale,
            ov.location,
            ov.schedule,
            ov.affected_area,
            ov.interests_description,
            *ov.stakeholder_groups,
        )
        if t
    )
    missing = [i for i in ov.interests if not any(k in text for k in _INTEREST_KEYWORDS.get(i, (label(i),)))]
    details = {
        "field": "overview",
        "interests": [str(i) for i in ov.interests],
        "not_discussed": [str(i) for i in missing],
    }
    if missing:
        return failed("事项概况未说明涉及的" + "、".join(label(i) for i in missing) + "等群众切身利益内容", details)
    return passed("事项概况对涉及的" + "、".join(label(i) for i in ov.interests) + "等利益均有说明", details)


_APPROVALS = (
    PriorApprovalKind.project_approval,
    PriorApprovalKind.planning,
    PriorApprovalKind.land_use,
    PriorApprovalKind.environmental_assessment,
)


@rule("C03.4")
def prior_approvals_stated(context: RuleContext) -> RuleOutcome:
    cat = context.category
    if cat != ProjectCategory.project:
        shown = label(cat) if cat is not None else "未载明"
        return not_applicable(f"事项类别为「{shown}」，前期审批手续仅对重大工程项目审查", {"category": cat})
    ov = context.report.overview
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
        return failed(joined(problems), details)
    status = "，".join(f"{label(k)}{label(s)}" for k in _APPROVALS if (s := listed[k].status) is not None)
    return passed(f"前期手续：{status}", details)
