"""Request and response models of the project API (input models forbid unknown fields)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wenping_shared import CrossFieldError, MultiLineText, Text
from wenping_shared.contracts.vocab import (
    AssessorKind,
    FilingBatch,
    Initiation,
    Interest,
    OverallLevel,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    ProjectSubKind,
    Recommendation,
    TransitionAction,
)

from ..risk_watch.schemas import WarningFlagPublic

Title = Annotated[Text, Field(min_length=1, max_length=200, description="事项名称")]
OrgId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _strip_required(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("不能为空")
    return value


class ProjectFields(BaseModel):
    """The fields a filer states about a decision, with their cross-field rules."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    category: ProjectCategory = Field(description="事项类别")
    sub_kind: ProjectSubKind | None = Field(None, description="工程项目子类（仅 category=project，且必填）")
    expected_participants: int | None = Field(
        None, ge=0, le=100_000_000, description="预计参与人数（仅 category=event，且必填）"
    )
    initiation: Initiation = Field(Initiation.initiation, description="评估启动方式（立项评估/申报评估）")
    filing_batch: FilingBatch = Field(FilingBatch.ad_hoc, description="报备批次")
    interests: list[Interest] = Field(default_factory=list, max_length=20, description="涉及的利益领域")
    affected_population: int | None = Field(None, ge=0, le=2_000_000_000, description="影响人口")
    description: MultiLineText | None = Field(None, max_length=5000, description="事项简介")
    implementing_unit_name: Text | None = Field(None, max_length=200, description="实施单位名称")
    implementing_org_id: OrgId | None = Field(None, description="实施单位在机构库中的ID（可选）")
    planned_decision_date: dt.date | None = Field(None, description="计划决策日期")
    deadline: dt.date | None = Field(None, description="评估完成时限")
    already_implemented: bool = Field(False, description="是否已先行实施（未评先干）")

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _strip_required(value)

    @field_validator("interests")
    @classmethod
    def _interests(cls, value: list[Interest]) -> list[Interest]:
        return list(dict.fromkeys(value))  # a repeated interest means the same thing once

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.category == ProjectCategory.project and self.sub_kind is None:
            raise CrossFieldError("重大工程项目须填写工程子类（sub_kind）", "sub_kind")
        if self.category != ProjectCategory.project and self.sub_kind is not None:
            raise CrossFieldError("只有重大工程项目可以填写工程子类（sub_kind）", "sub_kind")
        if self.category == ProjectCategory.event and self.expected_participants is None:
            raise CrossFieldError("重大活动须填写预计参与人数（expected_participants）", "expected_participants")
        if self.category != ProjectCategory.event and self.expected_participants is not None:
            raise CrossFieldError("只有重大活动可以填写预计参与人数（expected_participants）", "expected_participants")
        if self.deadline and self.planned_decision_date and self.deadline > self.planned_decision_date:
            raise CrossFieldError(
                "评估完成时限（deadline）不得晚于计划决策日期（planned_decision_date）", "deadline", "planned_decision_date"
            )
        return self


class ProjectCreate(ProjectFields):
    """报备: region and responsible organisation come from the caller's token."""

    @field_validator("initiation")
    @classmethod
    def _not_designation(cls, value: Initiation) -> Initiation:
        if value == Initiation.designation:
            raise ValueError("指定评估由维稳办负责人通过 POST /api/v1/projects/designations 创建")
        return value


class DesignationCreate(ProjectFields):
    """指定评估: a supervisor designates a department of their region subtree to assess a decision."""

    responsible_org_id: OrgId = Field(description="被指定开展评估的责任单位（须在本辖区内）")
    initiation: Initiation = Field(Initiation.designation, description="固定为 designation")

    @field_validator("initiation")
    @classmethod
    def _designation(cls, value: Initiation) -> Initiation:
        if value != Initiation.designation:
            raise ValueError("指定评估的 initiation 只能为 designation")
        return value


class ProjectUpdate(BaseModel):
    """PATCH: only these fields, only while draft or filed."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    category: ProjectCategory | None = None
    sub_kind: ProjectSubKind | None = None
    expected_participants: int | None = Field(None, ge=0, le=100_000_000)
    filing_batch: FilingBatch | None = None
    interests: list[Interest] | None = Field(None, max_length=20)
    affected_population: int | None = Field(None, ge=0, le=2_000_000_000)
    description: MultiLineText | None = Field(None, max_length=5000)
    implementing_unit_name: Text | None = Field(None, max_length=200)
    implementing_org_id: OrgId | None = None
    planned_decision_date: dt.date | None = None
    deadline: dt.date | None = None
    already_implemented: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> Self:
        for name in ("title", "category", "filing_batch", "interests", "already_implemented"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} 不能为 null")
        return self


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: TransitionAction = Field(description="动作：file | start_assessment | decide | close | withdraw | resume")
    reason: MultiLineText | None = Field(None, max_length=2000, description="理由（withdraw 必填）")
    outcome: Recommendation | None = Field(None, description="决策结果（仅 decide，且必填）")

    @model_validator(mode="after")
    def _fields_for_action(self) -> Self:
        if self.reason is not None:
            self.reason = self.reason.strip() or None
        if self.action == TransitionAction.withdraw and not self.reason:
            raise CrossFieldError("撤回须填写理由（reason）", "reason")
        if self.action == TransitionAction.decide and self.outcome is None:
            raise CrossFieldError("决策须填写决策结果（outcome）", "outcome")
        if self.action != TransitionAction.decide and self.outcome is not None:
            raise ValueError("只有 decide 可以填写决策结果（outcome）")
        return self


class CommissionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: OrgId = Field(description="第三方稳评机构ID（机构库）")


class MandatoryTrigger(BaseModel):
    code: str
    label: str


class ProjectPublic(BaseModel):
    id: str
    number: str
    year: int
    title: str
    category: ProjectCategory
    category_label: str
    sub_kind: ProjectSubKind | None
    expected_participants: int | None
    initiation: Initiation
    initiation_label: str
    filing_batch: FilingBatch
    interests: list[Interest]
    affected_population: int | None
    description: str | None
    already_implemented: bool
    region_code: str
    level: ProjectLevel
    responsible_org_id: str
    responsible_org_name: str | None
    implementing_unit_name: str | None
    implementing_org_id: str | None
    assessor_kind: AssessorKind
    agency_id: str | None
    agency_org_id: str | None
    agency_name: str | None
    commissioned_at: dt.datetime | None
    planned_decision_date: dt.date | None
    deadline: dt.date | None
    overdue: bool
    mandatory: bool = Field(description="是否属于必须评估的情形")
    mandatory_triggers: list[MandatoryTrigger]
    status: ProjectStatus
    status_label: str
    risk_level: OverallLevel | None
    decision_outcome: Recommendation | None
    report_rounds: int
    current_review_id: str | None
    decision_list_id: str | None
    designated_by_org_id: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    filed_at: dt.datetime | None
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    allowed_actions: list[str] = Field(description="当前调用方此刻可执行的状态变更动作")
    warning_flags: list[WarningFlagPublic] = Field(
        default_factory=list,
        description="风险监测：报备时与预警台账（高风险不予实施或暂缓实施的决策）相近的条目（仅项目详情给出）",
    )


class InvalidTransitionProblem(BaseModel):
    """409 project.invalid_transition (problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    allowed_actions: list[str]
    current_status: str


def problem_example(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"application/problem+json": {"example": {"code": code, "detail": detail, **extra}}}
