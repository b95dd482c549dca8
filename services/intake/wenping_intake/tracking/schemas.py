"""Request and response models of tracking and effect evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from wenping_shared import CrossFieldError, MultiLineText, Text
from wenping_shared.contracts.vocab import IncidentScale, LabelledEnum, ProjectStatus

from ..inputs import required_text


class MeasureStatus(LabelledEnum):
    not_started = "not_started", "未开始"
    in_progress = "in_progress", "推进中"
    completed = "completed", "已完成"
    blocked = "blocked", "推进受阻"


class TrackingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measure: StrictInt | MultiLineText = Field(
        description="措施：已通过审查的报告中措施清单的序号（整数，从 0 开始），或措施内容文本（报告外新增的措施）"
    )
    progress_percent: int = Field(ge=0, le=100, description="完成进度（0-100）")
    status: MeasureStatus = Field(description="not_started 未开始、in_progress 推进中、completed 已完成、blocked 推进受阻")
    note: MultiLineText | None = Field(None, max_length=5000, description="进展说明")
    responsible_unit: Text | None = Field(
        None, max_length=200, description="责任单位（报告中的措施默认取报告所载；新增措施必填）"
    )
    deadline: dt.date | None = Field(None, description="完成时限（报告中的措施默认取报告所载）")

    @field_validator("measure")
    @classmethod
    def _measure(cls, value: int | str) -> int | str:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise ValueError("措施内容不能为空")
            if len(value) > 2000:
                raise ValueError("措施内容不能超过 2000 个字符")
        elif value < 0:
            raise ValueError("措施序号不能小于 0")
        return value

    @field_validator("responsible_unit", "note")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.status == MeasureStatus.completed and self.progress_percent != 100:
            raise CrossFieldError("状态为已完成（completed）时进度须为 100", "status", "progress_percent")
        if self.status == MeasureStatus.not_started and self.progress_percent != 0:
            raise CrossFieldError("状态为未开始（not_started）时进度须为 0", "status", "progress_percent")
        if self.progress_percent == 100 and self.status != MeasureStatus.completed:
            raise CrossFieldError("进度为 100 时状态须为已完成（completed）", "status", "progress_percent")
        return self


class TrackedMeasurePublic(BaseModel):
    id: str | None = Field(description="尚未开始跟踪的报告措施为 null")
    measure_index: int | None
    content: str
    responsible_unit: str | None
    deadline: dt.date | None
    status: MeasureStatus
    status_label: str
    progress_percent: int
    last_note: str | None
    record_count: int
    overdue: bool = Field(description="已过完成时限且未完成")
    days_left: int | None = Field(description="距完成时限的天数（负数为已逾期；已完成或无时限为 null）")
    updated_at: dt.datetime | None
    completed_at: dt.datetime | None


class TrackingRecordPublic(BaseModel):
    id: str
    project_id: str
    measure_id: str
    progress_percent: int
    status: MeasureStatus
    status_label: str
    note: str | None
    responsible_unit: str | None
    deadline: dt.date | None
    recorded_by: str
    recorded_by_name: str | None
    recorded_at: dt.datetime


class TrackingResult(BaseModel):
    record: TrackingRecordPublic
    measure: TrackedMeasurePublic
    project_status: ProjectStatus = Field(description="记录后项目的状态（首次记录使准予实施的项目进入跟踪问效）")


class TrackingOverview(BaseModel):
    project_id: str
    project_status: ProjectStatus
    project_status_label: str
    measures: list[TrackedMeasurePublic] = Field(
        description="措施工作清单：已通过审查报告中的措施（按报告顺序）以及报告外新增的措施"
    )
    records: list[TrackingRecordPublic] = Field(description="最近的进展记录（新的在前，最多 limit 条）")
    next_cursor: str | None = Field(description="更早的进展记录的游标")


class EvaluationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disputes_arisen: int = Field(ge=0, le=1_000_000, description="实施中出现的矛盾纠纷数")
    disputes_description: MultiLineText | None = Field(None, max_length=5000, description="矛盾纠纷情况")
    measures_effective: bool = Field(description="防范化解措施是否有效")
    summary: MultiLineText = Field(min_length=1, max_length=10000, description="效果评价结论")
    petitions_count: int | None = Field(None, ge=0, le=1_000_000, description="引发信访数")
    mass_incidents_count: int | None = Field(None, ge=0, le=100_000, description="引发群体性事件数")
    satisfaction_rate: float | None = Field(None, ge=0, le=1, description="群众满意率（0-1）")

    _summary = field_validator("summary")(required_text)

    @model_validator(mode="after")
    def _disputes_described(self) -> Self:
        if self.disputes_arisen > 0 and not (self.disputes_description or "").strip():
            raise CrossFieldError("出现矛盾纠纷时须填写纠纷情况（disputes_description）", "disputes_description")
        return self


class EvaluationPublic(BaseModel):
    id: str
    project_id: str
    disputes_arisen: int
    disputes_description: str | None
    measures_effective: bool
    summary: str
    petitions_count: int | None
    mass_incidents_count: int | None
    satisfaction_rate: float | None
    measures_total: int
    measures_completed: int
    evaluated_by: str
    evaluated_by_name: str | None
    evaluated_at: dt.datetime
    project_status: ProjectStatus
    project_version: int


#: Lower bound of each scale class (people involved); 5 or more is a group (集体) by common practice.
INCIDENT_SCALE_FLOORS: tuple[tuple[int, IncidentScale], ...] = (
    (100, IncidentScale.mass), (30, IncidentScale.large), (5, IncidentScale.group), (0, IncidentScale.individual),
)


def incident_scale(people_involved: int) -> IncidentScale:
    return next(scale for floor, scale in INCIDENT_SCALE_FLOORS if people_involved >= floor)


class IncidentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurred_on: dt.date = Field(description="事件发生日期（决策之后，不晚于今天）")
    people_involved: int = Field(ge=0, le=10_000_000, description="涉及人数；规模等级由此确定（5人以下个体、5至29人群体、30至99人较大规模、100人以上大规模）")
    description: MultiLineText = Field(min_length=1, max_length=5000, description="发生了什么")
    response: MultiLineText = Field(min_length=1, max_length=5000, description="已采取的处置措施")

    _not_blank = field_validator("description", "response")(required_text)


class IncidentPublic(BaseModel):
    id: str
    project_id: str
    region_code: str
    occurred_on: dt.date = Field(description="事件发生日期")
    people_involved: int = Field(description="涉及人数")
    scale: IncidentScale = Field(description="规模等级（由涉及人数确定）")
    scale_label: str = Field(description="规模等级的中文名")
    description: str = Field(description="事件经过")
    response: str = Field(description="处置措施")
    reported_by: str = Field(description="报告人（账号）")
    reported_by_name: str | None = Field(description="报告人姓名")
    reported_by_org_id: str | None = Field(description="报告人所属单位")
    reported_at: dt.datetime = Field(description="报告时间")
