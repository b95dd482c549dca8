"""Agency eligibility, grading suggestions and the current grade."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from wenping_registry.agencies.eligibility import (
    AgencySnapshot,
    Certificate,
    EligibilityReasonCode,
    EligibilityRules,
    MisconductRecord,
    Practitioner,
    check_eligibility,
    years_before,
)
from wenping_registry.agencies.grading import (
    AgencyGrading,
    GradeThreshold,
    GradingCriteria,
    GradingThresholds,
    current_grade,
    current_grading,
    suggest_grade,
    unmet_criteria,
)
from wenping_shared.contracts.vocab import AgencyGrade, AgencyStatus, ProjectLevel

TODAY = dt.date(2025, 6, 15)
G = AgencyGrade
C = EligibilityReasonCode


def grading(
    grade: AgencyGrade, until: dt.date = dt.date(2026, 12, 31), *, graded: dt.date = dt.date(2024, 1, 5)
) -> AgencyGrading:
    return AgencyGrading(grade=grade, graded_on=graded, valid_from=graded, valid_until=until)


def staff(n: int, *, expires: dt.date | None = dt.date(2027, 1, 1)) -> tuple[Practitioner, ...]:
    return tuple(
        Practitioner(
            name=f"从业人员{i}",
            certificates=(Certificate(number=f"WP-{i:04d}", issued_on=dt.date(2020, 1, 1), expires_on=expires),),
        )
        for i in range(n)
    )


def agency(**changes: object) -> AgencySnapshot:
    base: dict[str, object] = {
        "status": AgencyStatus.active,
        "region_code": "330400",
        "filing_province_codes": frozenset({"330000"}),
        "gradings": (grading(G.B),),
        "practitioners": staff(5),
        "misconduct": (),
    }
    base.update(changes)
    return AgencySnapshot.model_validate(base)


def codes(snapshot: AgencySnapshot, level: ProjectLevel = ProjectLevel.city, **kwargs: object) -> list[C]:
    result = check_eligibility(snapshot, level, TODAY, **kwargs)  # type: ignore[arg-type]
    assert result.eligible == (not result.reasons)
    return [r.code for r in result.reasons]


# --- eligibility ----------------------------------------------------------------------------


def test_a_good_agency_is_eligible_everywhere() -> None:
    for level in ProjectLevel:
        result = check_eligibility(agency(), level, TODAY)
        assert result.eligible, result.reasons
        assert result.current_grade is G.B
        assert result.certified_staff == 5
        assert result.province_code == "330000"


def test_not_on_file() -> None:
    assert codes(agency(filing_province_codes=frozenset())) == [C.not_on_file]
    # Filed in Zhejiang, project in Jiangxi: not on file there.
    assert codes(agency(), project_region_code="360100") == [C.not_on_file]
    # Filed in Jiangxi as well: fine for a Jiangxi project.
    both = agency(filing_province_codes=frozenset({"330000", "360000"}))
    assert codes(both, project_region_code="360100") == []


@pytest.mark.parametrize(
    ("status", "code"), [(AgencyStatus.suspended, C.suspended), (AgencyStatus.blacklisted, C.blacklisted)]
)
def test_suspended_or_blacklisted(status: AgencyStatus, code: C) -> None:
    for level in ProjectLevel:
        assert codes(agency(status=status), level) == [code]


def test_ungraded() -> None:
    assert codes(agency(gradings=())) == [C.ungraded]


def test_expired_grade_means_ungraded() -> None:
    snapshot = agency(gradings=(grading(G.A, until=dt.date(2025, 6, 14)),))
    result = check_eligibility(snapshot, ProjectLevel.county, TODAY)
    assert [r.code for r in result.reasons] == [C.grade_expired]
    assert result.current_grade is None
    assert "2025-06-14" in result.reasons[0].message
    # Valid through its last day inclusive.
    assert codes(agency(gradings=(grading(G.A, until=TODAY),))) == []


@pytest.mark.parametrize(
    ("grade", "allowed"),
    [
        (G.A, {ProjectLevel.county, ProjectLevel.city, ProjectLevel.province}),
        (G.B, {ProjectLevel.county, ProjectLevel.city, ProjectLevel.province}),
        (G.C, {ProjectLevel.county, ProjectLevel.city}),
        (G.D, {ProjectLevel.county}),
    ],
)
def test_grade_limits_project_level(grade: AgencyGrade, allowed: set[ProjectLevel]) -> None:
    for level in ProjectLevel:
        got = codes(agency(gradings=(grading(grade),)), level)
        assert got == ([] if level in allowed else [C.grade_too_low]), (grade, level)


def test_grade_too_low_message() -> None:
    result = check_eligibility(agency(gradings=(grading(G.D),)), ProjectLevel.city, TODAY)
    assert result.reasons[0].message == "D级机构最高只能承接县级项目，本项目为市级项目"


def test_certified_staff_must_hold_valid_certificates() -> None:
    assert codes(agency(practitioners=staff(3))) == []
    assert codes(agency(practitioners=staff(2))) == [C.insufficient_certified_staff]
    expired = staff(4, expires=dt.date(2025, 6, 14))
    assert codes(agency(practitioners=staff(2) + expired)) == [C.insufficient_certified_staff]
    left = tuple(p.model_copy(update={"employed": False}) for p in staff(3))
    assert codes(agency(practitioners=staff(2) + left)) == [C.insufficient_certified_staff]
    uncertified = (Practitioner(name="无证人员"),)
    assert codes(agency(practitioners=staff(2) + uncertified)) == [C.insufficient_certified_staff]
    not_yet = (Practitioner(name="新证", certificates=(Certificate(number="N1", issued_on=dt.date(2025, 7, 1)),)),)
    assert codes(agency(practitioners=staff(2) + not_yet)) == [C.insufficient_certified_staff]
    never_expires = (
        Practitioner(name="长期", certificates=(Certificate(number="L1", issued_on=dt.date(2010, 1, 1)),)),
    )
    assert codes(agency(practitioners=staff(2) + never_expires)) == []


def test_one_person_with_two_certificates_counts_once() -> None:
    person = Practitioner(
        name="双证",
        certificates=(
            Certificate(number="A", issued_on=dt.date(2020, 1, 1)),
            Certificate(number="B", issued_on=dt.date(2021, 1, 1)),
        ),
    )
    assert codes(agency(practitioners=(*staff(2), person))) == []
    assert codes(agency(practitioners=(person, person))) == [C.insufficient_certified_staff]


def test_staff_minimum_is_configurable_per_grade() -> None:
    thresholds = GradingThresholds(minimum_certified_staff={G.A: 10, G.B: 6, G.C: 3, G.D: 3})
    assert codes(agency(), thresholds=thresholds) == [C.insufficient_certified_staff]
    result = check_eligibility(agency(), ProjectLevel.city, TODAY, thresholds=thresholds)
    assert result.reasons[0].message == "持有效从业证书的人员 5 人，少于B级机构要求的 6 人"


def test_misconduct_anywhere_in_province_within_a_year() -> None:
    elsewhere_in_province = MisconductRecord(recorded_on=dt.date(2025, 1, 10), region_code="330782")
    assert codes(agency(misconduct=(elsewhere_in_province,))) == [C.recent_misconduct]
    other_province = MisconductRecord(recorded_on=dt.date(2025, 1, 10), region_code="360100")
    assert codes(agency(misconduct=(other_province,))) == []
    # Judged in Jiangxi (where it is also on file), the Jiangxi record counts.
    both = agency(misconduct=(other_province,), filing_province_codes=frozenset({"330000", "360000"}))
    assert codes(both, project_region_code="360121") == [C.recent_misconduct]


def test_misconduct_window_boundary() -> None:
    one_year_ago = MisconductRecord(recorded_on=dt.date(2024, 6, 15), region_code="330400")
    a_day_later = MisconductRecord(recorded_on=dt.date(2024, 6, 16), region_code="330400")
    assert codes(agency(misconduct=(one_year_ago,))) == []
    assert codes(agency(misconduct=(a_day_later,))) == [C.recent_misconduct]
    two_year_rule = EligibilityRules(misconduct_lookback_years=2)
    assert codes(agency(misconduct=(one_year_ago,)), rules=two_year_rule) == [C.recent_misconduct]


def test_every_reason_at_once() -> None:
    snapshot = agency(
        status=AgencyStatus.suspended,
        filing_province_codes=frozenset(),
        gradings=(grading(G.D),),
        practitioners=staff(1),
        misconduct=(MisconductRecord(recorded_on=dt.date(2025, 3, 1), region_code="330421"),),
    )
    result = check_eligibility(snapshot, ProjectLevel.province, TODAY)
    assert not result.eligible
    assert [r.code for r in result.reasons] == [
        C.not_on_file,
        C.suspended,
        C.grade_too_low,
        C.insufficient_certified_staff,
        C.recent_misconduct,
    ]
    assert all(r.message for r in result.reasons)


def test_years_before_handles_leap_day() -> None:
    assert years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)
    assert years_before(dt.date(2025, 6, 15), 1) == dt.date(2024, 6, 15)


# --- current grade --------------------------------------------------------------------------


def test_current_grade_is_latest_valid() -> None:
    old = grading(G.C, graded=dt.date(2023, 1, 1), until=dt.date(2026, 1, 1))
    new = grading(G.B, graded=dt.date(2025, 1, 1), until=dt.date(2026, 1, 1))
    assert current_grade([old, new], TODAY) is G.B
    assert current_grade([new, old], TODAY) is G.B
    # The newer grading expired, the older one is still valid: the older one is current.
    new_expired = grading(G.A, graded=dt.date(2025, 1, 1), until=dt.date(2025, 6, 1))
    assert current_grade([old, new_expired], TODAY) is G.C
    assert current_grading([new_expired], TODAY) is None
    assert current_grade([], TODAY) is None
    future = AgencyGrading(grade=G.A, graded_on=TODAY, valid_from=dt.date(2025, 7, 1), valid_until=dt.date(2027, 1, 1))
    assert current_grade([future], TODAY) is None


def test_grading_validity_must_be_a_period() -> None:
    with pytest.raises(ValidationError):
        AgencyGrading(grade=G.A, graded_on=TODAY, valid_from=TODAY, valid_until=dt.date(2025, 1, 1))


# --- suggested grade ------------------------------------------------------------------------


def crit(projects: int, score: float | None, certified: int, misconduct: int = 0) -> GradingCriteria:
    return GradingCriteria(
        projects_completed=projects,
        average_review_score=score,
        certified_staff=certified,
        misconduct_records=misconduct,
    )


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (crit(20, 85, 10), G.A),
        (crit(50, 99, 30), G.A),
        (crit(20, 85, 10, misconduct=1), G.B),  # A needs a clean record
        (crit(19, 95, 20), G.B),
        (crit(20, 84.9, 20), G.B),
        (crit(20, 90, 9), G.B),
        (crit(10, 75, 6), G.B),
        (crit(10, 75, 6, misconduct=2), G.C),
        (crit(9, 80, 8), G.C),
        (crit(3, 60, 3), G.C),
        (crit(3, 60, 3, misconduct=5), G.C),
        (crit(2, 90, 10), G.D),
        (crit(5, 59.5, 10), G.D),
        (crit(5, 70, 2), G.D),
        (crit(30, None, 12), G.D),  # no reviewed report, no score
        (crit(0, None, 0), G.D),
    ],
)
def test_suggest_grade_defaults(criteria: GradingCriteria, expected: AgencyGrade) -> None:
    assert suggest_grade(criteria) is expected
    assert suggest_grade(criteria, GradingThresholds()) is expected


def test_suggest_grade_respects_configured_thresholds() -> None:
    lenient = GradingThresholds(
        A=GradeThreshold(min_projects=5, min_average_score=70, min_certified_staff=5, max_misconduct=0),
        B=GradeThreshold(min_projects=3, min_average_score=60, min_certified_staff=3, max_misconduct=1),
        C=GradeThreshold(min_projects=1, min_average_score=50, min_certified_staff=3),
    )
    assert suggest_grade(crit(6, 72, 5), lenient) is G.A
    assert suggest_grade(crit(6, 72, 5)) is G.C


def test_staff_minimum_also_gates_a_grade() -> None:
    strict = GradingThresholds(minimum_certified_staff={G.A: 3, G.B: 3, G.C: 5, G.D: 3})
    assert suggest_grade(crit(3, 60, 4), strict) is G.D
    assert suggest_grade(crit(3, 60, 4)) is G.C


def test_unmet_criteria_explains_in_chinese() -> None:
    gaps = unmet_criteria(crit(12, 80, 7, misconduct=1), G.A, GradingThresholds())
    assert gaps == [
        "已完成项目 12 个，A级要求至少 20 个",
        "报告审查平均分 80 分，A级要求至少 85 分",
        "持证从业人员 7 人，A级要求至少 10 人",
        "不良行为记录 1 条，A级不得有不良行为记录",
    ]
    assert unmet_criteria(crit(0, None, 0), G.D, GradingThresholds()) == []


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValidationError):
        GradingThresholds(B=GradeThreshold(min_projects=30, min_average_score=75, min_certified_staff=6))
    with pytest.raises(ValidationError):
        GradingThresholds(A=GradeThreshold(min_projects=20, min_average_score=85, min_certified_staff=10))
    with pytest.raises(ValidationError):
        GradingThresholds(minimum_certified_staff={G.A: 3})


def test_thresholds_load_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="WP_TEST_", env_nested_delimiter="__")
        grading: GradingThresholds = GradingThresholds()

    monkeypatch.setenv(
        "WP_TEST_GRADING__A",
        '{"min_projects": 25, "min_average_score": 90, "min_certified_staff": 12, "max_misconduct": 0}',
    )
    monkeypatch.setenv("WP_TEST_GRADING__MINIMUM_CERTIFIED_STAFF", '{"A": 5, "B": 4, "C": 3, "D": 3}')
    settings = Settings()
    assert settings.grading.A.min_projects == 25
    assert settings.grading.minimum_certified_staff[G.A] == 5
    assert suggest_grade(crit(20, 85, 10), settings.grading) is G.B
