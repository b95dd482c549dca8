"""May this agency take this assessment? (机构承接资格)

A pure function over a snapshot of the agency. It answers eligible or not with *every* reason,
so the user fixes everything at once:

- not on file (未备案) with the political-legal committee of the project's province;
- suspended or blacklisted (a suspended agency takes nothing);
- ungraded, or its grade expired (an expired grade means ungraded);
- grade too low for the project level (default: D county only; C up to city; A and B any);
- fewer practitioners with a certificate valid today than its grade requires (default 3);
- a misconduct record anywhere in the same province within the last year
  ("一处失信、全省受限").

"The same province" is the project's province when the caller knows the project's region,
otherwise the agency's own; the filing is judged for that province too ("一地备案、全省通行").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wenping_shared.contracts.messages import EligibilityReason, EligibilityReasonCode
from wenping_shared.contracts.vocab import (
    PROJECT_LEVEL_RANK,
    AgencyGrade,
    AgencyStatus,
    ProjectLevel,
    label,
)

from .grading import AgencyGrading, GradingThresholds, current_grading


class Certificate(BaseModel):
    """A practitioner's qualification certificate (从业资格证书); dates inclusive."""

    model_config = ConfigDict(frozen=True)

    number: str
    issued_on: dt.date
    expires_on: dt.date | None = None
    """None: the certificate does not expire."""

    def is_valid_on(self, day: dt.date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)


class Practitioner(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    employed: bool = True
    """False once the person has left the agency: their certificate no longer counts for it."""
    certificates: tuple[Certificate, ...] = ()

    def is_certified_on(self, day: dt.date) -> bool:
        return self.employed and any(c.is_valid_on(day) for c in self.certificates)


class MisconductRecord(BaseModel):
    """A misconduct record (不良行为记录), dated by its decision, where it happened."""

    model_config = ConfigDict(frozen=True)

    recorded_on: dt.date
    region_code: str = Field(pattern=r"^\d{6}$")
    description: str = ""


class AgencySnapshot(BaseModel):
    """The agency as the registry knows it at the moment of the question."""

    model_config = ConfigDict(frozen=True)

    status: AgencyStatus
    region_code: str = Field(pattern=r"^\d{6}$")
    filing_province_codes: frozenset[str] = frozenset()
    """Provinces whose political-legal committee keeps the agency on file (xx0000 codes)."""
    gradings: tuple[AgencyGrading, ...] = ()
    practitioners: tuple[Practitioner, ...] = ()
    misconduct: tuple[MisconductRecord, ...] = ()


class EligibilityRules(BaseModel):
    """Configurable parts of the rules (nest in settings like :class:`GradingThresholds`)."""

    model_config = ConfigDict(frozen=True)

    grade_max_level: dict[AgencyGrade, ProjectLevel] = Field(
        default_factory=lambda: {
            AgencyGrade.A: ProjectLevel.province,
            AgencyGrade.B: ProjectLevel.province,
            AgencyGrade.C: ProjectLevel.city,
            AgencyGrade.D: ProjectLevel.county,
        }
    )
    misconduct_lookback_years: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _every_grade_has_a_level(self) -> Self:
        missing = set(AgencyGrade) - set(self.grade_max_level)
        if missing:
            raise ValueError(f"缺少等级的承接范围：{'、'.join(sorted(missing))}")
        return self


class AgencyEligibility(BaseModel):
    """The answer; ``reasons`` is empty exactly when ``eligible``."""

    model_config = ConfigDict(frozen=True)

    eligible: bool
    reasons: tuple[EligibilityReason, ...]
    project_level: ProjectLevel
    province_code: str
    current_grade: AgencyGrade | None
    certified_staff: int


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def province_of(region_code: str) -> str:
    """The xx0000 province code of a GB/T 2260 code."""
    return f"{region_code[:2]}0000"


def check_eligibility(
    snapshot: AgencySnapshot,
    project_level: ProjectLevel,
    today: dt.date,
    *,
    project_region_code: str | None = None,
    thresholds: GradingThresholds | None = None,
    rules: EligibilityRules | None = None,
) -> AgencyEligibility:
    """Judge the agency for a project of ``project_level``; every failing rule is a reason."""
    thresholds = thresholds or GradingThresholds()
    rules = rules or EligibilityRules()
    province = province_of(project_region_code or snapshot.region_code)
    reasons: list[EligibilityReason] = []

    def fail(code: EligibilityReasonCode, message: str) -> None:
        reasons.append(EligibilityReason(code=code, message=message))

    if province not in {province_of(code) for code in snapshot.filing_province_codes}:
        fail(EligibilityReasonCode.not_on_file, f"机构未在本省（{province}）政法委备案，其报告不予受理")

    if snapshot.status is AgencyStatus.suspended:
        fail(EligibilityReasonCode.suspended, "机构已被暂停，暂停期间不得承接稳评业务")
    elif snapshot.status is AgencyStatus.blacklisted:
        fail(EligibilityReasonCode.blacklisted, "机构已被列入黑名单，不得承接稳评业务")

    grading = current_grading(snapshot.gradings, today)
    if grading is None:
        expired = [g for g in snapshot.gradings if g.valid_until < today]
        if expired:
            last = max(expired, key=lambda g: g.valid_until)
            fail(
                EligibilityReasonCode.grade_expired,
                f"机构等级已过期（{label(last.grade)}，有效期至 {last.valid_until.isoformat()}），视为未定级",
            )
        else:
            fail(EligibilityReasonCode.ungraded, "机构尚未评定等级（或等级尚未生效）")
    else:
        grade = grading.grade
        max_level = rules.grade_max_level[grade]
        if PROJECT_LEVEL_RANK[project_level] > PROJECT_LEVEL_RANK[max_level]:
            fail(
                EligibilityReasonCode.grade_too_low,
                f"{label(grade)}机构最高只能承接{label(max_level)}项目，本项目为{label(project_level)}项目",
            )

    certified = sum(1 for p in snapshot.practitioners if p.is_certified_on(today))
    if grading is not None:
        required = thresholds.minimum_certified_staff[grading.grade]
        if certified < required:
            fail(
                EligibilityReasonCode.insufficient_certified_staff,
                f"持有效从业证书的人员 {certified} 人，少于{label(grading.grade)}机构要求的 {required} 人",
            )

    recent = _recent_misconduct(snapshot.misconduct, province, today, rules.misconduct_lookback_years)
    if recent:
        latest = max(recent, key=lambda r: r.recorded_on)
        fail(
            EligibilityReasonCode.recent_misconduct,
            f"近{rules.misconduct_lookback_years}年内在本省有 {len(recent)} 条不良行为记录"
            f"（最近一条：{latest.recorded_on.isoformat()}，{latest.region_code}），全省范围内限制承接",
        )

    return AgencyEligibility(
        eligible=not reasons,
        reasons=tuple(reasons),
        project_level=project_level,
        province_code=province,
        current_grade=grading.grade if grading else None,
        certified_staff=certified,
    )


def _recent_misconduct(
    records: Iterable[MisconductRecord], province: str, today: dt.date, years: int
) -> list[MisconductRecord]:
    # A record restricts from its date until the same day `years` later (exclusive).
    since = years_before(today, years)
    return [r for r in records if province_of(r.region_code) == province and r.recorded_on > since]
