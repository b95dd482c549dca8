"""Request and response models of webhook subscriptions and their delivery log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from wenping_shared import Text
from wenping_shared.contracts.vocab import LabelledEnum


class EventType(LabelledEnum):
    project_filed = "project.filed", "项目已报备"
    project_status_changed = "project.status_changed", "项目状态变更"
    report_submitted = "report.submitted", "评估报告已报送"
    review_decided = "review.decided", "审查已作出结论"
    clearance_issued = "clearance.issued", "稳评备案证明已签发"
    clearance_revoked = "clearance.revoked", "稳评备案证明已撤销"
    reminder_due = "reminder.due", "事项到期提醒"
    incident_reported = "incident.reported", "实施中发生事件"


EVENT_LABELS: dict[str, str] = {event.value: event.label for event in EventType}

_EVENTS_DOC = "；".join(f"{k} {v}" for k, v in EVENT_LABELS.items())


def _unique(values: list[EventType]) -> list[EventType]:
    if not values:
        raise ValueError("至少订阅一种事件")
    return list(dict.fromkeys(values))


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl = Field(description="接收事件的地址（http/https；生产环境须为 https）")
    event_types: list[EventType] = Field(min_length=1, max_length=len(EventType), description=f"订阅的事件：{_EVENTS_DOC}")
    description: Text | None = Field(None, max_length=200, description="备注（例如接收方系统名称）")

    @field_validator("event_types")
    @classmethod
    def _events(cls, value: list[EventType]) -> list[EventType]:
        return _unique(value)


class SubscriptionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl | None = Field(None, description="新的接收地址")
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=len(EventType), description="新的事件列表")
    description: Text | None = Field(None, max_length=200, description="备注")
    active: bool | None = Field(None, description="true 重新启用（清零连续失败次数），false 停用")

    @field_validator("event_types")
    @classmethod
    def _events(cls, value: list[EventType] | None) -> list[EventType] | None:
        return None if value is None else _unique(value)


class SubscriptionPublic(BaseModel):
    id: str = Field(description="订阅 ID")
    url: str = Field(description="接收地址")
    event_types: list[str] = Field(description="订阅的事件")
    description: str | None = Field(description="备注")
    active: bool = Field(description="是否启用；连续投递失败达到上限后自动停用")
    disabled_reason: str | None = Field(description="停用原因")
    consecutive_failures: int = Field(description="连续投递失败次数")
    created_at: dt.datetime = Field(description="创建时间")
    updated_at: dt.datetime = Field(description="最后修改时间")


class SubscriptionCreated(SubscriptionPublic):
    secret: str = Field(
        description="签名密钥（whsec_ 前缀，Standard Webhooks 格式）。只在创建时返回这一次，请妥善保存"
    )


class DeliveryPublic(BaseModel):
    id: str = Field(description="投递记录 ID")
    message_id: str = Field(description="事件 ID（webhook-id 请求头），每次重试相同，用于去重")
    event_type: str = Field(description="事件类型")
    attempt: int = Field(description="第几次尝试")
    attempted_at: dt.datetime = Field(description="尝试时间")
    outcome: str = Field(description="delivered 已送达；failed 失败，稍后重试；abandoned 放弃（订阅已停用或重试用尽）")
    status_code: int | None = Field(description="接收方返回的 HTTP 状态码（连接失败为 null）")
    error: str | None = Field(description="失败原因")
    duration_ms: int | None = Field(description="耗时（毫秒）")


class WebhookDispatch(BaseModel):
    """The outbox message of one event for one subscription (the sender signs ``event`` as sent)."""

    subscription_id: str
    type: str
    event: dict[str, Any]
