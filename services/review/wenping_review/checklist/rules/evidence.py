"""How the rules write evidence: quoted excerpts, level labels, dates and numbers, in the
words a reviewer reads in the review and the feedback letter."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from wenping_shared.contracts.report import RiskFactor
from wenping_shared.contracts.vocab import FactorLevel, OverallLevel, label_of

NO_PROJECT = "预审未关联项目，本项需核对项目信息，不适用"
REVIEWER_DECIDES = "本项无自动规则，由审查人员人工判定"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text_of(value: str | None) -> str:
    """The text without surrounding white space ('' for None)."""
    return (value or "").strip()


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def days_inclusive(start: dt.date, end: dt.date) -> int:
    """Calendar days from start to end, both inclusive."""
    return (end - start).days + 1


def quoted(text: str | None, limit: int = 30) -> str:
    """A quoted excerpt of report text for evidence."""
    s = (text or "").strip()
    return "「" + (s if len(s) <= limit else s[:limit] + "…") + "」"


def factor_level_text(level: object) -> str:
    return label_of(FactorLevel, str(level)) if level is not None else "未载明"


def overall_level_text(level: object) -> str:
    return label_of(OverallLevel, str(level)) if level is not None else "未载明"


def risk_name(index: int, risk: RiskFactor) -> str:
    """The risk's id (or its position) and a short quote of its title."""
    ident = risk.id or f"第{index + 1}项"
    return f"{ident}{quoted(risk.title, 20)}" if risk.title else ident


def joined(parts: Iterable[str], sep: str = "；") -> str:
    return sep.join(parts)


def decimal_text(x: Decimal) -> str:
    s = format(x.normalize(), "f")
    return s if s != "-0" else "0"


def without_spaces(text: str | None) -> str:
    """Text compared for length and sameness: white space does not count."""
    return re.sub(r"\s+", "", text or "")


def plain(d: dict[str, Any]) -> dict[str, Any]:
    """Enum members -> their values, so details are plain JSON."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out[k] = plain(v)
        elif hasattr(v, "value") and isinstance(v.value, str):
            out[k] = v.value
        else:
            out[k] = v
    return out


__all__ = [
    "NO_PROJECT",
    "REVIEWER_DECIDES",
    "days_inclusive",
    "decimal_text",
    "factor_level_text",
    "is_blank",
    "iso",
    "joined",
    "overall_level_text",
    "plain",
    "quoted",
    "risk_name",
    "text_of",
    "without_spaces",
]
