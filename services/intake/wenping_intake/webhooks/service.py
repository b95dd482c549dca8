"""Subscription rules: who may manage them, what they may subscribe to, the audit of every change."""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import PageParams, Precondition, Principal, current_request_id, etag_for, utcnow

from .errors import SubscriptionNotFound, WebhooksClientOnly, WebhookUrlInternal, WebhookUrlRefused
from .models import WebhookDelivery, WebhookSubscription, WebhookSubscriptionChange
from .repository import WebhookRepository
from .schemas import SubscriptionCreate, SubscriptionUpdate

MANAGE_SCOPE = "webhooks:manage"


def subscription_etag(subscription: WebhookSubscription) -> str:
    return etag_for(subscription.version)


def check_url(url: str, *, production: bool) -> str:
    """Production: https only, and never into the platform's own network by address."""
    if production:
        if not url.startswith("https://"):
            raise WebhookUrlRefused()
        host = (urlsplit(url).hostname or "").strip("[]")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if host == "localhost" or (address is not None and not address.is_global):
            raise WebhookUrlInternal()
    return url


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def record_change(
    session: AsyncSession, subscription: WebhookSubscription, actor: str, action: str, details: dict[str, Any]
) -> None:
    session.add(
        WebhookSubscriptionChange(
            subscription_id=subscription.id, actor=actor, action=action, details=details,
            request_id=current_request_id(),
        )
    )


class WebhookService:
    def __init__(self, session: AsyncSession, *, require_https: bool) -> None:
        self.session = session
        self.webhooks = WebhookRepository(session)
        self.require_https = require_https

    @staticmethod
    def _manager(principal: Principal) -> Principal:
        if principal.kind != "client" or MANAGE_SCOPE not in principal.scopes:
            raise WebhooksClientOnly()
        return principal


    @staticmethod
    def _refresh_owner(subscription: WebhookSubscription, principal: Principal) -> None:
        # What the owner may see follows its latest token (scopes and region may have changed).
        subscription.owner_region_code = principal.region_code
        subscription.owner_scopes = sorted(principal.scopes)

    async def _owned(self, principal: Principal, subscription_id: str) -> WebhookSubscription:
        subscription = await self.webhooks.subscription(subscription_id)
        if subscription is None or subscription.owner_subject != principal.subject:
            raise SubscriptionNotFound()
        return subscription

    async def create(self, principal: Principal, data: SubscriptionCreate) -> WebhookSubscription:
        self._manager(principal)
        subscription = WebhookSubscription(
            owner_subject=principal.subject,
            url=check_url(str(data.url), production=self.require_https),
            event_types=[e.value for e in data.event_types],
            description=data.description,
            secret=new_secret(),
        )
        self._refresh_owner(subscription, principal)
        self.session.add(subscription)
        record_change(self.session, subscription, principal.subject, "created",
                      {"url": subscription.url, "event_types": subscription.event_types})
        await self.session.flush()
        return subscription

    async def list(self, principal: Principal, page: PageParams) -> Sequence[WebhookSubscription]:
        self._manager(principal)
        return await self.webhooks.owned(principal.subject, page)

    async def get(self, principal: Principal, subscription_id: str) -> WebhookSubscription:
        self._manager(principal)
        return await self._owned(principal, subscription_id)

    async def update(
        self, principal: Principal, subscription_id: str, data: SubscriptionUpdate, precondition: Precondition
    ) -> WebhookSubscription:
        self._manager(principal)
        subscription = await self._owned(principal, subscription_id)
        precondition(subscription_etag(subscription))
        changes: dict[str, Any] = {}
        if data.url is not None and str(data.url) != subscription.url:
            changes["url"] = {"from": subscription.url, "to": check_url(str(data.url), production=self.require_https)}
            subscription.url = str(data.url)
        if data.event_types is not None:
            events = [e.value for e in data.event_types]
            if events != subscription.event_types:
                changes["event_types"] = {"from": subscription.event_types, "to": events}
                subscription.event_types = events
        if "description" in data.model_fields_set and data.description != subscription.description:
            changes["description"] = {"from": subscription.description, "to": data.description}
            subscription.description = data.description
        if data.active is not None and data.active != subscription.active:
            changes["active"] = {"from": subscription.active, "to": data.active}
            subscription.active = data.active
            subscription.disabled_reason = None if data.active else "由订阅方停用"
            if data.active:
                subscription.consecutive_failures = 0
        self._refresh_owner(subscription, principal)
        if changes:
            subscription.version += 1
            subscription.updated_at = utcnow()
            record_change(self.session, subscription, principal.subject, "updated", changes)
        self.session.add(subscription)
        await self.session.flush()
        return subscription

    async def delete(self, principal: Principal, subscription_id: str) -> None:
        self._manager(principal)
        subscription = await self._owned(principal, subscription_id)
        record_change(self.session, subscription, principal.subject, "deleted", {"url": subscription.url})
        # Pending deliveries find no subscription and are abandoned; the log and the audit trail stay.
        await self.session.delete(subscription)
        await self.session.flush()

    async def deliveries(
        self, principal: Principal, subscription_id: str, page: PageParams
    ) -> Sequence[WebhookDelivery]:
        self._manager(principal)
        subscription = await self._owned(principal, subscription_id)
        return await self.webhooks.deliveries(subscription.id, page)
