"""C01 报备表规范性: the filing form is complete, filed before the decision, consistent with the
report, signed and sealed."""

from __future__ import annotations

from typing import Any

from wenping_shared.contracts.vocab import label

from .context import RuleContext
from .evidence import NO_PROJECT, is_blank, iso, overall_level_text, plain, quoted, text_of
from .outcome import RuleOutcome, failed, failed_on, not_applicable, passed, rule

_FILING_REQUIRED = (
    ("project_name", "事项名称"),
    ("decision_body", "决策主体"),
    ("assessor", "评估主体"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("planned_decision_date", "计划决策日期"),
    ("category", "事项类别"),
)


@rule("C01.1")
def filing_form_complete(context: RuleContext) -> RuleOutcome:
    ff = context.report.filing_form
    if ff is None:
        return failed("报告未附报备表", {"field": "filing_form", "missing": [f for f, _ in _FILING_REQUIRED]})
    missing = [(f, lbl) for f, lbl in _FILING_REQUIRED if is_blank(getattr(ff, f))]
    if missing:
        return failed(
            "报备表缺少：" + "、".join(lbl for _, lbl in missing),
            {"field": "filing_form", "missing": [f for f, _ in missing]},
        )
    return passed(
        "报备表事项名称、决策主体、评估主体、联系人及电话、计划决策日期、事项类别均已填写",
        {"field": "filing_form", "missing": []},
    )


@rule("C01.2")
def assessed_before_decision(context: RuleContext) -> RuleOutcome:
    p = context.project
    if p is None:
        return not_applicable(NO_PROJECT, {"reason": "no_project"})
    details: dict[str, Any] = {
        "field": "project.planned_decision_date",
        "submitted_on": iso(context.submitted_on),
        "planned_decision_date": iso(p.planned_decision_date),
        "already_implemented": p.already_implemented,
    }
    problems: list[str] = []
    if p.planned_decision_date is None:
        problems.append("项目未载明计划决策日期，无法确认评估在决策前完成")
    elif not context.submitted_on < p.planned_decision_date:
        problems.append(
            f"报告报送日期 {iso(context.submitted_on)} 不早于项目计划决策日期 {iso(p.planned_decision_date)}"
        )
    if p.already_implemented:
        problems.append("项目已标记为已实施（先实施后评估）")
    return failed_on(problems, details) or passed(
        f"报告报送日期 {iso(context.submitted_on)} 早于项目计划决策日期 {iso(p.planned_decision_date)}，项目尚未实施",
        details,
    )


@rule("C01.3")
def filing_form_matches_report(context: RuleContext) -> RuleOutcome:
    ff, r = context.report.filing_form, context.report
    if ff is None:
        return failed("报告未附报备表，无法核对报备表与报告的一致性", {"field": "filing_form"})
    problems: list[str] = []
    mismatches: list[dict[str, Any]] = []
    # A blank filing-form name or category is C01.1's defect; a missing conclusion level is
    # C10.1's. What no other item requires is reported here.
    if not is_blank(ff.project_name):
        if is_blank(r.project_name):
            problems.append("报告未载明事项名称")
            mismatches.append({"field": "project_name", "filing_form": ff.project_name, "report": None})
        elif text_of(ff.project_name) != text_of(r.project_name):
            problems.append(
                f"事项名称不一致：报备表为{quoted(ff.project_name, 60)}，报告为{quoted(r.project_name, 60)}"
            )
            mismatches.append({"field": "project_name", "filing_form": ff.project_name, "report": r.project_name})
    ov_cat = r.overview.category if r.overview is not None else None
    if ff.category is not None and ov_cat != ff.category:
        if ov_cat is None:
            problems.append("报告事项概况未载明事项类别")
        else:
            problems.append(f"事项类别不一致：报备表为「{label(ff.category)}」，报告概况为「{label(ov_cat)}」")
        mismatches.append({"field": "category", "filing_form": ff.category, "report": ov_cat})
    residual = context.residual_level
    if ff.risk_level is None:
        problems.append("报备表未填写风险等级")
        mismatches.append({"field": "risk_level", "filing_form": None, "report": residual})
    elif residual is not None and residual != ff.risk_level:
        problems.append(
            f"风险等级不一致：报备表为「{overall_level_text(ff.risk_level)}」，报告结论（措施后）为「{overall_level_text(residual)}」"
        )
        mismatches.append({"field": "risk_level", "filing_form": ff.risk_level, "report": residual})
    details = {"field": "filing_form", "mismatches": [plain(m) for m in mismatches]}
    return failed_on(problems, details) or passed("报备表事项名称、类别、风险等级与报告一致", details)


@rule("C01.4")
def filing_form_signed_and_sealed(context: RuleContext) -> RuleOutcome:
    ff = context.report.filing_form
    if ff is None:
        return failed("报告未附报备表", {"field": "filing_form"})
    problems = []
    if is_blank(ff.signed_by):
        problems.append("报备表未经责任主体负责人签署（signed_by 为空）")
    if ff.sealed is not True:
        problems.append("报备表未加盖公章（sealed 不为 true）")
    details = {"field": "filing_form.signed_by/sealed", "signed_by": ff.signed_by, "sealed": ff.sealed}
    return failed_on(problems, details) or passed(f"报备表已由{text_of(ff.signed_by)}签署并加盖公章", details)
