"""C05 评估程序: plan, public notice, ordered steps, expert meeting and a long enough period."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import Any

from wenping_shared.contracts.vocab import ProcedureStep, label

from .context import RuleContext
from .evidence import days_inclusive, is_blank, iso, joined, plain
from .outcome import RuleOutcome, failed, failed_on, not_applicable, passed, rule


@rule("C05.1")
def plan_made(context: RuleContext) -> RuleOutcome:
    proc = context.report.procedure
    plan = proc.plan if proc is not None else None
    if plan is None:
        return failed("未制定评估方案", {"field": "procedure.plan"})
    problems = []
    if is_blank(plan.content):
        problems.append("评估方案未载明评估内容")
    if not any(not is_blank(m) for m in plan.methods):
        problems.append("评估方案未载明评估方法")
    if plan.time_limit is None:
        problems.append("评估方案未载明完成时限")
    details = {"field": "procedure.plan", "time_limit": iso(plan.time_limit), "methods": plan.methods}
    return failed_on(problems, details) or passed(
        f"评估方案载明评估内容、方法（{'、'.join(m for m in plan.methods if not is_blank(m))}）和完成时限 {iso(plan.time_limit)}",
        details,
    )


@rule("C05.2")
def publicly_noticed(context: RuleContext) -> RuleOutcome:
    proc = context.report.procedure
    pn = proc.public_notice if proc is not None else None
    minimum = context.config.notice_days
    if pn is None:
        return failed("未对评估事项进行公开公示", {"field": "procedure.public_notice", "threshold": minimum})
    details: dict[str, Any] = {
        "field": "procedure.public_notice",
        "start": iso(pn.start),
        "end": iso(pn.end),
        "threshold": minimum,
        "compilation_date": iso(context.compilation_date),
    }
    if pn.start is None or pn.end is None:
        return failed("公示起止日期未载明，无法核实公示期", details)
    days = days_inclusive(pn.start, pn.end)
    details["days"] = days
    problems = []
    if days < minimum:
        problems.append(f"公示期 {days} 天（{iso(pn.start)} 至 {iso(pn.end)}，含首尾），少于 {minimum} 天")
    channels = [c.strip() for c in pn.channels if not is_blank(c)]
    if not channels:
        problems.append("未载明公示渠道")
    comp = context.compilation_date
    if comp is not None and pn.end > comp:
        problems.append(f"公示结束日期 {iso(pn.end)} 晚于报告编制日期 {iso(comp)}")
    if problems:
        return failed(joined(problems), details)
    tail = (
        f"，于报告编制日期 {iso(comp)} 前结束"
        if comp is not None
        else "；报告编制日期未载明，未核对公示结束时间（见C05.3）"
    )
    return passed(
        f"公示期 {days} 天（{iso(pn.start)} 至 {iso(pn.end)}，含首尾），不少于 {minimum} 天；渠道：{'、'.join(channels)}{tail}",
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


@rule("C05.3")
def steps_complete_and_ordered(context: RuleContext) -> RuleOutcome:
    if context.report.procedure is None:
        return failed("报告缺少评估程序", {"field": "procedure"})
    # Plan and notice dates come from their own sections, whatever the steps list says.
    dates: dict[ProcedureStep, dt.date | None] = {}
    missing: list[str] = []
    undated: list[str] = []
    proc = context.report.procedure
    own_sections: dict[ProcedureStep, tuple[bool, dt.date | None]] = {
        ProcedureStep.plan: (proc.plan is not None, proc.plan.date if proc.plan else None),
        ProcedureStep.public_notice: (
            proc.public_notice is not None,
            proc.public_notice.start if proc.public_notice else None,
        ),
    }
    for step in _ORDER:
        done, date = own_sections.get(step, (step in context.step_dates, context.step_dates.get(step)))
        if not done:
            missing.append(label(step))
        elif date is None:
            undated.append(label(step))
        else:
            dates[step] = date
    problems = []
    if missing:
        problems.append("缺少工作步骤：" + "、".join(missing))
    if undated:
        problems.append("未载明日期的步骤：" + "、".join(undated))
    present = [(s, d) for s, d in ((s, dates.get(s)) for s in _ORDER) if d is not None]
    for (s1, d1), (s2, d2) in pairwise(present):
        if d1 > d2:
            problems.append(f"{label(s2)}（{iso(d2)}）早于{label(s1)}（{iso(d1)}），顺序颠倒")
    details = {
        "field": "procedure",
        "dates": {s.value: iso(d) for s, d in present},
        "missing": missing,
        "undated": undated,
    }
    if problems:
        return failed(joined(problems), details)
    chain = " → ".join(f"{label(s)} {iso(d)}" for s, d in present)
    return passed(f"步骤齐全且顺序正确：{chain}", details)


@rule("C05.4")
def expert_meeting_held(context: RuleContext) -> RuleOutcome:
    proc = context.report.procedure
    m = proc.expert_meeting if proc is not None else None
    minimum = context.config.expert_meeting_min_experts
    comp = context.compilation_date
    if m is None:
        extra = "（报告完成后的评审会不能替代论证会）" if proc is not None and proc.review_meeting else ""
        return failed(f"未组织专家论证会{extra}", {"field": "procedure.expert_meeting", "threshold": minimum})
    keys = {(e.expert_id or (e.name or "").strip()) for e in m.experts} - {""}
    details = {
        "field": "procedure.expert_meeting",
        "date": iso(m.date),
        "compilation_date": iso(comp),
        "experts": len(keys),
        "threshold": minimum,
    }
    problems = []
    if m.date is None:
        problems.append("专家论证会未载明日期")
    elif comp is not None and m.date > comp:
        problems.append(
            f"专家论证会日期 {iso(m.date)} 晚于报告编制日期 {iso(comp)}（报告完成后的评审会不能替代论证会）"
        )
    if is_blank(m.minutes):
        problems.append("专家论证会无会议纪要")
    if len(keys) < minimum:
        problems.append(f"参加论证的专家 {len(keys)} 名，少于 {minimum} 名")
    if problems:
        return failed(joined(problems), details)
    when = f"于报告编制日期 {iso(comp)} 前" if comp is not None else "（报告编制日期未载明，未核对先后，见C05.3）"
    return passed(
        f"{iso(m.date)} 召开专家论证会{when}，{len(keys)} 名专家参加（不少于 {minimum} 名），有会议纪要", details
    )


@rule("C05.5")
def period_long_enough(context: RuleContext) -> RuleOutcome:
    start, end = context.plan_date, context.compilation_date
    cat = context.category
    required = context.config.period_days_for(cat)
    details: dict[str, Any] = {
        "field": "procedure.plan.date/report_compilation",
        "plan_date": iso(start),
        "compilation_date": iso(end),
        "threshold": required,
        "category": cat,
    }
    if start is None or end is None:
        return not_applicable("缺少方案制定日期或报告编制日期，无法计算评估周期（见C05.3）", plain(details))
    days = days_inclusive(start, end)
    details["days"] = days
    cat_text = label(cat) if cat is not None else "类别未载明的事项"
    if days < required:
        return failed(
            f"评估周期 {days} 天（{iso(start)} 至 {iso(end)}，含首尾），少于{cat_text}要求的 {required} 天",
            plain(details),
        )
    return passed(
        f"评估周期 {days} 天（{iso(start)} 至 {iso(end)}，含首尾），不少于{cat_text}要求的 {required} 天",
        plain(details),
    )
