"""Subscriptions, the delivery log, their audit trail, and the reminders already announced."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow

from ..database import TableBase


def _id() -> str:
    return str(uuid.uuid4())


class WebhookSubscription(TableBase, table=True):
    """One receiver of one integration client. The secret is kept so deliveries can be signed; it is
    shown to the client once, when created."""

    __tablename__ = "webhook_subscription"
    __table_args__ = (Index("ix_webhook_subscription_owner_created", "owner_subject", "created_at", "id"),)

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    owner_subject: str = Field(max_length=200, description="client:<client_id>")
    #: What the owner may see, as its token said when it last managed the subscription (access.py rule).
    owner_region_code: str | None = Field(default=None, max_length=6)
    owner_scopes: list[str] = Field(default_factory=list, sa_type=JSON)
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(default_factory=list, sa_type=JSON)
    description: str | None = Field(default=None, max_length=200)
    secret: str = Field(max_length=100)
    active: bool = True
    disabled_reason: str | None = Field(default=None, max_length=300)
    consecutive_failures: int = 0
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class WebhookDelivery(TableBase, table=True):
    """One attempt to deliver one event to one subscription (the log the subscriber reads)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_subscription_attempted", "subscription_id", "attempted_at", "id"),)

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    subscription_id: str = Field(max_length=36)
    message_id: str = Field(max_length=60, description="webhook-id: the same on every retry of an event")
    event_type: str = Field(max_length=40)
    attempt: int
    attempted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    outcome: str = Field(max_length=16, description="delivered | failed | abandoned")
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=300)
    duration_ms: int | None = None


class WebhookSubscriptionChange(TableBase, table=True):
    """Audit trail of a subscription: who created, changed, disabled or deleted it."""

    __tablename__ = "webhook_subscription_change"

    id: str = Field(default_factory=_id, primary_key=True, max_length=36)
    subscription_id: str = Field(max_length=36, index=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=32)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    request_id: str | None = Field(default=None, max_length=128)


class ReminderNotice(TableBase, table=True):
    """A reminder already announced as ``reminder.due`` (one per object, due date and severity)."""

    __tablename__ = "webhook_reminder_notice"
    __table_args__ = (UniqueConstraint("reminder_key", name="uq_webhook_reminder_notice_key"),)

    id: int | None = Field(default=None, primary_key=True)
    reminder_key: str = Field(max_length=120)
    project_id: str = Field(max_length=36)
    announced_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
