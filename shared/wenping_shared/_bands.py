"""A level read off ordered thresholds (a grade from a score, a risk level from a degree)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

Level = TypeVar("Level")
Number = TypeVar("Number", float, Decimal)


def band_of(value: Number, bands: Iterable[tuple[Number, Level]], below: Level) -> Level:
    """The level of the first ``(minimum, level)`` band, highest minimum first, that ``value``
    reaches (minimums inclusive); ``below`` when it reaches none."""
    return next((level for minimum, level in bands if value >= minimum), below)
