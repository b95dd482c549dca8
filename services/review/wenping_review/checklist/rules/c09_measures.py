"""C09 防范化解措施: a measure for every risk, owned and dated, specific, an emergency plan for
higher risks, and monitoring."""

from __future__ import annotations

from wenping_shared.contracts.vocab import FactorLevel, OverallLevel

from .context import RuleContext
from .evidence import factor_level_text, is_blank, iso, overall_level_text, quoted, risk_name, without_spaces
from .outcome import RuleOutcome, failed, failed_on, not_applicable, passed, rule

_MODERATE_UP = (FactorLevel.moderate, FactorLevel.significant, FactorLevel.major)


@rule("C09.1")
def every_risk_has_measure(context: RuleContext) -> RuleOutcome:
    due = [(i, r) for i, r in enumerate(context.report.risks) if r.level in _MODERATE_UP]
    if not due:
        return not_applicable("无初始风险程度为一般及以上的风险因素", {"field": "measures.items.risk_ids"})
    measured = context.measured_risks
    lacking = [(i, r) for i, r in due if not r.id or r.id not in measured]
    details = {"field": "measures.items.risk_ids", "risks_due": len(due), "without_measure": [r.id for _, r in lacking]}
    if lacking:
        return failed(
            "以下风险无对应防范化解措施："
            + "、".join(
                f"{risk_name(i, r)}（{factor_level_text(r.level)}）" + ("（未编号，无法对应）" if not r.id else "")
                for i, r in lacking
            ),
            details,
        )
    return passed(f"初始风险程度为一般及以上的 {len(due)} 项风险均有对应措施", details)


@rule("C09.2")
def measures_owned_and_dated(context: RuleContext) -> RuleOutcome:
    items = context.measure_items
    if not items:
        return not_applicable("未制定防范化解措施（见C09.1）", {"field": "measures.items"})
    problems = []
    for n, m in enumerate(items, 1):
        name = f"第{n}项措施{quoted(m.content, 15)}"
        if is_blank(m.responsible_unit):
            problems.append(f"{name}未明确责任单位")
        if m.deadline is None:
            problems.append(f"{name}未明确完成时限")
        elif not m.deadline > context.submitted_on:
            problems.append(f"{name}完成时限 {iso(m.deadline)} 不晚于报送日期 {iso(context.submitted_on)}")
    details = {"field": "measures.items", "measures": len(items), "submitted_on": iso(context.submitted_on)}
    return failed_on(problems, details) or passed(
        f"{len(items)} 项措施均明确责任单位，完成时限均晚于报送日期 {iso(context.submitted_on)}", details
    )


@rule("C09.3")
def measures_specific(context: RuleContext) -> RuleOutcome:
    items = context.measure_items
    if not items:
        return not_applicable("未制定防范化解措施（见C09.1）", {"field": "measures.items"})
    minimum = context.config.measure_min_length
    flags = []
    first: dict[str, tuple[int, frozenset[str]]] = {}
    for n, m in enumerate(items, 1):
        text = without_spaces(m.content)
        if len(text) < minimum:
            flags.append(f"第{n}项措施仅 {len(text)} 字，少于 {minimum} 字")
        if text:
            risks = frozenset(m.risk_ids)
            if text in first and first[text][1] != risks:
                flags.append(f"第{n}项措施与第{first[text][0]}项措施针对不同风险但内容完全相同")
            first.setdefault(text, (n, risks))
    details = {"field": "measures.items.content", "threshold": minimum}
    return failed_on(flags, details) or passed(
        f"{len(items)} 项措施均不少于 {minimum} 字，且未见对不同风险照搬同一措施", details
    )


@rule("C09.4")
def emergency_plan_for_higher_risk(context: RuleContext) -> RuleOutcome:
    level = context.initial_level
    if level is None:
        return not_applicable("结论未载明初始综合风险等级（见C10.1）", {"field": "measures.emergency_plan"})
    if level == OverallLevel.low:
        return not_applicable(
            "初始综合风险等级为低，无需应急预案", {"field": "measures.emergency_plan", "level": "low"}
        )
    ms = context.report.measures
    plan = ms.emergency_plan if ms is not None else None
    details = {"field": "measures.emergency_plan", "level": level.value}
    if plan is None:
        return failed(f"初始综合风险等级为{overall_level_text(level)}，但未制定应急预案", details)
    if is_blank(plan.summary):
        return failed(f"初始综合风险等级为{overall_level_text(level)}，应急预案缺少要点内容", details)
    return passed(
        f"初始综合风险等级为{overall_level_text(level)}，已制定应急预案{quoted(plan.title or plan.summary, 40)}",
        details,
    )


@rule("C09.5")
def monitoring_assigned(context: RuleContext) -> RuleOutcome:
    ms = context.report.measures
    mon = ms.monitoring if ms is not None else None
    if mon is None:
        return failed("未明确风险监测和跟踪安排", {"field": "measures.monitoring"})
    problems = []
    if is_blank(mon.responsible_unit):
        problems.append("风险监测未明确责任单位")
    if is_blank(mon.frequency):
        problems.append("风险监测未明确频次")
    details = {"field": "measures.monitoring", "responsible_unit": mon.responsible_unit, "frequency": mon.frequency}
    return failed_on(problems, details) or passed(
        f"风险监测由{quoted(mon.responsible_unit, 30)}负责，频次{quoted(mon.frequency, 30)}", details
    )
