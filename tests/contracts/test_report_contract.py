"""The structured report contract and the binding vocabularies."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import ValidationError

from wenping_shared.contracts import samples, vocab
from wenping_shared.contracts.report import Report


def _validate(**overrides: Any) -> Report:
    return Report.model_validate(samples.complete_report(**overrides))


def test_sample_report_validates_and_round_trips_through_json() -> None:
    r = _validate()
    assert r.procedure is not None and r.procedure.plan is not None
    assert r.procedure.plan.date == dt.date(2026, 3, 2)
    assert len(r.risks) == 8 and len(r.consultations) == 10 and len(r.basis) >= 10
    again = Report.model_validate_json(r.model_dump_json())
    assert again == r


def test_complete_report_returns_fresh_data_and_deep_merges() -> None:
    a = samples.complete_report()
    a["filing_form"]["sealed"] = False
    b = samples.complete_report(filing_form={"contact_phone": "110"})
    assert b["filing_form"]["sealed"] is True
    assert b["filing_form"]["contact_phone"] == "110"
    assert b["filing_form"]["project_name"] == samples.PROJECT_NAME


def test_drafts_may_omit_sections() -> None:
    r = Report.model_validate({"title": "草稿"})
    assert r.filing_form is None and r.risks == [] and r.conclusion is None


@pytest.mark.parametrize("value", [1.2, -0.1, float("nan"), float("inf")])
def test_probability_outside_unit_interval_refused(value: float) -> None:
    data = samples.complete_report()
    data["risks"][0]["probability"] = value
    with pytest.raises(ValidationError):
        Report.model_validate(data)


@pytest.mark.parametrize("field", ["impact", "residual_probability", "residual_impact", "weight"])
def test_other_fractions_range_checked(field: str) -> None:
    data = samples.complete_report()
    data["risks"][0][field] = 1.01
    with pytest.raises(ValidationError):
        Report.model_validate(data)


def test_bounds_themselves_are_allowed() -> None:
    data = samples.complete_report()
    data["risks"][0].update(probability=0.0, impact=1.0)
    data["consultations"][0]["support_rate"] = 1
    Report.model_validate(data)


def test_support_rate_outside_unit_interval_refused() -> None:
    data = samples.complete_report()
    data["consultations"][0]["support_rate"] = 86  # a percentage, not a fraction
    with pytest.raises(ValidationError):
        Report.model_validate(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("overview", "category"), "infrastructure"),
        (("filing_form", "risk_level"), "very_high"),
        (("conclusion", "recommendation"), "approve"),
        (("overview", "interests"), ["land"]),
    ],
)
def test_unknown_enum_value_refused(path: tuple[str, str], value: Any) -> None:
    data = samples.complete_report()
    data[path[0]][path[1]] = value
    with pytest.raises(ValidationError):
        Report.model_validate(data)


def test_unknown_enum_in_lists_refused() -> None:
    data = samples.complete_report()
    data["consultations"][0]["group"] = "residents"
    with pytest.raises(ValidationError):
        Report.model_validate(data)
    data = samples.complete_report()
    data["risks"][0]["dimension"] = "legitimacy"
    with pytest.raises(ValidationError):
        Report.model_validate(data)


def test_unknown_fields_refused_at_every_level() -> None:
    with pytest.raises(ValidationError):
        Report.model_validate({**samples.complete_report(), "score": 99})
    data = samples.complete_report()
    data["risks"][0]["severity"] = "high"
    with pytest.raises(ValidationError):
        Report.model_validate(data)
    data = samples.complete_report()
    data["procedure"]["public_notice"]["days"] = 7
    with pytest.raises(ValidationError):
        Report.model_validate(data)


def test_negative_counts_and_bad_dates_refused() -> None:
    data = samples.complete_report()
    data["consultations"][0]["participants"] = -1
    with pytest.raises(ValidationError):
        Report.model_validate(data)
    data = samples.complete_report()
    data["procedure"]["public_notice"]["start"] = "2026-02-30"
    with pytest.raises(ValidationError):
        Report.model_validate(data)


def test_seal_must_be_a_real_boolean() -> None:
    with pytest.raises(ValidationError):
        _validate(filing_form={"sealed": "yes"})


def test_json_schema_documents_fields_in_chinese_and_english() -> None:
    schema = Report.model_json_schema()
    notice = schema["$defs"]["PublicNotice"]["properties"]["start"]
    assert "公示开始日期" in notice["description"] and "first day" in notice["description"]
    risk = schema["$defs"]["RiskFactor"]["properties"]["probability"]
    assert "概率" in json.dumps(risk, ensure_ascii=False)
    assert schema["additionalProperties"] is False


# --- vocabularies ---------------------------------------------------------------------------


def test_binding_vocabulary_values() -> None:
    assert [m.value for m in vocab.ProjectCategory] == ["policy", "reform", "project", "event", "other"]
    assert [m.value for m in vocab.ProjectSubKind] == [
        "industrial", "transport", "water", "urban_renewal", "land_requisition", "other"]
    assert [m.value for m in vocab.Initiation] == ["initiation", "application", "designation"]
    assert [m.value for m in vocab.FilingBatch] == ["start_of_year", "mid_year", "ad_hoc"]
    assert len(vocab.Interest) == 10 and len(vocab.ExpertField) == 11 and len(vocab.RiskKind) == 12
    assert [m.value for m in vocab.ItemResult] == ["pass", "fail", "not_applicable", "pending"]
    assert [m.value for m in vocab.TransitionAction] == [
        "file", "start_assessment", "decide", "close", "withdraw", "resume"]
    assert [m.value for m in vocab.ReviewVerdict] == [
        "approved", "returned_for_revision", "returned_for_reassessment"]
    assert [m.value for m in vocab.DocumentKind] == [
        "law", "administrative_regulation", "local_regulation", "rule", "normative_document",
        "standard", "plan"]
    assert [m.value for m in vocab.ConsultationMethod] == [
        "questionnaire", "forum", "visit", "hearing", "online", "public_notice"]
    assert {m.value for m in vocab.ProjectStatus} >= {
        "draft", "filed", "assessing", "report_submitted", "under_review", "returned", "approved",
        "implement", "implement_with_measures", "deferred", "rejected", "tracking", "evaluated",
        "closed", "withdrawn"}


def test_labels() -> None:
    assert vocab.label(vocab.ProjectCategory.project) == "重大工程项目"
    assert vocab.label(vocab.ItemResult.pass_) == "通过"
    assert vocab.label(vocab.ConsultationGroup.key_populations) == "重点人群"
    assert vocab.label(vocab.FactorLevel.significant) == "较大"
    assert vocab.label_of(vocab.Interest, "no_such") == "no_such"


def test_enum_catalog_lists_every_value_with_a_label() -> None:
    cat = vocab.enum_catalog()
    assert {"value": "heritage", "label": "文化遗产"} in cat["interest"]
    for name, cls in vocab.ENUM_NAMES.items():
        assert [e["value"] for e in cat[name]] == [m.value for m in cls]
        assert all(e["label"] for e in cat[name])
    json.dumps(cat, ensure_ascii=False)


@pytest.mark.parametrize(
    ("code", "level"),
    [("330000", "province"), ("330400", "city"), ("330421", "county"), ("330402", "county"), ("620700", "city")],
)
def test_project_level_for_region(code: str, level: str) -> None:
    assert vocab.project_level_for_region(code) == level


@pytest.mark.parametrize("code", ["33040", "3304001", "abcdef", ""])
def test_project_level_for_bad_region(code: str) -> None:
    with pytest.raises(ValueError):
        vocab.project_level_for_region(code)


def test_c02_3_field_mapping() -> None:
    F = vocab.ExpertField
    assert vocab.matching_expert_fields("project", "transport", ["pricing"]) == {F.construction, F.transport, F.finance}
    assert vocab.matching_expert_fields("project", "water") == {F.construction, F.water}
    assert vocab.matching_expert_fields("policy", "transport") == {F.law_policy, F.finance, F.social_governance}
    assert vocab.matching_expert_fields("event", None, ["public_safety"]) == {F.work_safety, F.social_governance}
    assert vocab.matching_expert_fields(None, None, ["demolition"]) == {F.land_requisition, F.construction}
    assert vocab.matching_expert_fields("other") == {F.social_governance}


def test_c07_3_typical_risk_mapping() -> None:
    K = vocab.RiskKind
    req = vocab.required_risk_kinds("project", ["land_requisition", "demolition", "employment"], None)
    assert set(req) == {K.compensation_resettlement}
    assert set(vocab.required_risk_kinds("event", ["heritage"], 500)) == {K.heritage_damage, K.crowd_safety}
    assert set(vocab.required_risk_kinds("event", [], 499)) == set()
    assert set(vocab.required_risk_kinds("reform", ["soe_restructuring", "environment"], None)) == {
        K.worker_resettlement, K.environmental_impact}
