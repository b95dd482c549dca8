from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from wenping_shared import MultiLineText, Text
from wenping_shared.contracts import messages
from wenping_shared.contracts.report import Report
from wenping_shared.contracts.vocab import LabelledEnum

Id = str


class ReviewStatus(LabelledEnum):
    """审查所处状态：待审，或已作出结论。"""

    pending = "pending", "待审"
    decided = "decided", "已出结论"


class ReviewOpen(BaseModel):
    """Intake's hand-off (`wenping_shared.contracts.messages.ReportHandoff`, whose parts it takes)
    carries everything; a reviewer sends only project_id and round."""

    model_config = ConfigDict(extra="forbid")

    project_id: Text = Field(min_length=1, max_length=64)
    round: int = Field(ge=1, le=1000)
    report: Report | None = None
    submitted_on: dt.date | None = None
    project: messages.ProjectFacts | None = None
    document_file: messages.DocumentFileRef | None = None


class ItemJudgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: Literal["pass", "fail", "not_applicable"] = Field(description="审查员的判定")
    comment: MultiLineText | None = Field(default=None, max_length=2000, description="审查意见（推翻自动结果时必填）")


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rectification_deadline: dt.date | None = Field(
        default=None, description="整改期限；不填则按地区配置（退回修改默认30日，重新评估默认60日）；审查通过时不得填写"
    )
    comment: MultiLineText | None = Field(default=None, max_length=2000, description="审查结论说明")


class ReviewItemPublic(BaseModel):
    code: str
    title: str
    category_code: str
    category_title: str
    mode: str
    severity: str
    result: str
    result_label: str
    auto_result: str | None = Field(description="自动审查结果（自动项）")
    overridden: bool = Field(description="审查员是否推翻了自动结果")
    evidence: str
    details: dict[str, Any]
    suggestion: str | None = Field(description="人工项的系统建议（pass/fail），无建议为 null")
    require: str = Field(description="不通过时的整改要求")
    comment: str | None
    judged_by: str | None
    judged_by_name: str | None
    judged_at: dt.datetime | None


class FlippedItem(BaseModel):
    code: str
    title: str
    before: str
    after: str


class ChangedField(BaseModel):
    path: str
    change: Literal["added", "removed", "changed"]
    before: Any = None
    after: Any = None


class ChangesSincePrevious(BaseModel):
    previous_review_id: str
    previous_round: int
    flipped_items: list[FlippedItem]
    changed_fields: list[ChangedField]
    changed_fields_truncated: bool = False


class ReviewSummary(BaseModel):
    id: str
    project_id: str
    project_number: str | None
    project_title: str | None
    report_title: str
    round: int
    status: str
    region_code: str
    responsible_org_name: str | None
    submitted_on: dt.date
    created_at: dt.datetime
    verdict: str | None
    verdict_label: str | None
    score: float | None
    decided_at: dt.datetime | None


class ReviewPublic(ReviewSummary):
    checklist_version: str
    config_source: dict[str, Any] = Field(description="所用地区配置：{region_code, version}；均为 null 表示默认配置")
    responsible_org_id: str | None
    assessor_kind: str
    agency_id: str | None
    agency_org_id: str | None
    registry_unavailable: bool
    opened_by: str
    pending_items: list[str] = Field(description="尚待审查员判定的条目")
    provisional_verdict: str | None = Field(description="按当前各项结果推得的结论（仍有待判定条目时为 null）")
    provisional_score: float
    rectification_deadline: dt.date | None
    decision_comment: str | None
    decided_by: str | None
    document_number: str | None
    issuing_office: str | None
    document_file: dict[str, Any] | None
    items: list[ReviewItemPublic]
    changes_since_previous: ChangesSincePrevious | None
    warning_flags: list[messages.WarningFlagFacts] = Field(
        default_factory=list,
        description="风险监测：该项目报备时与预警台账（高风险不予实施或暂缓实施的决策）相近的条目，随报告移交；"
        "条目详情见受理服务 GET /api/v1/risk-watch/warnings/{warning_id}",
    )
    report: dict[str, Any]
    version: int
