"""Scoring one unit (an organisation, or a region's subtree) from its projects: pure functions,
so the rules can be read, and recomputed by hand, in one place.

score = Σ weight × rate (rate indicators; a rate with nothing to count scores its full weight)
        − Σ penalty × cases (penalty indicators), kept within 0..100, rounded to 2 decimals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wenping_shared import band_of
from wenping_shared.contracts.vocab import ProjectStatus, ReviewVerdict

from ..projects.models import Project
from ..targets.models import AssessmentTarget
from .schemas import Grade, Grades, Indicator, Part, Penalties, ProjectRef, Weights

RULES = (
    "得分 = Σ 比率指标分值 × 比率（分母为 0 的指标计满分） − Σ 扣分指标每例扣分 × 例数，限定在 0～100 分，保留两位小数。"
    "统计对象为考核年度（项目年度）内已报备的项目：单位按责任单位，区划含下级。"
    "应评尽评 = 决策清单事项中评估报告已审查通过的 / 清单事项；目标完成 = 已完成的目标 / 该单位（或该区划本级）的目标；"
    "按时完成 = 审查通过日期不晚于评估完成时限的 / 已审查通过且有时限的；首次审查通过率 = 第 1 轮审查通过的 / 第 1 轮已有审查结论的；"
    "效果评价完成 = 已报送效果评价的 / 进入跟踪问效、已评价的项目；退回重新评估按轮次计；未评先建按报备时已实施的项目计；"
    "未完成整改与问责追责按督查整改和问责记录计（尚无记录时为 0）。"
    "实施中发生事件按跟踪期间报告的事件计（方案未设定每例扣分时为 0，只列例数）。"
)

TRACKED = {ProjectStatus.tracking, ProjectStatus.evaluated}


@dataclass
class UnitFacts:
    """What the scoring reads about a unit, gathered by the service."""

    projects: Sequence[Project]
    targets: Sequence[tuple[AssessmentTarget, bool]] = ()
    first_verdicts: dict[str, str] = field(default_factory=dict)
    reassessment_returns: dict[str, int] = field(default_factory=dict)
    evaluated: set[str] = field(default_factory=set)
    open_rectifications: dict[str, int] = field(default_factory=dict)
    accountability_actions: dict[str, int] = field(default_factory=dict)
    incidents: dict[str, int] = field(default_factory=dict)


def _ref(project: Project, counted: bool) -> ProjectRef:
    return ProjectRef(id=project.id, number=project.number, title=project.title, counted=counted)


def _rate_part(indicator: Indicator, weight: float, considered: Sequence[tuple[Project, bool]]) -> Part:
    numerator = sum(1 for _, counted in considered if counted)
    denominator = len(considered)
    rate = numerator / denominator if denominator else None
    return Part(
        indicator=indicator, label=indicator.label, kind="rate", weight=weight, numerator=numerator,
        denominator=denominator, rate=None if rate is None else round(rate, 4),
        points=round(weight * (1.0 if rate is None else rate), 2),
        projects=[_ref(p, counted) for p, counted in considered],
    )


def _penalty_part(indicator: Indicator, per_case: float, cases: Sequence[tuple[Project, int]]) -> Part:
    count = sum(n for _, n in cases)
    return Part(
        indicator=indicator, label=indicator.label, kind="penalty", weight=per_case, numerator=count,
        denominator=None, rate=None, points=round(-per_case * count, 2) or 0.0,  # never -0.0
        projects=[_ref(p, True) for p, n in cases if n],
    )


def score_parts(facts: UnitFacts, weights: Weights, penalties: Penalties) -> list[Part]:
    projects = facts.projects
    listed = [(p, p.approved_on is not None) for p in projects if p.decision_list_id]
    timed = [(p, p.approved_on <= p.deadline) for p in projects if p.approved_on and p.deadline]
    first = [(p, facts.first_verdicts[p.id] == ReviewVerdict.approved) for p in projects if p.id in facts.first_verdicts]
    tracked = [(p, p.id in facts.evaluated) for p in projects if p.status in TRACKED or p.id in facts.evaluated]
    targets = Part(
        indicator=Indicator.targets, label=Indicator.targets.label, kind="rate", weight=weights.targets,
        numerator=sum(1 for _, met in facts.targets if met), denominator=len(facts.targets),
        rate=None, points=weights.targets, projects=[], targets=[t.id for t, _ in facts.targets],
    )
    if facts.targets:
        targets.rate = round(targets.numerator / len(facts.targets), 4)
        targets.points = round(weights.targets * targets.numerator / len(facts.targets), 2)
    return [
        _rate_part(Indicator.coverage, weights.coverage, listed),
        targets,
        _rate_part(Indicator.on_time, weights.on_time, timed),
        _rate_part(Indicator.first_pass, weights.first_pass, first),
        _rate_part(Indicator.effect_evaluation, weights.effect_evaluation, tracked),
        _penalty_part(Indicator.reassessment_returns, penalties.reassessment_returns,
                      [(p, facts.reassessment_returns.get(p.id, 0)) for p in projects]),
        _penalty_part(Indicator.built_before_assessed, penalties.built_before_assessed,
                      [(p, int(p.already_implemented)) for p in projects]),
        _penalty_part(Indicator.open_rectifications, penalties.open_rectifications,
                      [(p, facts.open_rectifications.get(p.id, 0)) for p in projects]),
        _penalty_part(Indicator.accountability_actions, penalties.accountability_actions,
                      [(p, facts.accountability_actions.get(p.id, 0)) for p in projects]),
        _penalty_part(Indicator.incidents, penalties.incidents, [(p, facts.incidents.get(p.id, 0)) for p in projects]),
    ]


def total(parts: Sequence[Part]) -> float:
    return round(min(max(sum(part.points for part in parts), 0.0), 100.0), 2)


def grade(score: float, grades: Grades) -> Grade:
    bands = ((grades.excellent, Grade.excellent), (grades.good, Grade.good), (grades.passed, Grade.passed))
    return band_of(score, bands, Grade.failed)


def ranks(scores: Sequence[float]) -> list[int]:
    """Competition ranking (1, 1, 3): equal scores share a rank."""
    return [1 + sum(1 for other in scores if other > score) for score in scores]
