"""Every auto item of checklist v1: a passing, a failing and (where the rule allows) a
not_applicable case, each built from the complete sample report by one small change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from wenping_review.checklist import (
    DEFAULT_CONFIG,
    ItemOutcome,
    ProjectFacts,
    RegionReviewConfig,
    RegistryFacts,
    evaluate,
    load_checklist,
    region_config,
)
from wenping_shared.contracts import samples
from wenping_shared.contracts.report import Report

CHECKLIST = load_checklist("v1")
AUTO = [i.code for i in CHECKLIST.items if i.mode == "auto"]
MANUAL = [i.code for i in CHECKLIST.items if i.mode == "manual"]
SUBMITTED = samples.SUBMITTED_ON

_KEEP = object()


def _registry(mutate: Callable[[dict[str, Any]], None] | None = None) -> RegistryFacts:
    data = samples.sample_registry_facts()
    if mutate:
        mutate(data)
    return RegistryFacts.from_dict(data)


def run(
    mutate: Callable[[dict[str, Any]], None] | None = None,
    *,
    project: Any = _KEEP,
    registry: Any = _KEEP,
    config: RegionReviewConfig = DEFAULT_CONFIG,
    submitted_on: dt.date = SUBMITTED,
) -> dict[str, ItemOutcome]:
    data = samples.complete_report()
    if mutate:
        mutate(data)
    report = Report.model_validate(data)
    outcomes = evaluate(
        report,
        checklist=CHECKLIST,
        config=config,
        submitted_on=submitted_on,
        project=ProjectFacts.from_dict(samples.sample_project_facts()) if project is _KEEP else project,
        registry=_registry() if registry is _KEEP else registry,
    )
    return {o.code: o for o in outcomes}


def item(code: str, mutate: Callable[[dict[str, Any]], None] | None = None, **kw: Any) -> ItemOutcome:
    return run(mutate, **kw)[code]


def assert_item(o: ItemOutcome, result: str, *fragments: str) -> None:
    assert o.result == result, (o.code, o.result, o.evidence)
    for f in fragments:
        assert f in o.evidence, (o.code, f, o.evidence)


def project(**over: Any) -> ProjectFacts:
    return ProjectFacts.from_dict(samples.sample_project_facts(**over))


def by_id(items: list[dict[str, Any]], ident: str) -> dict[str, Any]:
    return next(x for x in items if x.get("id") == ident)


# --- the sample passes everything ---------------------------------------------------------


BASE = run()


@pytest.mark.parametrize("code", AUTO)
def test_sample_passes_every_auto_item(code: str) -> None:
    assert BASE[code].result == "pass", BASE[code].evidence
    assert BASE[code].evidence
    assert BASE[code].suggestion is None


@pytest.mark.parametrize("code", [c for c in MANUAL if c != "C07.5"])
def test_manual_items_are_pending_with_a_passing_suggestion(code: str) -> None:
    assert BASE[code].result == "pending"
    assert BASE[code].suggestion == "pass", BASE[code].evidence


def test_c07_5_has_no_rule_and_no_suggestion() -> None:
    assert BASE["C07.5"].result == "pending"
    assert BASE["C07.5"].suggestion is None


def test_outcomes_are_in_checklist_order_and_complete() -> None:
    assert list(BASE) == [i.code for i in CHECKLIST.items]
    assert len(BASE) == 45 and len(AUTO) == 38


# --- C01 filing form ------------------------------------------------------------------------


def test_c01_1_blank_phone_fails() -> None:
    o = item("C01.1", lambda r: r["filing_form"].update(contact_phone="  "))
    assert_item(o, "fail", "联系电话")
    assert o.details["missing"] == ["contact_phone"]


def test_c01_1_missing_filing_form_fails() -> None:
    assert_item(item("C01.1", lambda r: r.update(filing_form=None)), "fail", "未附报备表")


def test_c01_2_pass_evidence_names_dates() -> None:
    assert_item(BASE["C01.2"], "pass", "2026-04-24", "2026-06-30")


def test_c01_2_submission_on_decision_date_fails() -> None:
    o = item("C01.2", submitted_on=dt.date(2026, 6, 30))
    assert_item(o, "fail", "不早于项目计划决策日期 2026-06-30")


def test_c01_2_already_implemented_fails() -> None:
    assert_item(item("C01.2", project=project(already_implemented=True)), "fail", "已实施")


def test_c01_2_without_project_not_applicable() -> None:
    assert_item(item("C01.2", project=None), "not_applicable", "未关联项目")


def test_c01_3_risk_level_mismatch_fails() -> None:
    o = item("C01.3", lambda r: r["filing_form"].update(risk_level="medium"))
    assert_item(o, "fail", "风险等级不一致", "报备表为「中」", "为「低」")


def test_c01_3_name_mismatch_fails() -> None:
    o = item("C01.3", lambda r: r["filing_form"].update(project_name="建设街道旧城改造项目"))
    assert_item(o, "fail", "事项名称不一致")


def test_c01_3_category_mismatch_fails() -> None:
    o = item("C01.3", lambda r: r["filing_form"].update(category="reform"))
    assert_item(o, "fail", "事项类别不一致", "重大改革", "重大工程项目")


def test_c01_4_not_sealed_fails() -> None:
    assert_item(item("C01.4", lambda r: r["filing_form"].update(sealed=False)), "fail", "未加盖公章")


def test_c01_4_not_signed_fails() -> None:
    assert_item(item("C01.4", lambda r: r["filing_form"].update(signed_by=None)), "fail", "未经责任主体负责人签署")


# --- C02 assessor ---------------------------------------------------------------------------


def test_c02_1_other_org_id_fails() -> None:
    o = item("C02.1", project=project(responsible_org_id="ffffffff-0000-4000-8000-000000000000",
                                      responsible_org_name="嘉兴市发展和改革委员会"))
    assert_item(o, "fail", "不一致", "嘉兴市发展和改革委员会")


def test_c02_1_by_name_when_no_org_id() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["filing_form"]["decision_body_org_id"] = None

    assert_item(item("C02.1", mutate), "pass", "按名称核对")
    o = item("C02.1", mutate, project=project(responsible_org_name="嘉兴市自然资源和规划局"))
    assert_item(o, "fail", "嘉兴市自然资源和规划局")


def test_c02_1_without_project_not_applicable() -> None:
    assert_item(item("C02.1", project=None), "not_applicable")


def test_c02_2_suspended_agency_fails() -> None:
    reg = _registry(lambda d: d["agency"].update(status="suspended"))
    assert_item(item("C02.2", registry=reg), "fail", "暂停")


def test_c02_2_grade_valid_until_submission_day_passes_and_day_before_fails() -> None:
    reg = _registry(lambda d: d["agency"].update(grade_valid_until=SUBMITTED))
    assert item("C02.2", registry=reg).result == "pass"
    reg = _registry(lambda d: d["agency"].update(grade_valid_until=SUBMITTED - dt.timedelta(days=1)))
    assert_item(item("C02.2", registry=reg), "fail", "有效期至 2026-04-23", "已过期")


def test_c02_2_grade_d_may_not_take_a_city_project() -> None:
    reg = _registry(lambda d: d["agency"].update(grade="D"))
    assert_item(item("C02.2", registry=reg), "fail", "D级机构仅可承接县级", "市级")
    # ... but a county project is fine
    assert item("C02.2", registry=reg, project=project(region_code="330421")).result == "pass"
    # C takes city but not province
    reg_c = _registry(lambda d: d["agency"].update(grade="C"))
    assert item("C02.2", registry=reg_c).result == "pass"
    assert item("C02.2", registry=reg_c, project=project(region_code="330000")).result == "fail"


def test_c02_2_agency_not_in_registry_fails() -> None:
    assert_item(item("C02.2", registry=RegistryFacts()), "fail", "机构库中未找到评估机构")
    assert_item(item("C02.2", registry=None), "fail", "机构库中未找到评估机构")


def test_c02_2_registry_verdict_ineligible_fails_with_reasons() -> None:
    reg = _registry(lambda d: d["agency"].update(eligible=False, reasons=["未在浙江省备案"]))
    assert_item(item("C02.2", registry=reg), "fail", "未在浙江省备案")


def test_c02_2_self_assessment_not_applicable() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["assessor"] = {"kind": "self", "name": samples.DECISION_BODY}

    assert_item(item("C02.2", mutate), "not_applicable", "自行评估")


def test_c02_2_without_project_not_applicable() -> None:
    assert_item(item("C02.2", project=None), "not_applicable")


def test_c02_3_experts_missing_from_registry_fail() -> None:
    def drop(d: dict[str, Any]) -> None:
        for eid in samples.EXPERT_IDS[2:]:
            del d["experts"][eid]

    o = item("C02.3", registry=_registry(drop))
    assert_item(o, "fail", "专家库专家 2 名，少于 3 名", "专家库中未找到", samples.EXPERT_IDS[4])


def test_c02_3_one_unknown_expert_does_not_count_but_others_suffice() -> None:
    o = item("C02.3", registry=_registry(lambda d: d["experts"].pop(samples.EXPERT_IDS[0])))
    assert_item(o, "pass", "专家库专家 4 名", "专家库中未找到")


def test_c02_3_no_related_field_fails() -> None:
    def unrelated(d: dict[str, Any]) -> None:
        for e in d["experts"].values():
            e["fields"] = ["heritage", "water"]

    assert_item(item("C02.3", registry=_registry(unrelated)), "fail", "均不属于与事项相关的领域", "建筑工程")


def test_c02_3_interest_field_matches() -> None:
    # Only an environment expert matches (via the interest `environment`), not the category.
    def only_env(d: dict[str, Any]) -> None:
        for e in d["experts"].values():
            e["fields"] = ["heritage"]
        d["experts"][samples.EXPERT_IDS[3]]["fields"] = ["environment"]

    assert_item(item("C02.3", registry=_registry(only_env)), "pass", "朱文斌（环境保护）")


def test_c02_4_expert_employed_by_decision_body_fails() -> None:
    def conflict(d: dict[str, Any]) -> None:
        d["experts"][samples.EXPERT_IDS[1]].update(
            employer_org_id=samples.DECISION_BODY_ORG_ID, employer_name=samples.DECISION_BODY
        )

    assert_item(item("C02.4", registry=_registry(conflict)), "fail", "陆晓红", "决策主体", "应当回避")


def test_c02_4_agency_of_implementing_unit_fails() -> None:
    reg = _registry(lambda d: d["agency"].update(org_id=samples.IMPLEMENTING_UNIT_ORG_ID))
    assert_item(item("C02.4", registry=reg), "fail", "评估机构", "实施单位")


def test_c02_4_unknown_expert_fails_as_unverifiable() -> None:
    o = item("C02.4", registry=_registry(lambda d: d["experts"].pop(samples.EXPERT_IDS[0])))
    assert_item(o, "fail", "专家库中未找到专家", "无法核实")


def test_c02_4_works_without_project() -> None:
    assert item("C02.4", project=None).result == "pass"


# --- C03 overview ---------------------------------------------------------------------------


def test_c03_1_short_location_fails_and_20_chars_pass() -> None:
    o = item("C03.1", lambda r: r["overview"].update(location="嘉兴市南湖区"))
    assert_item(o, "fail", "地点仅 6 字，少于 20 字")
    assert item("C03.1", lambda r: r["overview"].update(location="一" * 20)).result == "pass"
    assert item("C03.1", lambda r: r["overview"].update(location="一" * 19)).result == "fail"


def test_c03_1_missing_overview_fails() -> None:
    assert_item(item("C03.1", lambda r: r.update(overview=None)), "fail", "缺少事项概况")


def test_c03_2_zero_population_fails() -> None:
    assert_item(item("C03.2", lambda r: r["overview"].update(affected_population=0)), "fail", "涉及人数为 0")


def test_c03_2_no_stakeholder_group_fails() -> None:
    assert_item(item("C03.2", lambda r: r["overview"].update(stakeholder_groups=[" "])), "fail", "利益相关群体")


def test_c03_4_missing_environmental_assessment_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["overview"]["prior_approvals"] = r["overview"]["prior_approvals"][:3]

    assert_item(item("C03.4", mutate), "fail", "未说明环评")


def test_c03_4_approval_without_status_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["overview"]["prior_approvals"][2]["status"] = None

    assert_item(item("C03.4", mutate), "fail", "用地手续未注明办理状态")


def test_c03_4_policy_not_applicable() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["overview"].update(category="policy", sub_kind=None, prior_approvals=[])

    assert_item(item("C03.4", mutate), "not_applicable", "重大政策")


# --- C04 basis ------------------------------------------------------------------------------


def test_c04_1_two_documents_fail() -> None:
    assert_item(item("C04.1", lambda r: r.update(basis=r["basis"][:2])), "fail", "2 件，少于 3 件")


def test_c04_1_no_law_or_regulation_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["basis"] = [d for d in r["basis"] if d["kind"] not in ("law", "administrative_regulation")]

    assert_item(item("C04.1", mutate), "fail", "未引用法律或行政法规")


@pytest.mark.parametrize(
    "number", ["发改投资[2012]2492号", "发改投资（2012）2492号", "发改投资〔12〕2492号", "发改投资〔2012〕第2492号", "〔2012〕2492号"]
)
def test_c04_3_bad_document_number_fails(number: str) -> None:
    o = item("C04.3", lambda r: r["basis"][5].update(number=number))
    assert_item(o, "fail", "第6项", "不规范", number)


def test_c04_3_regulation_without_number_fails_law_without_passes() -> None:
    assert_item(item("C04.3", lambda r: r["basis"][2].update(number=None)), "fail", "未载明文号")
    assert item("C04.3", lambda r: r["basis"][0].update(number=None)).result == "pass"


def test_c04_3_missing_issuer_fails() -> None:
    assert_item(item("C04.3", lambda r: r["basis"][0].update(issuer="")), "fail", "未载明发文机关")


def test_c04_3_no_documents_not_applicable() -> None:
    assert_item(item("C04.3", lambda r: r.update(basis=[])), "not_applicable", "C04.1")


# --- C05 procedure --------------------------------------------------------------------------


def test_c05_1_no_methods_fails() -> None:
    assert_item(item("C05.1", lambda r: r["procedure"]["plan"].update(methods=[])), "fail", "评估方法")


def test_c05_1_no_plan_fails() -> None:
    assert_item(item("C05.1", lambda r: r["procedure"].update(plan=None)), "fail", "未制定评估方案")


def _notice(start: str, end: str) -> Callable[[dict[str, Any]], None]:
    return lambda r: r["procedure"]["public_notice"].update(start=start, end=end)


def test_c05_2_seven_days_inclusive_passes_six_fails() -> None:
    assert_item(item("C05.2", _notice("2026-03-09", "2026-03-15")), "pass", "公示期 7 天")
    o = item("C05.2", _notice("2026-03-09", "2026-03-14"))
    assert_item(o, "fail", "公示期 6 天", "少于 7 天")
    assert o.details["days"] == 6 and o.details["threshold"] == 7


def test_c05_2_ending_after_compilation_fails() -> None:
    o = item("C05.2", _notice("2026-04-15", "2026-04-24"))
    assert_item(o, "fail", "晚于报告编制日期 2026-04-20")


def test_c05_2_no_channel_fails() -> None:
    assert_item(item("C05.2", lambda r: r["procedure"]["public_notice"].update(channels=[])), "fail", "公示渠道")


def test_c05_2_region_override_notice_days() -> None:
    ten = region_config({"notice_days": 10})
    assert item("C05.2", config=ten).result == "pass"  # the sample's notice ran exactly 10 days
    o = item("C05.2", _notice("2026-03-09", "2026-03-17"), config=ten)
    assert_item(o, "fail", "公示期 9 天", "少于 10 天")
    assert item("C05.2", _notice("2026-03-09", "2026-03-17")).result == "pass"


def test_c05_3_consultation_before_notice_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["procedure"]["steps"][2]["date"] = "2026-03-05"

    assert_item(item("C05.3", mutate), "fail", "征求意见（2026-03-05）早于公开公示（2026-03-09）")


def test_c05_3_missing_step_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["procedure"]["steps"] = [s for s in r["procedure"]["steps"] if s["step"] != "analysis"]

    assert_item(item("C05.3", mutate), "fail", "缺少工作步骤：分析论证")


def test_c05_3_step_not_done_counts_as_missing() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["procedure"]["steps"][4]["done"] = False

    assert_item(item("C05.3", mutate), "fail", "风险识别")


def test_c05_3_plan_and_notice_dates_come_from_their_sections() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["procedure"]["steps"][0]["date"] = "2026-05-01"  # the steps list's plan date is ignored
        r["procedure"]["steps"][1]["date"] = "2026-05-02"

    assert_item(item("C05.3", mutate), "pass", "方案制定 2026-03-02")

    def late_plan(r: dict[str, Any]) -> None:
        r["procedure"]["plan"]["date"] = "2026-03-10"  # after the notice started

    assert_item(item("C05.3", late_plan), "fail", "公开公示（2026-03-09）早于方案制定（2026-03-10）")


def test_c05_3_equal_dates_allowed() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["procedure"]["steps"][2]["date"] = "2026-03-09"

    assert item("C05.3", mutate).result == "pass"


def test_c05_4_only_review_meeting_fails() -> None:
    o = item("C05.4", lambda r: r["procedure"].update(expert_meeting=None))
    assert_item(o, "fail", "未组织专家论证会", "评审会不能替代")


def test_c05_4_meeting_after_compilation_fails() -> None:
    o = item("C05.4", lambda r: r["procedure"]["expert_meeting"].update(date="2026-04-21"))
    assert_item(o, "fail", "晚于报告编制日期 2026-04-20")
    assert item("C05.4", lambda r: r["procedure"]["expert_meeting"].update(date="2026-04-20")).result == "pass"


def test_c05_4_two_experts_fail() -> None:
    def mutate(r: dict[str, Any]) -> None:
        m = r["procedure"]["expert_meeting"]
        m["experts"] = m["experts"][:2]

    assert_item(item("C05.4", mutate), "fail", "2 名，少于 3 名")


def test_c05_4_no_minutes_fails() -> None:
    assert_item(item("C05.4", lambda r: r["procedure"]["expert_meeting"].update(minutes="")), "fail", "会议纪要")


def test_c05_5_project_needs_15_days_inclusive() -> None:
    o = item("C05.5", lambda r: r["procedure"]["plan"].update(date="2026-04-07"))
    assert_item(o, "fail", "评估周期 14 天", "少于重大工程项目要求的 15 天")
    assert item("C05.5", lambda r: r["procedure"]["plan"].update(date="2026-04-06")).result == "pass"


def test_c05_5_policy_needs_7_days() -> None:
    def policy(date: str) -> Callable[[dict[str, Any]], None]:
        def mutate(r: dict[str, Any]) -> None:
            r["overview"]["category"] = "policy"
            r["procedure"]["plan"]["date"] = date

        return mutate

    assert item("C05.5", policy("2026-04-14")).result == "pass"  # 7 days
    assert_item(item("C05.5", policy("2026-04-15")), "fail", "6 天", "重大政策要求的 7 天")


def test_c05_5_without_compilation_date_not_applicable() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["procedure"]["steps"] = [s for s in r["procedure"]["steps"] if s["step"] != "report_compilation"]

    assert_item(item("C05.5", mutate), "not_applicable", "C05.3")


# --- C06 consultation -----------------------------------------------------------------------


def _without_group(group: str) -> Callable[[dict[str, Any]], None]:
    return lambda r: r.update(consultations=[c for c in r["consultations"] if c["group"] != group])


@pytest.mark.parametrize(
    ("code", "group", "name"),
    [
        ("C06.1", "stakeholders", "涉利益群体"),
        ("C06.2", "key_populations", "重点人群"),
        ("C06.3", "local_government", "属地政府部门"),
        ("C06.4", "implementing_unit", "项目实施单位"),
        ("C06.5", "experts", "专家学者"),
    ],
)
def test_c06_missing_group_fails(code: str, group: str, name: str) -> None:
    assert_item(item(code, _without_group(group)), "fail", f"未征求{name}意见")
    assert_item(BASE[code], "pass", name)


def test_c06_zero_participants_fail() -> None:
    def mutate(r: dict[str, Any]) -> None:
        for c in r["consultations"]:
            if c["group"] == "local_government":
                c["participants"] = 0

    assert_item(item("C06.3", mutate), "fail", "合计 0 人，少于 1 人")


def test_c06_5_two_experts_fail() -> None:
    def mutate(r: dict[str, Any]) -> None:
        for c in r["consultations"]:
            if c["group"] == "experts":
                c["participants"] = 2

    assert_item(item("C06.5", mutate), "fail", "合计 2 人，少于 3 人")


def test_c06_4_policy_without_implementing_unit_not_applicable() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["overview"].update(category="policy", implementing_unit=None, implementing_unit_org_id=None)
        _without_group("implementing_unit")(r)

    assert_item(item("C06.4", mutate), "not_applicable", "重大政策")

    def named(r: dict[str, Any]) -> None:
        r["overview"].update(category="policy")
        _without_group("implementing_unit")(r)

    assert item("C06.4", named).result == "fail"


def _stakeholder_sample(population: int, sample: int) -> Callable[[dict[str, Any]], None]:
    def mutate(r: dict[str, Any]) -> None:
        r["overview"]["affected_population"] = population
        kept = [c for c in r["consultations"] if c["group"] != "stakeholders"]
        first = next(c for c in r["consultations"] if c["group"] == "stakeholders")
        first["participants"] = sample
        r["consultations"] = [first, *kept]

    return mutate


def test_c06_6_five_percent_ceiling_in_integers() -> None:
    # 601 people: ceil(5% x 601) = 31 (30.05 rounded up) > 30
    assert item("C06.6", _stakeholder_sample(601, 31)).result == "pass"
    o = item("C06.6", _stakeholder_sample(601, 30))
    assert_item(o, "fail", "样本 30 人，少于 31 人")
    assert o.details["required_sample"] == 31
    # 5200 people: 260
    assert item("C06.6", _stakeholder_sample(5200, 260)).result == "pass"
    assert item("C06.6", _stakeholder_sample(5200, 259)).result == "fail"


def test_c06_6_minimum_30_and_never_above_population() -> None:
    assert_item(item("C06.6", _stakeholder_sample(200, 29)), "fail", "少于 30 人")
    assert item("C06.6", _stakeholder_sample(200, 30)).result == "pass"
    assert item("C06.6", _stakeholder_sample(20, 20)).result == "pass"
    assert item("C06.6", _stakeholder_sample(20, 19)).result == "fail"


def test_c06_6_states_the_required_sample_in_words() -> None:
    # A reader of the feedback letter checks a sentence, not a formula.
    assert_item(item("C06.6", _stakeholder_sample(5200, 100)), "fail", "涉及 5200 人，按 5% 抽样应不少于 260 人")
    assert_item(item("C06.6", _stakeholder_sample(200, 29)), "fail", "按 5% 抽样不足 30 人，应不少于最低样本 30 人")
    assert_item(item("C06.6", _stakeholder_sample(20, 19)), "fail", "涉及 20 人，未超过最低样本 30 人，应全部听取")
    assert "min(" not in item("C06.6", _stakeholder_sample(5200, 100)).evidence


def test_c06_6_one_method_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        for c in r["consultations"]:
            c["method"] = "forum"

    assert_item(item("C06.6", mutate), "fail", "征求意见方式 1 种", "少于 2 种")


def test_c06_6_unanswered_concern_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["consultations"][0]["concerns"][1]["response"] = ""

    assert_item(item("C06.6", mutate), "fail", "1 条意见未作书面回应", "Q02")


# --- C07 risk identification ----------------------------------------------------------------


def test_c07_1_missing_legality_fails() -> None:
    assert_item(item("C07.1", lambda r: by_id(r["risks"], "R03").update(dimension="rationality")), "fail", "未覆盖合法性")


def test_c07_1_no_risks_fails() -> None:
    assert_item(item("C07.1", lambda r: r.update(risks=[])), "fail", "未识别任何风险因素")


def test_c07_2_concern_not_answered_fails() -> None:
    o = item("C07.2", lambda r: by_id(r["risks"], "R08").update(related_concerns=[]))
    assert_item(o, "fail", "Q09", "未纳入任何风险因素")
    assert o.details["unanswered"] == ["Q09"]


def test_c07_2_no_concerns_not_applicable() -> None:
    def mutate(r: dict[str, Any]) -> None:
        for c in r["consultations"]:
            c["concerns"] = []

    assert item("C07.2", mutate).result == "not_applicable"


def test_c07_3_missing_compensation_risk_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        for rid in ("R01", "R02"):
            by_id(r["risks"], rid)["kind"] = "other"

    assert_item(item("C07.3", mutate), "fail", "涉及征地", "未识别「征收补偿安置」类风险")


def test_c07_3_big_event_needs_crowd_safety() -> None:
    def event(n: int) -> Callable[[dict[str, Any]], None]:
        def mutate(r: dict[str, Any]) -> None:
            r["overview"].update(category="event", interests=["employment"], expected_participants=n)

        return mutate

    assert_item(item("C07.3", event(500)), "fail", "500", "人群聚集安全")
    assert_item(item("C07.3", event(499)), "not_applicable")


def test_c07_3_no_mapped_interest_not_applicable() -> None:
    assert item("C07.3", lambda r: r["overview"].update(interests=["employment", "pricing"])).result == "not_applicable"


# --- C08 estimation and grading -------------------------------------------------------------


def test_c08_1_missing_probability_fails() -> None:
    assert_item(item("C08.1", lambda r: by_id(r["risks"], "R02").update(probability=None)), "fail", "R02", "未估计发生概率")


def test_c08_1_no_risks_not_applicable() -> None:
    assert item("C08.1", lambda r: r.update(risks=[])).result == "not_applicable"


def test_c08_2_wrong_stated_level_fails() -> None:
    o = item("C08.2", lambda r: by_id(r["risks"], "R01").update(level="moderate"))
    assert_item(o, "fail", "R01", "发生概率 0.6、影响程度 0.7，风险程度为 0.42", "应为较大", "报告判定为一般")
    assert "×" not in o.evidence


@pytest.mark.parametrize(
    ("p", "i", "level"),
    [
        (0.8, 0.8, "major"),  # R exactly 0.64 is major
        (0.6, 0.6, "significant"),  # exactly 0.36
        (0.4, 0.4, "moderate"),  # exactly 0.16
        (0.2, 0.2, "minor"),  # exactly 0.04
        (0.1, 0.39, "negligible"),
        (0.79, 0.81, "significant"),  # 0.6399
    ],
)
def test_c08_2_boundaries_are_inclusive(p: float, i: float, level: str) -> None:
    def mutate(r: dict[str, Any]) -> None:
        by_id(r["risks"], "R08").update(probability=p, impact=i, level=level)

    assert item("C08.2", mutate).result == "pass"
    others = {"major", "significant", "moderate", "minor", "negligible"} - {level}
    for wrong in others:
        def bad(r: dict[str, Any], wrong: str = wrong) -> None:
            by_id(r["risks"], "R08").update(probability=p, impact=i, level=wrong)

        assert item("C08.2", bad).result == "fail"


def test_c08_2_no_estimates_not_applicable() -> None:
    def mutate(r: dict[str, Any]) -> None:
        for x in r["risks"]:
            x["probability"] = None

    assert item("C08.2", mutate).result == "not_applicable"


def test_c08_3_wrong_initial_overall_fails() -> None:
    o = item("C08.3", lambda r: r["conclusion"].update(initial_level="high"))
    assert_item(o, "fail", "较大1项", "按叠加法综合等级为中", "报告判定为高")


def test_c08_3_uses_stated_factor_levels() -> None:
    # A wrongly stated factor level fails C08.2; C08.3 follows the stated levels.
    def mutate(r: dict[str, Any]) -> None:
        by_id(r["risks"], "R01")["level"] = "major"
        r["conclusion"]["initial_level"] = "high"

    out = run(mutate)
    assert out["C08.2"].result == "fail"
    assert out["C08.3"].result == "pass"


def test_c08_3_stacking_two_significant_is_high_three_moderate_medium() -> None:
    def two_significant(r: dict[str, Any]) -> None:
        by_id(r["risks"], "R02").update(probability=0.6, impact=0.6, level="significant")

    assert_item(item("C08.3", two_significant), "fail", "较大2项", "综合等级为高")

    def one_moderate_left(r: dict[str, Any]) -> None:
        r["risks"] = [x for x in r["risks"] if x["id"] in ("R02", "R07", "R08")]
        r["conclusion"]["initial_level"] = "low"

    assert item("C08.3", one_moderate_left).result == "pass"


def test_c08_3_index_method_region_changes_outcome() -> None:
    index = region_config({"grading": {"method": "index"}})
    # mean R = (0.42+0.30+0.24+0.24+0.20+0.20+0.15+0.12)/8 = 0.23375 -> low
    o = item("C08.3", config=index)
    assert_item(o, "fail", "综合指数 0.2338", "指数法", "为低", "报告判定为中")
    assert item("C08.3", lambda r: r["conclusion"].update(initial_level="low"), config=index).result == "pass"


def test_c08_3_not_stated_not_applicable() -> None:
    assert_item(item("C08.3", lambda r: r["conclusion"].update(initial_level=None)), "not_applicable", "C10.1")


def test_c08_4_wrong_residual_level_fails() -> None:
    o = item("C08.4", lambda r: by_id(r["risks"], "R01").update(residual_level="minor"))
    assert_item(o, "fail", "R01", "应为一般", "报告判定为较小")


def test_c08_4_residual_above_initial_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        by_id(r["risks"], "R07").update(residual_probability=0.5, residual_impact=0.5, residual_level="moderate")

    assert_item(item("C08.4", mutate), "fail", "R07", "高于措施前")


def test_c08_4_missing_residual_estimate_fails() -> None:
    assert_item(item("C08.4", lambda r: by_id(r["risks"], "R03").update(residual_impact=None)), "fail", "R03")


def test_c08_4_wrong_residual_overall_fails_only_computation_item() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["conclusion"]["residual_level"] = "medium"
        r["filing_form"]["risk_level"] = "medium"

    out = run(mutate)
    assert_item(out["C08.4"], "fail", "按叠加法综合等级为低", "报告结论判定为中")
    assert out["C01.3"].result == "pass"  # stated values agree with each other
    assert out["C10.2"].result == "pass"  # implement_with_measures fits a stated medium


def test_c08_4_no_risks_not_applicable() -> None:
    assert item("C08.4", lambda r: r.update(risks=[])).result == "not_applicable"


# --- C09 measures ---------------------------------------------------------------------------


def test_c09_1_risk_without_measure_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["measures"]["items"] = [m for m in r["measures"]["items"] if "R06" not in m["risk_ids"]]

    assert_item(item("C09.1", mutate), "fail", "R06", "（一般）")


def test_c09_1_minor_risk_needs_no_measure() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["measures"]["items"] = [m for m in r["measures"]["items"] if m["risk_ids"] != ["R08"]]

    assert item("C09.1", mutate).result == "pass"


def test_c09_1_only_minor_risks_not_applicable() -> None:
    assert item("C09.1", lambda r: r.update(risks=[by_id(r["risks"], "R08")])).result == "not_applicable"


def test_c09_2_deadline_on_submission_day_fails() -> None:
    o = item("C09.2", lambda r: r["measures"]["items"][0].update(deadline="2026-04-24"))
    assert_item(o, "fail", "第1项措施", "完成时限 2026-04-24 不晚于报送日期 2026-04-24")
    assert item("C09.2", lambda r: r["measures"]["items"][0].update(deadline="2026-04-25")).result == "pass"


def test_c09_2_no_responsible_unit_fails() -> None:
    assert_item(item("C09.2", lambda r: r["measures"]["items"][3].update(responsible_unit=None)), "fail", "第4项措施", "责任单位")


def test_c09_2_no_measures_not_applicable() -> None:
    assert item("C09.2", lambda r: r["measures"].update(items=[])).result == "not_applicable"


def test_c09_4_medium_without_emergency_plan_fails() -> None:
    o = item("C09.4", lambda r: r["measures"].update(emergency_plan=None))
    assert_item(o, "fail", "初始综合风险等级为中", "未制定应急预案")


def test_c09_4_plan_without_summary_fails() -> None:
    assert_item(item("C09.4", lambda r: r["measures"]["emergency_plan"].update(summary=" ")), "fail", "要点")


def test_c09_4_low_or_unstated_not_applicable() -> None:
    assert item("C09.4", lambda r: r["conclusion"].update(initial_level="low")).result == "not_applicable"
    o = item("C09.4", lambda r: r["conclusion"].update(initial_level=None))
    assert_item(o, "not_applicable", "C10.1")


def test_c09_5_no_frequency_fails() -> None:
    assert_item(item("C09.5", lambda r: r["measures"]["monitoring"].update(frequency=None)), "fail", "频次")


def test_c09_5_no_monitoring_fails() -> None:
    assert_item(item("C09.5", lambda r: r["measures"].update(monitoring=None)), "fail", "监测")


# --- C10 conclusion -------------------------------------------------------------------------


def test_c10_1_missing_recommendation_fails() -> None:
    assert_item(item("C10.1", lambda r: r["conclusion"].update(recommendation=None)), "fail", "评估建议")


def test_c10_1_missing_conclusion_fails() -> None:
    assert_item(item("C10.1", lambda r: r.update(conclusion=None)), "fail", "缺少评估结论")


@pytest.mark.parametrize(
    ("level", "rec", "result"),
    [
        ("low", "implement", "pass"),
        ("low", "implement_with_measures", "pass"),
        ("low", "defer", "fail"),
        ("medium", "defer", "pass"),
        ("medium", "implement_with_measures", "pass"),
        ("medium", "implement", "fail"),
        ("high", "reject", "pass"),
        ("high", "defer", "pass"),
        ("high", "implement_with_measures", "fail"),
    ],
)
def test_c10_2_recommendation_fits_residual_level(level: str, rec: str, result: str) -> None:
    o = item("C10.2", lambda r: r["conclusion"].update(residual_level=level, recommendation=rec))
    assert o.result == result, o.evidence


def test_c10_2_fail_evidence() -> None:
    o = item("C10.2", lambda r: r["conclusion"].update(residual_level="high", recommendation="implement"))
    assert_item(o, "fail", "措施后综合风险等级为高", "准予实施", "不符")


def test_c10_2_unstated_not_applicable() -> None:
    assert item("C10.2", lambda r: r["conclusion"].update(residual_level=None)).result == "not_applicable"


def test_c10_3_missing_minutes_attachment_fails() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["attachments"] = [a for a in r["attachments"] if a["kind"] != "meeting_minutes"]

    assert_item(item("C10.3", mutate), "fail", "缺少附件：会议纪要")


def test_c10_3_unsigned_fails() -> None:
    assert_item(item("C10.3", lambda r: r.update(sign_off=None)), "fail", "未签署")


# --- manual suggestions ---------------------------------------------------------------------


def test_c03_3_undiscussed_interest_suggests_fail() -> None:
    o = item("C03.3", lambda r: r["overview"].update(interests=["land_requisition", "heritage"]))
    assert o.result == "pending" and o.suggestion == "fail"
    assert "文化遗产" in o.evidence


def test_c04_2_old_and_repealed_documents_flagged() -> None:
    o = item("C04.2", lambda r: r["basis"][2].update(year=2010))
    assert o.suggestion == "fail" and "2010" in o.evidence and "15 年" in o.evidence
    cfg = region_config({"repealed_documents": ["嘉政发〔2021〕15号"]})
    o = item("C04.2", config=cfg)
    assert o.suggestion == "fail" and "废止" in o.evidence


def test_c04_4_only_national_documents_suggests_fail() -> None:
    o = item("C04.4", lambda r: r.update(basis=r["basis"][:6]))
    assert o.suggestion == "fail"


def test_c07_4_copied_or_short_source_flagged() -> None:
    def mutate(r: dict[str, Any]) -> None:
        by_id(r["risks"], "R02")["source"] = by_id(r["risks"], "R01")["source"]
        by_id(r["risks"], "R08")["source"] = "交通拥堵"

    o = item("C07.4", mutate)
    assert o.suggestion == "fail"
    assert "完全相同" in o.evidence and "R08" in o.evidence and "少于 15 字" in o.evidence


def test_c08_5_low_level_with_low_support_flagged() -> None:
    def mutate(r: dict[str, Any]) -> None:
        for c in r["consultations"]:
            if c["support_rate"] is not None:
                c["support_rate"] = 0.6

    o = item("C08.5", mutate)
    assert o.suggestion == "fail" and "60%" in o.evidence and "70%" in o.evidence


def test_c08_5_without_support_data_no_suggestion() -> None:
    def mutate(r: dict[str, Any]) -> None:
        for c in r["consultations"]:
            c["support_rate"] = None

    o = item("C08.5", mutate)
    assert o.result == "pending" and o.suggestion is None


def test_c09_3_short_and_repeated_measures_flagged() -> None:
    def mutate(r: dict[str, Any]) -> None:
        r["measures"]["items"][0]["content"] = "加强宣传"
        r["measures"]["items"][4]["content"] = r["measures"]["items"][3]["content"]

    o = item("C09.3", mutate)
    assert o.suggestion == "fail"
    assert "第1项措施仅 4 字" in o.evidence and "内容完全相同" in o.evidence


def test_c02_1_same_name_other_org_id_names_the_ids() -> None:
    other = "ffffffff-0000-4000-8000-000000000000"
    o = item("C02.1", project=project(responsible_org_id=other))
    assert_item(o, "fail", "机构ID不一致")
    assert other in o.evidence
