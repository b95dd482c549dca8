"""Risk grading schemes (风险等级判定): factor level by R = P x I, overall level, and which
recommendations fit which overall level.

R is computed in exact decimal arithmetic on the stated numbers (Decimal(repr(float))), so
0.8 x 0.8 is exactly 0.64 (major) and never 0.6400000000000001 or 0.6399999999999999.
Boundaries (default scheme): major R >= 0.64; significant 0.36 <= R < 0.64; moderate
0.16 <= R < 0.36; minor 0.04 <= R < 0.16; negligible R < 0.04.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wenping_shared import band_of
from wenping_shared.contracts.vocab import FactorLevel, OverallLevel, Recommendation

FACTOR_RANK: Mapping[FactorLevel, int] = {
    FactorLevel.negligible: 0,
    FactorLevel.minor: 1,
    FactorLevel.moderate: 2,
    FactorLevel.significant: 3,
    FactorLevel.major: 4,
}
OVERALL_RANK: Mapping[OverallLevel, int] = {
    OverallLevel.low: 0,
    OverallLevel.medium: 1,
    OverallLevel.high: 2,
}


def to_decimal(x: float | Decimal) -> Decimal:
    """The decimal the client wrote: repr() of a float is its shortest round-trip form."""
    if isinstance(x, Decimal):
        return x
    return Decimal(repr(x)) if isinstance(x, float) else Decimal(x)


def risk_degree(probability: float, impact: float) -> Decimal:
    """R = P x I, exactly."""
    return to_decimal(probability) * to_decimal(impact)


def probability_band(p: float) -> str:
    """The national outline's five bands (很高 0.81-1 ... 很低 0-0.2), for evidence text."""
    d = to_decimal(p)
    if d > Decimal("0.8"):
        return "很高"
    if d > Decimal("0.6"):
        return "较高"
    if d > Decimal("0.4"):
        return "中等"
    if d > Decimal("0.2"):
        return "较低"
    return "很低"


class StackingRule(BaseModel):
    """Overall level by counting factor levels (叠加法)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    high_if_major_at_least: int = Field(default=1, ge=1)
    high_if_significant_at_least: int = Field(default=2, ge=1)
    medium_if_significant_at_least: int = Field(default=1, ge=1)
    medium_if_moderate_at_least: int = Field(default=3, ge=1)


_FIT: dict[OverallLevel, tuple[Recommendation, ...]] = {
    OverallLevel.high: (Recommendation.reject, Recommendation.defer),
    OverallLevel.medium: (Recommendation.defer, Recommendation.implement_with_measures),
    OverallLevel.low: (Recommendation.implement, Recommendation.implement_with_measures),
}
"""Which recommendations fit each overall level by default (domain.md)."""


class GradingScheme(BaseModel):
    """A region's grading scheme; versioned so a review records which one it used."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = "default-v1"
    method: Literal["stacking", "index"] = "stacking"
    # Lower bounds (inclusive) of each factor level; below `minor_min` is negligible.
    major_min: Decimal = Decimal("0.64")
    significant_min: Decimal = Decimal("0.36")
    moderate_min: Decimal = Decimal("0.16")
    minor_min: Decimal = Decimal("0.04")
    stacking: StackingRule = StackingRule()
    # Index method: weighted sum of R; lower bounds (inclusive) of high and medium.
    index_high_min: Decimal = Decimal("0.64")
    index_medium_min: Decimal = Decimal("0.36")
    recommendation_fit: dict[OverallLevel, tuple[Recommendation, ...]] = Field(default_factory=lambda: dict(_FIT))

    @model_validator(mode="after")
    def _ordered(self) -> GradingScheme:
        if not (Decimal(0) < self.minor_min < self.moderate_min < self.significant_min < self.major_min):
            raise ValueError("factor thresholds must rise: minor < moderate < significant < major")
        if not (Decimal(0) < self.index_medium_min < self.index_high_min):
            raise ValueError("index thresholds must rise: medium < high")
        missing = set(OverallLevel) - set(self.recommendation_fit)
        if missing:
            raise ValueError(f"recommendation_fit lacks {sorted(missing)}")
        return self

    # --- factor level --------------------------------------------------------------------

    def level_for_degree(self, r: Decimal) -> FactorLevel:
        bands = (
            (self.major_min, FactorLevel.major),
            (self.significant_min, FactorLevel.significant),
            (self.moderate_min, FactorLevel.moderate),
            (self.minor_min, FactorLevel.minor),
        )
        return band_of(r, bands, FactorLevel.negligible)

    def factor_level(self, probability: float, impact: float) -> FactorLevel:
        return self.level_for_degree(risk_degree(probability, impact))

    def band_text(self, level: FactorLevel) -> str:
        """The R interval of a level, e.g. '0.36≤R<0.64', for evidence."""
        if level is FactorLevel.major:
            return f"R≥{self.major_min}"
        if level is FactorLevel.significant:
            return f"{self.significant_min}≤R<{self.major_min}"
        if level is FactorLevel.moderate:
            return f"{self.moderate_min}≤R<{self.significant_min}"
        if level is FactorLevel.minor:
            return f"{self.minor_min}≤R<{self.moderate_min}"
        return f"R<{self.minor_min}"

    # --- overall level -------------------------------------------------------------------

    def overall_by_stacking(self, levels: Iterable[FactorLevel]) -> OverallLevel:
        major = significant = moderate = 0
        for lv in levels:
            if lv == FactorLevel.major:
                major += 1
            elif lv == FactorLevel.significant:
                significant += 1
            elif lv == FactorLevel.moderate:
                moderate += 1
        s = self.stacking
        if major >= s.high_if_major_at_least or significant >= s.high_if_significant_at_least:
            return OverallLevel.high
        if (
            significant >= s.medium_if_significant_at_least
            or moderate >= s.medium_if_moderate_at_least
        ):
            return OverallLevel.medium
        return OverallLevel.low

    def overall_index(self, degrees_and_weights: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal:
        """Weighted mean of R. Weights are normalised by their sum (so weights that sum to 1 give
        the plain weighted sum); when any factor lacks a weight, all weigh equally."""
        pairs = list(degrees_and_weights)
        if not pairs:
            return Decimal(0)
        if any(w is None for _, w in pairs) or sum((w for _, w in pairs if w is not None), Decimal(0)) == 0:
            return sum((r for r, _ in pairs), Decimal(0)) / len(pairs)
        total_w = sum((w for _, w in pairs if w is not None), Decimal(0))
        return sum((r * w for r, w in pairs if w is not None), Decimal(0)) / total_w

    def overall_by_index(self, index: Decimal) -> OverallLevel:
        bands = ((self.index_high_min, OverallLevel.high), (self.index_medium_min, OverallLevel.medium))
        return band_of(index, bands, OverallLevel.low)

    # --- recommendation ------------------------------------------------------------------

    def fits(self, level: OverallLevel, recommendation: Recommendation) -> bool:
        return recommendation in self.recommendation_fit[level]


DEFAULT_SCHEME = GradingScheme()

__all__ = [
    "DEFAULT_SCHEME",
    "FACTOR_RANK",
    "OVERALL_RANK",
    "GradingScheme",
    "StackingRule",
    "probability_band",
    "risk_degree",
    "to_decimal",
]
