"""Grading thresholds and eligibility rules are configuration: one variable overrides one number."""

from __future__ import annotations

import pytest

from wenping_registry.config import RegistrySettings
from wenping_shared.contracts.vocab import AgencyGrade, ProjectLevel


def test_defaults_are_the_documented_ones() -> None:
    settings = RegistrySettings()
    assert (settings.grading.A.min_projects, settings.grading.A.min_average_score, settings.grading.A.min_certified_staff,
            settings.grading.A.max_misconduct) == (20, 85, 10, 0)
    assert settings.grading.minimum_certified_staff[AgencyGrade.D] == 3
    assert settings.eligibility.grade_max_level[AgencyGrade.C] is ProjectLevel.city
    assert settings.eligibility.misconduct_lookback_years == 1


def test_one_environment_variable_overrides_one_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENPING_REGISTRY_GRADING__A__MIN_PROJECTS", "25")
    monkeypatch.setenv("WENPING_REGISTRY_ELIGIBILITY__MISCONDUCT_LOOKBACK_YEARS", "2")
    settings = RegistrySettings()
    assert settings.grading.A.min_projects == 25
    assert settings.grading.A.min_average_score == 85 and settings.grading.B.min_projects == 10
    assert settings.eligibility.misconduct_lookback_years == 2
    assert settings.eligibility.grade_max_level[AgencyGrade.D] is ProjectLevel.county


def test_inconsistent_thresholds_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENPING_REGISTRY_GRADING__B__MIN_PROJECTS", "50")  # harder than A
    with pytest.raises(ValueError, match="逐级递增"):
        RegistrySettings()
