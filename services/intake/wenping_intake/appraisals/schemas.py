"""Request and response models of the appraisal API, and the built-in scoring scheme."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wenping_shared import Text
from wenping_shared.contracts.vocab import LabelledEnum


class Indicator(LabelledEnum):
    coverage = "coverage", "应评尽评（清单事项评估率）"
    targets = "targets", "目标完成"
    on_time = "on_time", "按时完成"
    first_pass = "first_pass", "首次审查通过率"
    effect_evaluation = "effect_evaluation", "效果评价完成"
    reassessment_returns = "reassessment_returns", "退回重新评估"
    built_before_assessed = "built_before_assessed", "未评先建"
    open_rectifications = "open_rectifications", "未完成整改"
    accountability_actions = "accountability_actions", "被问责追责"
    incidents = "incidents", "实施中发生事件"


class Grade(LabelledEnum):
    excellent = "excellent", "优秀"
    good = "good", "良好"
    passed = "pass", "合格"
    failed = "fail", "不合格"


class Weights(BaseModel):
    """各比率指标的分值（比率为 100% 时得满分），合计 100。"""

    model_config = ConfigDict(extra="forbid")

    coverage: float = Field(ge=0, le=100, description="应评尽评的分值")
    targets: float = Field(ge=0, le=100, description="目标完成的分值")
    on_time: float = Field(ge=0, le=100, description="按时完成的分值")
    first_pass: float = Field(ge=0, le=100, description="首次审查通过率的分值")
    effect_evaluation: float = Field(ge=0, le=100, description="效果评价完成的分值")

    @model_validator(mode="after")
    def _hundred(self) -> Weights:
        if abs(sum(self.model_dump().values()) - 100) > 1e-9:
            raise ValueError("各项分值之和须为 100")
        return self


class Penalties(BaseModel):
    """各扣分指标的每例扣分。"""

    model_config = ConfigDict(extra="forbid")

    reassessment_returns: float = Field(ge=0, le=100, description="每个退回重新评估的轮次扣分")
    built_before_assessed: float = Field(ge=0, le=100, description="每个未评先建项目扣分")
    open_rectifications: float = Field(ge=0, le=100, description="每项未完成整改扣分")
    accountability_actions: float = Field(ge=0, le=100, description="每次问责追责扣分")
    # A default of 0: versions published before incidents were counted score as they did (the
    # cases are still listed); a new version sets a penalty.
    incidents: float = Field(0, ge=0, le=100, description="每起实施中发生的事件扣分（未设定时为 0，只计例数）")


class Grades(BaseModel):
    """各等次的最低分；低于合格线为不合格。"""

    model_config = ConfigDict(extra="forbid")

    excellent: float = Field(ge=0, le=100, description="优秀的最低分")
    good: float = Field(ge=0, le=100, description="良好的最低分")
    passed: float = Field(ge=0, le=100, description="合格的最低分")

    @model_validator(mode="after")
    def _ordered(self) -> Grades:
        if not self.excellent > self.good > self.passed:
            raise ValueError("等次分数线须满足 优秀 > 良好 > 合格")
        return self


DEFAULT_WEIGHTS = Weights(coverage=25, targets=20, on_time=20, first_pass=20, effect_evaluation=15)
DEFAULT_PENALTIES = Penalties(reassessment_returns=2, built_before_assessed=5, open_rectifications=2, accountability_actions=3)
DEFAULT_GRADES = Grades(excellent=90, good=75, passed=60)


class SchemeSet(BaseModel):
    """区划评分方案的新版本（旧版本保留，考核结果记录所用版本）。"""

    model_config = ConfigDict(extra="forbid")

    weights: Weights = Field(description="各比率指标的分值")
    penalties: Penalties = Field(description="各扣分指标的每例扣分")
    grades: Grades = Field(description="等次分数线")
    note: Text | None = Field(default=None, max_length=500, description="修订说明")


class SchemePublic(BaseModel):
    """一个版本的评分方案。"""

    region_code: str = Field(description="方案所属区划；000000 为系统内置方案")
    version: int = Field(description="方案版本（内置方案为 0）")
    weights: Weights = Field(description="各比率指标的分值")
    penalties: Penalties = Field(description="各扣分指标的每例扣分")
    grades: Grades = Field(description="等次分数线")
    note: str | None
    created_by: str | None
    created_at: dt.datetime | None


class ProjectRef(BaseModel):
    """得分项背后的一个项目。"""

    id: str
    number: str
    title: str
    counted: bool = Field(description="是否计入分子（比率指标）或扣分（扣分指标）")


class Part(BaseModel):
    """一项指标的得分及其依据。"""

    indicator: Indicator = Field(description="指标")
    label: str
    kind: str = Field(description="rate 比率指标（分值×比率）或 penalty 扣分指标（每例扣分×例数）")
    weight: float = Field(description="比率指标的分值，或扣分指标的每例扣分")
    numerator: int = Field(description="比率指标的分子，或扣分指标的例数")
    denominator: int | None = Field(description="比率指标的分母（扣分指标为 null）")
    rate: float | None = Field(description="比率（分母为 0 时为 null，计满分）")
    points: float = Field(description="得分（扣分指标为负数）")
    projects: list[ProjectRef] = Field(description="该项背后的项目（下钻）")
    targets: list[str] = Field(default_factory=list, description="目标完成项背后的目标 ID")


class UnitScore(BaseModel):
    """一个单位或区划的年度考核得分。"""

    kind: str = Field(description="organization 单位 或 region 区划")
    id: str = Field(description="单位 ID 或区划代码")
    name: str | None
    region_code: str
    rank: int = Field(description="名次，同分同名次：单位在各单位中排名，区划在同级区划（省、市、县级）中排名")
    score: float
    grade: Grade
    grade_label: str
    scheme_region_code: str = Field(description="计分所用方案的区划（000000 为内置方案）")
    scheme_version: int = Field(description="计分所用方案的版本")
    parts: list[Part] = Field(description="各指标的得分及其依据")


class AppraisalTable(BaseModel):
    """某区划（含下级）一个年度的考核表。"""

    year: int
    region_code: str
    scheme: SchemePublic = Field(description="本次计分所用方案（结果的每一行也记录其版本）")
    rules: str = Field(description="计分规则说明")
    organizations: list[UnitScore] = Field(description="各单位的得分，按名次排列")
    regions: list[UnitScore] = Field(description="各区划（含下级）的得分，按级别（省、市、县）再按名次排列")
