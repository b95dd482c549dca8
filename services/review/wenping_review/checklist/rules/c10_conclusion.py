"""C10 评估结论: a stated conclusion, a recommendation fitting the level, signature and attachments."""

from __future__ import annotations

from wenping_shared.contracts.vocab import AttachmentKind, label

from .context import RuleContext
from .evidence import is_blank, overall_level_text, text_of
from .outcome import RuleOutcome, failed, failed_on, not_applicable, passed, rule


@rule("C10.1")
def conclusion_stated(context: RuleContext) -> RuleOutcome:
    c = context.report.conclusion
    if c is None:
        return failed("报告缺少评估结论", {"field": "conclusion"})
    missing = [
        lbl
        for lbl, v in (
            ("初始综合风险等级", c.initial_level),
            ("措施后综合风险等级", c.residual_level),
            ("评估建议", c.recommendation),
            ("结论正文", c.text),
        )
        if is_blank(v)
    ]
    details = {"field": "conclusion", "missing": missing}
    if missing or c.recommendation is None:  # a missing recommendation is among `missing`
        return failed("评估结论未载明" + "、".join(missing), details)
    return passed(
        f"结论载明初始综合风险等级{overall_level_text(c.initial_level)}、措施后{overall_level_text(c.residual_level)}，建议「{label(c.recommendation)}」",
        details,
    )


@rule("C10.2")
def recommendation_fits_level(context: RuleContext) -> RuleOutcome:
    level = context.residual_level
    rec = context.report.conclusion.recommendation if context.report.conclusion is not None else None
    if level is None or rec is None:
        return not_applicable(
            "结论未载明措施后综合风险等级或评估建议（见C10.1）", {"field": "conclusion.recommendation"}
        )
    allowed = context.scheme.recommendation_fit[level]
    allowed_text = "或".join(label(x) for x in allowed)
    details = {
        "field": "conclusion.recommendation",
        "level": level.value,
        "recommendation": rec.value,
        "allowed": [x.value for x in allowed],
    }
    if rec not in allowed:
        return failed(
            f"措施后综合风险等级为{overall_level_text(level)}，建议「{label(rec)}」不符（{overall_level_text(level)}风险应{allowed_text}）",
            details,
        )
    return passed(
        f"措施后综合风险等级为{overall_level_text(level)}，建议「{label(rec)}」符合（{overall_level_text(level)}风险可{allowed_text}）",
        details,
    )


_REQUIRED_ATTACHMENTS = (
    AttachmentKind.expert_opinions,
    AttachmentKind.survey_summary,
    AttachmentKind.public_notice_evidence,
    AttachmentKind.meeting_minutes,
)


@rule("C10.3")
def signed_with_attachments(context: RuleContext) -> RuleOutcome:
    r = context.report
    problems = []
    signer = text_of(r.sign_off.signed_by if r.sign_off is not None else None)
    if not signer:
        problems.append("评估主体未签署报告")
    kinds = {a.kind for a in r.attachments}
    missing = [k for k in _REQUIRED_ATTACHMENTS if k not in kinds]
    if missing:
        problems.append("缺少附件：" + "、".join(label(k) for k in missing))
    details = {"field": "sign_off/attachments", "missing_attachments": [k.value for k in missing]}
    return failed_on(problems, details) or passed(
        f"报告已由{signer}签署；专家意见、调查汇总、公示材料、会议纪要等附件齐全", details
    )
