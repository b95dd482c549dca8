"""Queries of the webhooks package."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import PageParams

from .models import ReminderNotice, WebhookDelivery, WebhookSubscription


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def subscription(self, subscription_id: str) -> WebhookSubscription | None:
        return await self.session.get(WebhookSubscription, subscription_id)

    async def owned(self, owner_subject: str, page: PageParams) -> Sequence[WebhookSubscription]:
        S = WebhookSubscription
        query = select(S).where(S.owner_subject == owner_subject)
        return (await self.session.exec(page.newest_first(query, col(S.created_at), col(S.id)))).all()

    async def active(self) -> Sequence[WebhookSubscription]:
        # Event types live in a JSON list; the active subscriptions are few, so filter them in Python.
        result = await self.session.exec(select(WebhookSubscription).where(col(WebhookSubscription.active).is_(True)))
        return result.all()

    async def deliveries(self, subscription_id: str, page: PageParams) -> Sequence[WebhookDelivery]:
        D = WebhookDelivery
        query = select(D).where(D.subscription_id == subscription_id)
        return (await self.session.exec(page.newest_first(query, col(D.attempted_at), col(D.id)))).all()

    async def reminder_announced(self, key: str) -> bool:
        result = await self.session.exec(select(ReminderNotice.id).where(ReminderNotice.reminder_key == key))
        return result.first() is not None
