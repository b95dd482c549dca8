"""Per-region review configuration: every threshold the checklist rules use, with the defaults of
domain.md and checklist-v1.yaml. A region overrides any part with a partial dict
(`DEFAULT_CONFIG.with_overrides({"notice_days": 10})`); nested mappings merge key by key.

The model is frozen; its dict-valued fields must be treated as read-only too (they are shared
by every review that uses the config).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wenping_shared.contracts.vocab import (
    AgencyGrade,
    ConsultationGroup,
    ProjectCategory,
    ProjectLevel,
)

from .grading import GradingScheme


class RegionReviewConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    region_code: str | None = Field(default=None, description="region this configuration belongs to")
    # C03.1: minimum characters of each overview element.
    overview_min_length: int = Field(default=20, ge=0)
    # C04.1: minimum number of cited documents.
    basis_min_documents: int = Field(default=3, ge=0)
    # C04.2 (suggestion): documents older than this many years are flagged; the region's list
    # of repealed documents (titles or document numbers).
    document_max_age_years: int = Field(default=15, ge=0)
    repealed_documents: tuple[str, ...] = ()
    # C05.2: minimum public-notice days, counted inclusively.
    notice_days: int = Field(default=7, ge=1)
    # C05.4: minimum experts at the argumentation meeting.
    expert_meeting_min_experts: int = Field(default=3, ge=0)
    # C05.5: minimum assessment period (plan date to report compilation, inclusive) by category.
    assessment_period_days: dict[ProjectCategory, int] = Field(
        default_factory=lambda: {
            ProjectCategory.project: 15,
            ProjectCategory.reform: 15,
            ProjectCategory.policy: 7,
            ProjectCategory.event: 7,
            ProjectCategory.other: 7,
        }
    )
    # C02.3: minimum registry experts in the assessment team.
    team_min_registry_experts: int = Field(default=3, ge=0)
    # C02.2: the highest project level each agency grade may take.
    agency_grade_max_level: dict[AgencyGrade, ProjectLevel] = Field(
        default_factory=lambda: {
            AgencyGrade.A: ProjectLevel.province,
            AgencyGrade.B: ProjectLevel.province,
            AgencyGrade.C: ProjectLevel.city,
            AgencyGrade.D: ProjectLevel.county,
        }
    )
    # C06.1-C06.5: minimum participants in total per must-hear group.
    consultation_min_participants: dict[ConsultationGroup, int] = Field(
        default_factory=lambda: {
            ConsultationGroup.stakeholders: 1,
            ConsultationGroup.key_populations: 1,
            ConsultationGroup.local_government: 1,
            ConsultationGroup.implementing_unit: 1,
            ConsultationGroup.experts: 3,
        }
    )
    # C06.6: stakeholder sample >= min(population, max(sample_minimum, ceil(ratio% x population))).
    sample_ratio_percent: int = Field(default=5, ge=0, le=100)
    sample_minimum: int = Field(default=30, ge=0)
    min_consultation_methods: int = Field(default=2, ge=0)
    # C07.3: an event with this many expected participants must identify crowd safety.
    event_crowd_threshold: int = Field(default=500, ge=1)
    # C07.4 (suggestion): minimum characters of a risk source.
    risk_source_min_length: int = Field(default=15, ge=0)
    # C08.5 (suggestion): stakeholder support thresholds.
    support_low_threshold: Decimal = Field(default=Decimal("0.70"), ge=0, le=1)
    support_high_threshold: Decimal = Field(default=Decimal("0.95"), ge=0, le=1)
    # C09.3 (suggestion): minimum characters of a measure.
    measure_min_length: int = Field(default=20, ge=0)
    grading: GradingScheme = GradingScheme()
    # The decision: default rectification period (days after the decision) per verdict.
    revision_deadline_days: int = Field(default=30, ge=1, le=365)
    reassessment_deadline_days: int = Field(default=60, ge=1, le=730)
    # The feedback letter's document number prefix (发文机关代字), e.g. 嘉政法函; None derives
    # it from the issuing office's name (first character + 政法函).
    document_number_prefix: str | None = Field(default=None, min_length=1, max_length=20)

    def period_days_for(self, category: ProjectCategory | None) -> int:
        """Unknown category -> the strictest period (a missing category must not shorten it)."""
        if category is None or category not in self.assessment_period_days:
            return max(self.assessment_period_days.values(), default=0)
        return self.assessment_period_days[category]

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> RegionReviewConfig:
        """A new config with a region's partial overrides merged in (validated again)."""
        if not overrides:
            return self
        merged = _deep_merge(self.model_dump(mode="python"), overrides)
        return RegionReviewConfig.model_validate(merged)


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        current = out.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            # Enum keys in the base, plain strings in a JSON override: merge by string value.
            cur = {str(k): v for k, v in current.items()}
            out[key] = _deep_merge(cur, {str(k): v for k, v in value.items()})
        else:
            out[key] = value
    return out


DEFAULT_CONFIG = RegionReviewConfig()


def region_config(overrides: Mapping[str, Any] | None = None) -> RegionReviewConfig:
    return DEFAULT_CONFIG.with_overrides(overrides)


__all__ = ["DEFAULT_CONFIG", "RegionReviewConfig", "region_config"]
