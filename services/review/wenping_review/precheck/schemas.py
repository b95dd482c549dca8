from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wenping_shared import Text
from wenping_shared.contracts.report import Report


class PrecheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: Report
    project_id: Text | None = Field(default=None, min_length=1, max_length=64)


class PrecheckItem(BaseModel):
    code: str
    title: str
    category_code: str
    severity: str
    result: str
    evidence: str
    details: dict[str, Any]
    require: str


class ManualSuggestion(BaseModel):
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
