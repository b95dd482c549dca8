"""C08 风险估计与等级: probabilities and impacts estimated, factor and overall levels computed by
the region's grading scheme (R = P×I), residual levels, and the public's support."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from wenping_shared.contracts.report import RiskFactor
from wenping_shared.contracts.vocab import ConsultationGroup, FactorLevel, OverallLevel, label

from ..grading import FACTOR_RANK, risk_degree, to_decimal
from .context import RuleContext
from .evidence import decimal_text, factor_level_text, overall_level_text, plain, risk_name
from .outcome import RuleOutcome, failed, failed_on, no_suggestion, not_applicable, passed, rule


@rule("C08.1")
def factors_estimated(context: RuleContext) -> RuleOutcome:
    risks = context.report.risks
    if not risks:
        return not_applicable("未识别风险因素（见C07.1）", {"field": "risks"})
    problems = []
    for i, r in enumerate(risks):
        lacks = [n for n, v in (("发生概率", r.probability), ("影响程度", r.impact)) if v is None]
        if lacks:
            problems.append(f"{risk_name(i, r)}未估计" + "和".join(lacks))
    details = {"field": "risks.probability/impact", "without_estimate": len(problems)}
    return failed_on(problems, details) or passed(f"{len(risks)} 项风险因素均已估计发生概率和影响程度（0~1）", details)


def risk_degree_text(p: float, i: float) -> str:
    # Read in the feedback letter by people, not engineers: words, not P×I=R.
    return f"发生概率 {p}、影响程度 {i}，风险程度为 {decimal_text(risk_degree(p, i))}"


@rule("C08.2")
def factor_levels_correct(context: RuleContext) -> RuleOutcome:
    scheme = context.scheme
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    checked = 0
    for i, r in enumerate(context.report.risks):
        if r.probability is None or r.impact is None:
            continue  # C08.1's defect
        checked += 1
        computed = scheme.factor_level(r.probability, r.impact)
        if r.level != computed:
            problems.append(
                f"{risk_name(i, r)}：{risk_degree_text(r.probability, r.impact)}，应为{factor_level_text(computed)}（{scheme.band_text(computed)}），报告判定为{factor_level_text(r.level)}"
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
        return not_applicable("无已估计概率和影响的风险因素（见C08.1）", details)
    return failed_on(problems, details) or passed(
        f"{checked} 项风险因素的风险等级均与发生概率乘以影响程度、按本地区判定标准得出的等级一致", details
    )


def _count_text(levels: Iterable[FactorLevel]) -> str:
    counts: dict[FactorLevel, int] = {}
    for lv in levels:
        counts[lv] = counts.get(lv, 0) + 1
    order = sorted(counts, key=lambda x: -FACTOR_RANK[x])
    return "、".join(f"{label(lv)}{counts[lv]}项" for lv in order) or "无"


def _overall(context: RuleContext, risks: list[RiskFactor], residual: bool) -> tuple[OverallLevel, str, dict[str, Any]]:
    """Overall level computed by the region's scheme: from stated factor levels (stacking) or
    from the weighted R of the stated P and I (index)."""
    scheme = context.scheme
    if scheme.method == "stacking":
        levels = [lv for lv in ((r.residual_level if residual else r.level) for r in risks) if lv is not None]
        computed = scheme.overall_by_stacking(levels)
        return (
            computed,
            f"单因素等级{_count_text(levels)}，按叠加法综合等级为{overall_level_text(computed)}",
            {"method": "stacking"},
        )
    pairs: list[tuple[Decimal, Decimal | None]] = []
    for r in risks:
        p, i = (r.residual_probability, r.residual_impact) if residual else (r.probability, r.impact)
        if p is not None and i is not None:
            pairs.append((risk_degree(p, i), to_decimal(r.weight) if r.weight is not None else None))
    index = scheme.overall_index(pairs)
    computed = scheme.overall_by_index(index)
    return (
        computed,
        f"综合指数 {decimal_text(index.quantize(Decimal('0.0001')))}，按指数法综合等级为{overall_level_text(computed)}",
        {"method": "index", "index": float(index)},
    )


@rule("C08.3")
def initial_level_correct(context: RuleContext) -> RuleOutcome:
    stated = context.initial_level
    if stated is None:
        return not_applicable("评估结论未载明初始综合风险等级（见C10.1）", {"field": "conclusion.initial_level"})
    computed, how, extra = _overall(context, context.report.risks, residual=False)
    details = {"field": "conclusion.initial_level", "stated": stated.value, "computed": computed.value, **extra}
    if stated != computed:
        return failed(f"{how}，报告判定为{overall_level_text(stated)}", details)
    return passed(f"{how}，与报告判定一致", details)


@rule("C08.4")
def residual_levels_assessed(context: RuleContext) -> RuleOutcome:
    risks = context.report.risks
    if not risks:
        return not_applicable("未识别风险因素（见C07.1）", {"field": "risks"})
    scheme = context.scheme
    problems: list[str] = []
    for i, r in enumerate(risks):
        name = risk_name(i, r)
        if r.residual_probability is None or r.residual_impact is None:
            problems.append(f"{name}未估计落实措施后的发生概率和影响程度")
        else:
            computed = scheme.factor_level(r.residual_probability, r.residual_impact)
            if r.residual_level is None:
                problems.append(
                    f"{name}未载明措施后风险程度（{risk_degree_text(r.residual_probability, r.residual_impact)}，应为{factor_level_text(computed)}）"
                )
            elif r.residual_level != computed:
                problems.append(
                    f"{name}措施后 {risk_degree_text(r.residual_probability, r.residual_impact)}，应为{factor_level_text(computed)}，报告判定为{factor_level_text(r.residual_level)}"
                )
        if (
            r.residual_level is not None
            and r.level is not None
            and FACTOR_RANK[r.residual_level] > FACTOR_RANK[r.level]
        ):
            problems.append(
                f"{name}措施后风险程度（{factor_level_text(r.residual_level)}）高于措施前（{factor_level_text(r.level)}）"
            )
    stated = context.residual_level
    details: dict[str, Any] = {"field": "risks.residual_*/conclusion.residual_level", "stated": stated}
    tail = ""
    if stated is not None:
        overall, how, extra = _overall(context, risks, residual=True)
        details.update({"computed": overall.value, **extra})
        if stated != overall:
            problems.append(f"措施后{how}，报告结论判定为{overall_level_text(stated)}")
        else:
            tail = f"；措施后{how}，与报告结论一致"
    else:
        tail = "；结论未载明措施后综合风险等级（见C10.1）"
    details = plain(details)
    return failed_on(problems, details) or passed(
        f"{len(risks)} 项风险因素均已评估措施后风险程度且判定正确、不高于措施前{tail}", details
    )


@rule("C08.5")
def level_matches_public_response(context: RuleContext) -> RuleOutcome:
    rated = [
        (to_decimal(c.support_rate), Decimal(c.participants or 0))
        for c in context.report.consultations
        if c.group == ConsultationGroup.stakeholders and c.support_rate is not None
    ]
    level = context.residual_level
    details: dict[str, Any] = {"field": "consultations.support_rate", "level": level}
    if not rated:
        return no_suggestion("涉利益群体意见征求未载明支持率，无法给出建议", plain(details))
    if level is None:
        return no_suggestion("结论未载明措施后综合风险等级，无法给出建议（见C10.1）", plain(details))
    total = sum((w for _, w in rated), Decimal(0))
    if total > 0:
        support = sum((rate * w for rate, w in rated), Decimal(0)) / total
        how = "按参与人数加权"
    else:
        support = sum((rate for rate, _ in rated), Decimal(0)) / len(rated)
        how = "简单平均"
    low, high = context.config.support_low_threshold, context.config.support_high_threshold
    pct = f"{decimal_text((support * 100).quantize(Decimal('0.1')))}%"
    details.update({"support": float(support), "low_threshold": float(low), "high_threshold": float(high)})
    details = plain(details)
    if level == OverallLevel.low and support < low:
        return failed(
            f"涉利益群体支持率 {pct}（{how}）低于 {decimal_text(low * 100)}%，但综合风险等级（措施后）为低，请研判是否低估",
            details,
        )
    if level == OverallLevel.high and support > high:
        return failed(
            f"涉利益群体支持率 {pct}（{how}）高于 {decimal_text(high * 100)}%，但综合风险等级（措施后）为高，请研判是否高估",
            details,
        )
    return passed(
        f"涉利益群体支持率 {pct}（{how}），综合风险等级（措施后）为{overall_level_text(level)}，未见明显不符", details
    )
