from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from wenping_shared import Text
from wenping_shared.contracts.report import Report


class PrecheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: Report
    project_id: Text | None = Field(default=None, min_length=1, max_length=64)


# The items are typed dicts, not models: a precheck answers 45 of them per request and building a
# model each (plus a recursive walk to make their details plain) was a quarter of the route's time
# (cProfile of bench/review_bench.py); they are written in one json.dumps pass by `precheck_json`.
class PrecheckItem(TypedDict):
    code: str
    title: str
    category_code: str
    severity: str
    result: str
    evidence: str
    details: dict[str, Any]
    require: str


class ManualSuggestion(TypedDict):
    code: str
    title: str
    category_code: str
    suggestion: str | None
    evidence: str


class PrecheckResult(BaseModel):
    checklist_version: str
    project_id: str | None
    submitted_on: str = Field(description="按今天报送计算（YYYY-MM-DD）")
    config_source: dict[str, Any]
    items: list[PrecheckItem] = Field(description="全部自动审查项的结果")
    manual_items: list[ManualSuggestion] = Field(description="人工审查项及系统建议（仅供参考）")
    counts: dict[str, int]
    failed_items: list[str]
    pending_items: list[str] = Field(description="暂无法自动判定的条目（如注册服务不可用）")
    provisional_verdict: str = Field(description="假定人工项及待定项均通过时的预计结论")
    provisional_score: float = Field(description="假定人工项及待定项均通过时的预计得分")
    registry_unavailable: bool


def _plain(value: Any) -> Any:
    """What json.dumps cannot write by itself in the engine's details: Decimal thresholds as
    numbers, dates as ISO text, enums by value, sets as lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return list(value)
    return str(value)


def precheck_json(result: PrecheckResult) -> bytes:
    """The answer as JSON, written in one pass (compact, UTF-8, fields in declaration order)."""
    return json.dumps(dict(result), ensure_ascii=False, separators=(",", ":"), default=_plain).encode()
