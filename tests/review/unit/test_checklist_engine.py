"""Verdict, score, registry needs, robustness and speed of the engine; the checklist file,
the grading scheme and the region configuration."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from wenping_review.checklist import (
    DEFAULT_CONFIG,
    DEFAULT_SCHEME,
    GradingScheme,
    ProjectFacts,
    RegistryFacts,
    evaluate,
    load_checklist,
    region_config,
    registry_needs,
    results_by_code,
    score,
    verdict,
)
from wenping_review.checklist.definitions import ChecklistFormatError, parse_checklist_yaml
from wenping_shared.contracts import samples
from wenping_shared.contracts.report import Report
from wenping_shared.contracts.vocab import FactorLevel, ItemResult, OverallLevel, Recommendation

CHECKLIST = load_checklist()
ALL_PASS = {i.code: ItemResult.pass_ for i in CHECKLIST.items}


def _eval(report: Report, **kw: Any) -> list[Any]:
    args: dict[str, Any] = {
        "checklist": CHECKLIST,
        "config": DEFAULT_CONFIG,
        "submitted_on": samples.SUBMITTED_ON,
        "project": ProjectFacts.from_dict(samples.sample_project_facts()),
        "registry": RegistryFacts.from_dict(samples.sample_registry_facts()),
    }
    args.update(kw)
    return evaluate(report, **args)


# --- checklist definitions -----------------------------------------------------------------


def test_checklist_v1_shape() -> None:
    assert CHECKLIST.version == "v1"
    assert [c.code for c in CHECKLIST.categories] == [f"C{n:02d}" for n in range(1, 11)]
    assert len(CHECKLIST.items) == 45
    assert CHECKLIST.item("C05.2").severity == "critical"
    assert CHECKLIST.item("C07.5").has_rule is False
    assert CHECKLIST.item("C01.1").require == "补齐报备表缺失要素"
    assert load_checklist("v1") is CHECKLIST  # cached


def test_checklist_is_a_faithful_copy_of_the_spec() -> None:
    # Pinned to the SHA-256 of the spec's checklist-v1.yaml (tests never read the spec folder).
    ours = Path(__file__).parents[3] / "services/review/wenping_review/checklist/checklist_v1.yaml"
    digest = hashlib.sha256(ours.read_bytes()).hexdigest()
    assert digest == "8f5dc7139d421d9ae46b25e67d72a1e07662728e69f6b43cc4c63d13dbe01a84"


def test_unknown_checklist_version() -> None:
    with pytest.raises(LookupError):
        load_checklist("v9")


@pytest.mark.parametrize(
    "text",
    [
        "version: v1\ntitle: 'quoted'\ncategories:\n  - code: C01\n",
        "version: v1\n  title: bad indent\n",
        "version: v1\nversion: v2\n",
        "- just\n- a list\n",
        "version: v1\ntitle: t\ncategories:\n  - code: C01\n    code: C02\n",
    ],
)
def test_parser_refuses_what_it_does_not_understand(text: str) -> None:
    with pytest.raises((ChecklistFormatError, ValidationError)):
        parse_checklist_yaml(text)


# --- verdict --------------------------------------------------------------------------------


def test_verdict_all_pass_or_na_is_approved() -> None:
    results = dict(ALL_PASS, **{"C03.4": ItemResult.not_applicable})
    assert verdict(results, CHECKLIST) == "approved"


def test_verdict_general_failure_is_revision() -> None:
    assert CHECKLIST.item("C01.4").severity == "general"
    assert verdict(dict(ALL_PASS, **{"C01.4": ItemResult.fail}), CHECKLIST) == "returned_for_revision"


def test_verdict_critical_failure_is_reassessment() -> None:
    results = dict(ALL_PASS, **{"C01.4": ItemResult.fail, "C05.2": ItemResult.fail})
    assert verdict(results, CHECKLIST) == "returned_for_reassessment"


def test_verdict_none_while_pending_or_missing() -> None:
    assert verdict(dict(ALL_PASS, **{"C07.5": ItemResult.pending}), CHECKLIST) is None
    missing = dict(ALL_PASS)
    del missing["C10.3"]
    assert verdict(missing, CHECKLIST) is None


def test_verdict_accepts_plain_strings() -> None:
    assert verdict({k: "pass" for k in ALL_PASS} | {"C02.4": "fail"}, CHECKLIST) == "returned_for_reassessment"


def test_sample_report_verdict_pending_then_approved() -> None:
    results = results_by_code(_eval(Report.model_validate(samples.complete_report())))
    assert verdict(results, CHECKLIST) is None  # manual items pending
    decided = {k: (ItemResult.pass_ if v == ItemResult.pending else v) for k, v in results.items()}
    assert verdict(decided, CHECKLIST) == "approved"


def test_sample_with_short_notice_is_returned_for_reassessment() -> None:
    data = samples.complete_report(procedure={"public_notice": {"end": "2026-03-14"}})
    results = results_by_code(_eval(Report.model_validate(data)))
    decided = {k: (ItemResult.pass_ if v == ItemResult.pending else v) for k, v in results.items()}
    assert results["C05.2"] == "fail"
    assert verdict(decided, CHECKLIST) == "returned_for_reassessment"


# --- score ----------------------------------------------------------------------------------


def test_score_all_pass_is_100() -> None:
    assert score(ALL_PASS, CHECKLIST) == 100.0


def test_score_not_applicable_counts_as_passed() -> None:
    assert score({k: ItemResult.not_applicable for k in ALL_PASS}, CHECKLIST) == 100.0


def test_score_shares_ten_points_per_category() -> None:
    # C01 has 4 items: one fail costs 2.5; C07 has 5 items: one pending costs 2.
    results = dict(ALL_PASS, **{"C01.4": ItemResult.fail, "C07.5": ItemResult.pending})
    assert score(results, CHECKLIST) == 95.5
    # C06 has 6 items: 10/6 each
    results = dict(ALL_PASS, **{"C06.1": ItemResult.fail})
    assert score(results, CHECKLIST) == round(100 - 10 / 6, 2)


def test_score_of_sample_with_manual_pending() -> None:
    # pending manual items: C03 1/4, C04 2/4, C07 2/5, C08 1/5, C09 1/5
    results = results_by_code(_eval(Report.model_validate(samples.complete_report())))
    assert score(results, CHECKLIST) == 100 - 2.5 - 5 - 4 - 2 - 2


def test_score_all_fail_is_zero() -> None:
    assert score({k: ItemResult.fail for k in ALL_PASS}, CHECKLIST) == 0.0


# --- registry needs and robustness ----------------------------------------------------------


def test_registry_needs_of_sample() -> None:
    agency, experts = registry_needs(Report.model_validate(samples.complete_report()))
    assert agency == samples.AGENCY_ID
    assert experts == list(samples.EXPERT_IDS)


def test_registry_needs_self_assessment_and_project_fallback() -> None:
    r = Report.model_validate(samples.complete_report(assessor={"kind": "self", "agency_id": None}))
    assert registry_needs(r)[0] is None
    bare = Report.model_validate(samples.complete_report(assessor=None))
    assert registry_needs(bare)[0] is None
    pf = ProjectFacts.from_dict(samples.sample_project_facts())
    assert registry_needs(bare, pf)[0] == samples.AGENCY_ID


def test_empty_report_yields_45_outcomes_without_error() -> None:
    outcomes = _eval(Report(), project=None, registry=None)
    assert len(outcomes) == 45
    results = results_by_code(outcomes)
    assert results["C01.1"] == "fail" and results["C01.2"] == "not_applicable"
    assert results["C10.1"] == "fail" and results["C10.2"] == "not_applicable"
    json.dumps([o.as_dict() for o in outcomes], ensure_ascii=False)


def test_precheck_without_project_marks_project_items_not_applicable() -> None:
    results = results_by_code(_eval(Report.model_validate(samples.complete_report()), project=None))
    for code in ("C01.2", "C02.1", "C02.2"):
        assert results[code] == "not_applicable"
    assert results["C02.3"] == "pass" and results["C02.4"] == "pass"


_SECTIONS = [
    "filing_form", "overview", "basis", "procedure", "consultations", "risks",
    "measures", "conclusion", "attachments", "assessment_team", "assessor", "sign_off",
]


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(_SECTIONS)), st.booleans(), st.booleans())
def test_any_missing_sections_never_crash_and_details_are_json(
    removed: set[str], with_project: bool, with_registry: bool
) -> None:
    data = samples.complete_report()
    for s in removed:
        data[s] = [] if isinstance(data[s], list) else None
    outcomes = _eval(
        Report.model_validate(data),
        project=ProjectFacts.from_dict(samples.sample_project_facts()) if with_project else None,
        registry=RegistryFacts.from_dict(samples.sample_registry_facts()) if with_registry else None,
    )
    assert [o.code for o in outcomes] == [i.code for i in CHECKLIST.items]
    for o in outcomes:
        assert o.evidence
        json.dumps(o.as_dict(), ensure_ascii=False)
        if CHECKLIST.item(o.code).mode == "manual":
            assert o.result == "pending"


# --- grading --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "i", "level"),
    [
        (1.0, 0.64, FactorLevel.major),
        (0.8, 0.8, FactorLevel.major),
        (0.8, 0.7999, FactorLevel.significant),
        (0.6, 0.6, FactorLevel.significant),
        (0.5999, 0.6, FactorLevel.moderate),
        (0.4, 0.4, FactorLevel.moderate),
        (0.4, 0.3999, FactorLevel.minor),
        (0.2, 0.2, FactorLevel.minor),
        (0.2, 0.1999, FactorLevel.negligible),
        (0.0, 1.0, FactorLevel.negligible),
    ],
)
def test_factor_level_boundaries(p: float, i: float, level: FactorLevel) -> None:
    assert DEFAULT_SCHEME.factor_level(p, i) == level


@pytest.mark.parametrize(
    ("levels", "overall"),
    [
        (["major"], "high"),
        (["significant", "significant"], "high"),
        (["significant", "moderate"], "medium"),
        (["moderate"] * 3, "medium"),
        (["moderate"] * 2 + ["minor"] * 5, "low"),
        ([], "low"),
    ],
)
def test_stacking_method(levels: list[str], overall: str) -> None:
    assert DEFAULT_SCHEME.overall_by_stacking([FactorLevel(x) for x in levels]) == overall


def test_index_method_thresholds_and_weights() -> None:
    s = GradingScheme(method="index")
    assert s.overall_by_index(Decimal("0.64")) == OverallLevel.high
    assert s.overall_by_index(Decimal("0.6399")) == OverallLevel.medium
    assert s.overall_by_index(Decimal("0.36")) == OverallLevel.medium
    assert s.overall_by_index(Decimal("0.3599")) == OverallLevel.low
    weighted = s.overall_index([(Decimal("0.8"), Decimal("0.5")), (Decimal("0.2"), Decimal("0.5"))])
    assert weighted == Decimal("0.5")
    equal = s.overall_index([(Decimal("0.9"), None), (Decimal("0.3"), Decimal("1"))])
    assert equal == Decimal("0.6")


def test_recommendation_fit() -> None:
    assert DEFAULT_SCHEME.fits(OverallLevel.high, Recommendation.defer)
    assert not DEFAULT_SCHEME.fits(OverallLevel.high, Recommendation.implement_with_measures)
    assert DEFAULT_SCHEME.fits(OverallLevel.medium, Recommendation.implement_with_measures)
    assert not DEFAULT_SCHEME.fits(OverallLevel.low, Recommendation.reject)


def test_grading_scheme_refuses_unordered_thresholds() -> None:
    with pytest.raises(ValidationError):
        GradingScheme(major_min=Decimal("0.3"))


# --- region configuration -------------------------------------------------------------------


def test_config_defaults() -> None:
    c = DEFAULT_CONFIG
    assert (c.notice_days, c.sample_ratio_percent, c.sample_minimum) == (7, 5, 30)
    assert c.period_days_for("project") == 15 and c.period_days_for("reform") == 15
    assert c.period_days_for("policy") == 7 and c.period_days_for(None) == 15
    assert c.document_max_age_years == 15 and c.measure_min_length == 20
    assert c.support_low_threshold == Decimal("0.70") and c.support_high_threshold == Decimal("0.95")
    assert c.grading.method == "stacking"


def test_config_is_immutable_and_overrides_merge() -> None:
    with pytest.raises(ValidationError):
        DEFAULT_CONFIG.notice_days = 3  # type: ignore[misc]  # the point: a frozen model refuses assignment
    c = region_config({"notice_days": 10, "assessment_period_days": {"policy": 10}, "grading": {"method": "index"}})
    assert c.notice_days == 10
    assert c.period_days_for("policy") == 10 and c.period_days_for("project") == 15
    assert c.grading.method == "index" and c.grading.major_min == Decimal("0.64")
    assert DEFAULT_CONFIG.notice_days == 7  # the default is untouched


def test_config_override_refuses_unknown_keys_and_bad_values() -> None:
    with pytest.raises(ValidationError):
        region_config({"notice_dayz": 10})
    with pytest.raises(ValidationError):
        region_config({"notice_days": 0})


def test_region_override_changes_sample_outcome() -> None:
    report = Report.model_validate(samples.complete_report())
    strict = region_config({"assessment_period_days": {"project": 60}})
    results = results_by_code(_eval(report, config=strict))
    assert results["C05.5"] == "fail"
    assert results_by_code(_eval(report))["C05.5"] == "pass"
