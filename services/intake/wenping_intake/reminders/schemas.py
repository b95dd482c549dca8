"""Reminder response models."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from wenping_shared.contracts.vocab import LabelledEnum


class ReminderKind(LabelledEnum):
    project_deadline = "project_deadline", "项目评估完成时限"
    decision_list_item = "decision_list_item", "决策清单事项销号"
    measure_deadline = "measure_deadline", "防范化解措施完成时限"
    rectification_deadline = "rectification_deadline", "督查问题整改时限"
    incident = "incident", "实施中发生事件"


class ReminderSeverity(LabelledEnum):
    overdue = "overdue", "已逾期"
    urgent = "urgent", "3 日内到期"
    upcoming = "upcoming", "即将到期"
    incident = "incident", "事件即时提醒"


class ReminderPublic(BaseModel):
    kind: ReminderKind
    kind_label: str
    project_id: str
    project_number: str
    project_title: str
    decision_list_id: str | None = Field(description="决策清单事项提醒：所属清单")
    measure_id: str | None = Field(description="措施提醒：措施 id（见 GET /api/v1/projects/{id}/tracking）")
    finding_id: str | None = Field(
        default=None, description="整改提醒：督查发现的问题 id（见 GET /api/v1/inspections/{id}，报告整改 POST .../findings/{id}/report）"
    )
    incident_id: str | None = Field(None, description="事件提醒：事件 id（见 GET /api/v1/projects/{id}/incidents）")
    title: str = Field(description="提醒事项")
    region_code: str
    due_date: dt.date
    days_left: int = Field(description="距到期的天数，负数为已逾期")
    severity: ReminderSeverity = Field(
        description="overdue 已逾期、urgent 3 日内到期、upcoming 即将到期、incident 实施中发生事件（报告当日起即时提醒）"
    )
    severity_label: str


class ReminderCounts(BaseModel):
    total: int = Field(description="范围内全部提醒数")
    overdue: int = Field(description="其中已逾期的")


class ReminderPage(BaseModel):
    items: list[ReminderPublic]
    next_cursor: str | None = Field(default=None, description="下一页游标；为 null 表示没有更多数据")
    counts: ReminderCounts
