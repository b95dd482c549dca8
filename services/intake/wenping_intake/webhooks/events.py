"""Publishing project events to subscribers: one outbox message per subscription that wants the
event and may see the project (the visibility rule of projects/access.py), staged in the
transaction of the change itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, enqueue, utcnow

from ..database import OutboxMessage
from ..projects.access import can_see
from ..projects.models import Project
from .models import WebhookSubscription
from .repository import WebhookRepository
from .schemas import EventType, WebhookDispatch

#: The outbox destination the webhook sender is registered for.
WEBHOOK_DESTINATION = "webhook"


def subscriber(subscription: WebhookSubscription) -> Principal:
    """The subscription's owner as the visibility rule sees it."""
    return Principal(
        subject=subscription.owner_subject,
        kind="client",
        region_code=subscription.owner_region_code,
        scopes=frozenset(subscription.owner_scopes or ()),
    )


def project_summary(project: Project) -> dict[str, Any]:
    return {
        "project_id": project.id,
        "project_number": project.number,
        "title": project.title,
        "region_code": project.region_code,
        "status": project.status,
        "responsible_org_id": project.responsible_org_id,
        "responsible_org_name": project.responsible_org_name,
    }


async def publish(
    session: AsyncSession, event: EventType, project: Project, data: dict[str, Any] | None = None,
    *, at: dt.datetime | None = None,
) -> int:
    """Stage ``event`` about ``project`` for every subscriber allowed to see it; how many."""
    staged = 0
    timestamp = (at or utcnow()).isoformat()
    for subscription in await WebhookRepository(session).active():
        if event.value not in (subscription.event_types or []) or not can_see(subscriber(subscription), project):
            continue
        body = {"type": event.value, "timestamp": timestamp, "data": {**project_summary(project), **(data or {})}}
        enqueue(
            session, OutboxMessage, WEBHOOK_DESTINATION, f"/webhooks/{subscription.id}",
            WebhookDispatch(subscription_id=subscription.id, type=event.value, event=body),
        )
        staged += 1
    return staged


async def project_changed(
    session: AsyncSession, project: Project, action: str, from_status: str | None, to_status: str,
    details: dict[str, Any],
) -> None:
    """Every status change of a project, and the named events some changes are."""
    change = {"action": action, "from_status": from_status, "to_status": to_status}
    await publish(session, EventType.project_status_changed, project, change)
    if to_status == "filed" and from_status != "filed":
        await publish(session, EventType.project_filed, project, change)
    if action == "submit_report":
        await publish(session, EventType.report_submitted, project, {"round": details.get("round")})
    if action == "review_decided":
        await publish(
            session, EventType.review_decided, project,
            {key: details.get(key) for key in ("review_id", "round", "verdict", "score", "risk_level")},
        )
