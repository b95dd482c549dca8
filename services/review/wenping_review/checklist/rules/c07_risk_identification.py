"""C07 风险识别: the four dimensions, concerns turned into risks, key risks, specific sources."""

from __future__ import annotations

from wenping_shared.contracts.vocab import RiskDimension, label, required_risk_kinds

from .context import RuleContext
from .evidence import REVIEWER_DECIDES, is_blank, joined, quoted, risk_name, without_spaces
from .outcome import RuleOutcome, failed, failed_on, no_suggestion, not_applicable, passed, rule

_FOUR_DIMENSIONS = (
    RiskDimension.legality,
    RiskDimension.rationality,
    RiskDimension.feasibility,
    RiskDimension.controllability,
)


@rule("C07.1")
def four_dimensions_covered(context: RuleContext) -> RuleOutcome:
    risks = context.report.risks
    covered = {r.dimension for r in risks if r.dimension is not None}
    missing = [d for d in _FOUR_DIMENSIONS if d not in covered]
    details = {"field": "risks.dimension", "missing": [d.value for d in missing]}
    if not risks:
        return failed("未识别任何风险因素", details)
    if missing:
        return failed("风险识别未覆盖" + "、".join(label(d) for d in missing) + "维度", details)
    return passed(f"{len(risks)} 项风险因素覆盖合法性、合理性、可行性、可控性四个维度", details)


@rule("C07.2")
def concerns_become_risks(context: RuleContext) -> RuleOutcome:
    concerns = context.concerns
    if not concerns:
        return not_applicable("意见征求中未记录群众反映的问题，无需与风险因素对应", {"field": "consultations.concerns"})
    answered = context.answered_concerns
    without_id = [k for k in concerns if is_blank(k.id)]
    unanswered = [k for k in concerns if not is_blank(k.id) and k.id not in answered]
    problems = []
    if unanswered:
        problems.append("以下意见未纳入任何风险因素：" + "、".join(f"{k.id}{quoted(k.text, 20)}" for k in unanswered))
    if without_id:
        problems.append("以下意见未编号，无法与风险因素对应：" + "、".join(quoted(k.text, 20) for k in without_id))
    details = {
        "field": "risks.related_concerns",
        "concerns": len(concerns),
        "unanswered": [k.id for k in unanswered],
        "without_id": len(without_id),
    }
    return failed_on(problems, details) or passed(f"{len(concerns)} 条群众意见均已对应到风险因素", details)


@rule("C07.3")
def key_risks_identified(context: RuleContext) -> RuleOutcome:
    ov = context.report.overview
    required = required_risk_kinds(
        context.category,
        context.interests,
        ov.expected_participants if ov is not None else None,
        context.config.event_crowd_threshold,
    )
    if not required:
        return not_applicable("事项涉及的利益无对应的重点风险类型", {"field": "risks.kind", "required": []})
    present = {r.kind for r in context.report.risks if r.kind is not None}
    missing = [k for k in required if k not in present]
    details = {"field": "risks.kind", "required": [k.value for k in required], "missing": [k.value for k in missing]}
    if missing:
        return failed(joined(f"{'、'.join(required[k])}，但未识别「{label(k)}」类风险" for k in missing), details)
    return passed(joined(f"{'、'.join(why)}，已识别「{label(k)}」类风险" for k, why in required.items()), details)


@rule("C07.4")
def risk_sources_specific(context: RuleContext) -> RuleOutcome:
    risks = context.report.risks
    if not risks:
        return not_applicable("未识别风险因素（见C07.1）", {"field": "risks.source"})
    minimum = context.config.risk_source_min_length
    seen: dict[str, int] = {}
    flags: list[str] = []
    for i, r in enumerate(risks):
        src = without_spaces(r.source)
        if not src:
            flags.append(f"{risk_name(i, r)}未描述风险源")
        elif len(src) < minimum:
            flags.append(f"{risk_name(i, r)}风险源仅 {len(src)} 字，少于 {minimum} 字")
        if src:
            if src in seen:
                flags.append(f"{risk_name(i, r)}风险源与{risk_name(seen[src], risks[seen[src]])}完全相同")
            else:
                seen[src] = i
    details = {"field": "risks.source", "threshold": minimum}
    return failed_on(flags, details) or passed(f"{len(risks)} 项风险源描述均不少于 {minimum} 字且互不重复", details)


@rule("C07.5")
def stakeholder_claims_analysed(context: RuleContext) -> RuleOutcome:
    """Whether the stakeholders' claims are reasonable is a judgement the report's structure
    cannot settle: the checklist gives this item no rule, and the reviewer decides unaided."""
    return no_suggestion(REVIEWER_DECIDES, {})
