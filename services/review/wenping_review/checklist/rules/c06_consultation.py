"""C06 意见征求（五必听）: the five groups that must be heard, and a broad enough consultation."""

from __future__ import annotations

from wenping_shared.contracts.vocab import ConsultationGroup, ProjectCategory, label

from .context import RuleContext
from .evidence import is_blank, quoted
from .outcome import Rule, RuleOutcome, failed, failed_on, not_applicable, passed, rule


def _group_heard(context: RuleContext, group: ConsultationGroup) -> RuleOutcome:
    """One of the five groups that must be heard: consulted at least once, with at least the
    region's minimum of participants in total."""
    minimum = context.config.consultation_min_participants.get(group, 1)
    n, total = context.participants_by_group.get(group, (0, 0))
    details = {
        "field": "consultations",
        "group": group.value,
        "consultations": n,
        "participants": total,
        "threshold": minimum,
    }
    name = label(group)
    if n == 0:
        return failed(f"未征求{name}意见", details)
    if total < minimum:
        return failed(f"{name}意见征求 {n} 次，合计 {total} 人，少于 {minimum} 人", details)
    return passed(f"{name}意见征求 {n} 次，合计 {total} 人（不少于 {minimum} 人）", details)


def _must_be_heard(group: ConsultationGroup) -> Rule:
    def group_heard(context: RuleContext) -> RuleOutcome:
        return _group_heard(context, group)

    group_heard.__name__ = f"{group.value}_heard"
    return group_heard


rule("C06.1")(_must_be_heard(ConsultationGroup.stakeholders))
rule("C06.2")(_must_be_heard(ConsultationGroup.key_populations))
rule("C06.3")(_must_be_heard(ConsultationGroup.local_government))
rule("C06.5")(_must_be_heard(ConsultationGroup.experts))


@rule("C06.4")
def implementing_unit_heard(context: RuleContext) -> RuleOutcome:
    """A policy or reform names no implementing unit as a rule; then there is no one to hear."""
    ov = context.report.overview
    cat = context.category
    names_unit = ov is not None and (not is_blank(ov.implementing_unit) or ov.implementing_unit_org_id is not None)
    if cat in (ProjectCategory.policy, ProjectCategory.reform) and not names_unit:
        return not_applicable(f"事项为{label(cat)}，概况未载明实施单位，本项不适用", {"category": cat.value})
    return _group_heard(context, ConsultationGroup.implementing_unit)


def _sample_basis(pop: int, percent: int, minimum: int, required: int) -> str:
    """The required sample as a sentence a reader checks without a formula."""
    if required == pop and pop <= minimum:
        return f"涉及 {pop} 人，未超过最低样本 {minimum} 人，应全部听取"
    if required == minimum:
        return f"涉及 {pop} 人，按 {percent}% 抽样不足 {minimum} 人，应不少于最低样本 {minimum} 人"
    return f"涉及 {pop} 人，按 {percent}% 抽样应不少于 {required} 人"


@rule("C06.6")
def consultation_broad_enough(context: RuleContext) -> RuleOutcome:
    cfg = context.config
    ov = context.report.overview
    pop = ov.affected_population if ov is not None else None
    _, sample = context.participants_by_group.get(ConsultationGroup.stakeholders, (0, 0))
    problems: list[str] = []
    if pop is None:
        required = cfg.sample_minimum
        basis = f"涉及人数未载明，按最低样本 {required} 人核对"
    else:
        ceil = (cfg.sample_ratio_percent * pop + 99) // 100
        required = min(pop, max(cfg.sample_minimum, ceil))
        basis = _sample_basis(pop, cfg.sample_ratio_percent, cfg.sample_minimum, required)
    if sample < required:
        problems.append(f"涉利益群体样本 {sample} 人，少于 {required} 人（{basis}）")
    methods = sorted({c.method for c in context.report.consultations if c.method is not None})
    if len(methods) < cfg.min_consultation_methods:
        shown = "、".join(label(m) for m in methods) or "无"
        problems.append(f"征求意见方式 {len(methods)} 种（{shown}），少于 {cfg.min_consultation_methods} 种")
    unanswered = [k for k in context.concerns if is_blank(k.response)]
    if unanswered:
        problems.append(
            f"{len(unanswered)} 条意见未作书面回应："
            + "、".join((k.id or "") + quoted(k.text, 20) for k in unanswered[:5])
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
    return failed_on(problems, details) or passed(
        f"涉利益群体样本 {sample} 人（{basis}）；征求方式 {len(methods)} 种"
        f"（{'、'.join(label(m) for m in methods)}）；{len(context.concerns)} 条意见均有书面回应",
        details,
    )
