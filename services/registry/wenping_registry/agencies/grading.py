"""Agency grading (机构等级评定): criteria, configurable thresholds, the suggested grade, and which
grading is current.

The thresholds are plain pydantic models with defaults, so a settings class can nest them
(``grading: GradingThresholds = GradingThresholds()``) and a region can override any number
through the environment, e.g. ``WENPING_REGISTRY_GRADING__A__MIN_PROJECTS=25`` with
``env_nested_delimiter="__"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wenping_shared.contracts.vocab import AgencyGrade

#: Best first; the order in which :func:`suggest_grade` tries the grades.
GRADE_ORDER: Final = (AgencyGrade.A, AgencyGrade.B, AgencyGrade.C, AgencyGrade.D)


class GradingCriteria(BaseModel):
    """An agency's performance over the grading period (the grading record)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    projects_completed: int = Field(ge=0, description="已完成稳评项目数")
    average_review_score: float | None = Field(
        default=None, ge=0, le=100, description="报告审查平均得分（0-100）；无审查记录时为空"
    )
    certified_staff: int = Field(ge=0, description="持有效从业证书的人数")
    misconduct_records: int = Field(ge=0, description="评定期内不良行为记录数")


class GradeThreshold(BaseModel):
    """What an agency needs for one grade. ``max_misconduct`` None means no limit."""

    model_config = ConfigDict(frozen=True)

    min_projects: int = Field(ge=0)
    min_average_score: float = Field(ge=0, le=100)
    min_certified_staff: int = Field(ge=0)
    max_misconduct: int | None = Field(default=None, ge=0)


def _default_minimum_staff() -> dict[AgencyGrade, int]:
    return dict.fromkeys(AgencyGrade, 3)


class GradingThresholds(BaseModel):
    """Grading thresholds (defaults below; every number configurable).

    ======  ========  =========  =================  ===============
    grade   projects  avg score  certified staff    misconduct
    ======  ========  =========  =================  ===============
    A       >= 20     >= 85      >= 10              none
    B       >= 10     >= 75      >= 6               at most 1
    C       >= 3      >= 60      >= 3               no limit
    D       otherwise
    ======  ========  =========  =================  ===============

    ``minimum_certified_staff`` is a different rule: the certified staff an agency of each grade
    must keep to take work at all (eligibility), default 3 for every grade.
    """

    A: GradeThreshold = GradeThreshold(min_projects=20, min_average_score=85, min_certified_staff=10, max_misconduct=0)
    B: GradeThreshold = GradeThreshold(min_projects=10, min_average_score=75, min_certified_staff=6, max_misconduct=1)
    C: GradeThreshold = GradeThreshold(min_projects=3, min_average_score=60, min_certified_staff=3)
    minimum_certified_staff: dict[AgencyGrade, int] = Field(default_factory=_default_minimum_staff)

    @model_validator(mode="after")
    def _grades_are_ordered(self) -> Self:
        # A misconfiguration where B is harder than A would make suggestions nonsense.
        for better, worse in ((self.A, self.B), (self.B, self.C)):
            if (
                better.min_projects < worse.min_projects
                or better.min_average_score < worse.min_average_score
                or better.min_certified_staff < worse.min_certified_staff
                or (worse.max_misconduct is not None and (better.max_misconduct or 0) > worse.max_misconduct)
                or (worse.max_misconduct is not None and better.max_misconduct is None)
            ):
                raise ValueError("等级评定标准须逐级递增：A 级不得低于 B 级，B 级不得低于 C 级")
        missing = set(AgencyGrade) - set(self.minimum_certified_staff)
        if missing:
            raise ValueError(f"缺少等级的最低持证人数：{'、'.join(sorted(missing))}")
        if any(n < 0 for n in self.minimum_certified_staff.values()):
            raise ValueError("最低持证人数不能为负数")
        return self

    def threshold(self, grade: AgencyGrade) -> GradeThreshold | None:
        """The threshold of A, B or C; None for D (the floor)."""
        return {AgencyGrade.A: self.A, AgencyGrade.B: self.B, AgencyGrade.C: self.C}.get(grade)


def unmet_criteria(criteria: GradingCriteria, grade: AgencyGrade, thresholds: GradingThresholds) -> list[str]:
    """Why ``criteria`` fall short of ``grade``, in Chinese (empty: the grade is reached)."""
    threshold = thresholds.threshold(grade)
    if threshold is None:
        return []
    gaps: list[str] = []
    if criteria.projects_completed < threshold.min_projects:
        gaps.append(f"已完成项目 {criteria.projects_completed} 个，{grade}级要求至少 {threshold.min_projects} 个")
    score = criteria.average_review_score
    if score is None:
        if threshold.min_average_score > 0:
            gaps.append(f"没有报告审查得分，{grade}级要求平均分至少 {threshold.min_average_score:g} 分")
    elif score < threshold.min_average_score:
        gaps.append(f"报告审查平均分 {score:g} 分，{grade}级要求至少 {threshold.min_average_score:g} 分")
    # A grade also needs the staff minimum an agency of that grade must keep.
    needed_staff = max(threshold.min_certified_staff, thresholds.minimum_certified_staff[grade])
    if criteria.certified_staff < needed_staff:
        gaps.append(f"持证从业人员 {criteria.certified_staff} 人，{grade}级要求至少 {needed_staff} 人")
    if threshold.max_misconduct is not None and criteria.misconduct_records > threshold.max_misconduct:
        allowed = "不得有" if threshold.max_misconduct == 0 else f"至多 {threshold.max_misconduct} 条"
        gaps.append(f"不良行为记录 {criteria.misconduct_records} 条，{grade}级{allowed}不良行为记录")
    return gaps


def suggest_grade(criteria: GradingCriteria, thresholds: GradingThresholds | None = None) -> AgencyGrade:
    """The best grade whose every threshold the criteria meet; D when none is met.

    A suggestion only: the grading committee decides and records the grade with its validity.
    """
    thresholds = thresholds or GradingThresholds()
    for grade in GRADE_ORDER[:-1]:
        if not unmet_criteria(criteria, grade, thresholds):
            return grade
    return AgencyGrade.D


class AgencyGrading(BaseModel):
    """One recorded grading: the grade, when it was given, and its validity (inclusive dates)."""

    model_config = ConfigDict(frozen=True)

    grade: AgencyGrade
    graded_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    criteria: GradingCriteria | None = None

    @model_validator(mode="after")
    def _validity_is_a_period(self) -> Self:
        if self.valid_until < self.valid_from:
            raise ValueError("等级有效期结束日期早于开始日期")
        return self

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until


def current_grading(gradings: Iterable[AgencyGrading], today: dt.date) -> AgencyGrading | None:
    """The latest grading valid today (latest by ``graded_on``, then ``valid_from``); None when
    every grading has expired or none exists — an expired grade means ungraded.
    """
    valid = [g for g in gradings if g.is_valid_on(today)]
    if not valid:
        return None
    return max(valid, key=lambda g: (g.graded_on, g.valid_from))


def current_grade(gradings: Iterable[AgencyGrading], today: dt.date) -> AgencyGrade | None:
    grading = current_grading(gradings, today)
    return grading.grade if grading else None
