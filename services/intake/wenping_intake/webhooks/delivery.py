"""Sending one webhook: signed per Standard Webhooks, logged, retried with backoff by the outbox,
and the subscription disabled after too many failures in a row."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from standardwebhooks import Webhook

from wenping_shared import utcnow
from wenping_shared._outbox import DeliveryOutcome, OutboxMessageFields

from .models import WebhookDelivery, WebhookSubscription
from .service import record_change

logger = logging.getLogger("wenping.intake.webhooks")


@dataclass(frozen=True)
class DeliveryPolicy:
    timeout_seconds: float
    retry_base_seconds: float
    retry_max_seconds: float
    max_attempts: int
    disable_after_failures: int

    def retry_in(self, attempts: int) -> float:
        return min(self.retry_max_seconds, self.retry_base_seconds * 2 ** max(0, attempts - 1))


def sign(secret: str, message_id: str, body: str, timestamp: int) -> dict[str, str]:
    """The three Standard Webhooks headers: HMAC-SHA256 over ``id.timestamp.body``."""
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": Webhook(secret).sign(message_id, moment, body),
    }


class WebhookSender:
    """The outbox deliverer of the ``webhook`` destination."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: Callable[[], httpx.AsyncClient],
        policy: DeliveryPolicy,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._http = http
        self.policy = policy

    async def __call__(self, message: OutboxMessageFields) -> DeliveryOutcome:
        payload = message.payload
        subscription_id = str(payload.get("subscription_id"))
        message_id = f"msg_{message.id}"
        async with self._sessionmaker() as session:
            subscription = await session.get(WebhookSubscription, subscription_id)
            if subscription is None or not subscription.active:
                if subscription is not None:
                    session.add(self._log(subscription_id, message_id, payload, message.attempts, "abandoned",
                                          None, "订阅已停用", None))
                    await session.commit()
                return DeliveryOutcome(False, error="订阅已停用或已删除", give_up=True)
            url, secret = subscription.url, subscription.secret
        body = json.dumps(payload.get("event"), ensure_ascii=False, separators=(",", ":"))
        headers = {
            **sign(secret, message_id, body, int(time.time())),
            "Content-Type": "application/json",
            "User-Agent": "Wenping-Webhooks/1.0",
        }
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            # A deadline on the whole exchange: a receiver that trickles its answer cannot hold the relay.
            async with asyncio.timeout(self.policy.timeout_seconds):
                response = await self._http().post(
                    url, content=body.encode(), headers=headers, timeout=self.policy.timeout_seconds
                )
            status = response.status_code
            if not 200 <= status < 300:
                error = f"接收方返回 HTTP {status}"
        except TimeoutError:
            error = f"接收方 {self.policy.timeout_seconds:g} 秒内未应答"
        except httpx.HTTPError as exc:
            error = f"无法连接接收方（{exc.__class__.__name__}）"
        duration_ms = int((time.monotonic() - started) * 1000)
        delivered = error is None
        return await self._record(message, subscription_id, message_id, status, error, duration_ms, delivered)

    async def _record(
        self, message: OutboxMessageFields, subscription_id: str, message_id: str,
        status: int | None, error: str | None, duration_ms: int, delivered: bool,
    ) -> DeliveryOutcome:
        payload = message.payload
        exhausted = not delivered and message.attempts >= self.policy.max_attempts
        async with self._sessionmaker() as session:
            subscription = await session.get(WebhookSubscription, subscription_id)
            disabled_now = False
            if subscription is not None:
                if delivered:
                    subscription.consecutive_failures = 0
                else:
                    subscription.consecutive_failures += 1
                    if subscription.active and subscription.consecutive_failures >= self.policy.disable_after_failures:
                        disabled_now = True
                        subscription.active = False
                        subscription.disabled_reason = (
                            f"连续 {subscription.consecutive_failures} 次投递失败，已自动停用（最近一次：{error}）"
                        )[:300]
                        subscription.version += 1
                        subscription.updated_at = utcnow()
                        record_change(session, subscription, "system:webhooks", "disabled",
                                      {"reason": subscription.disabled_reason})
                        logger.warning("webhook subscription %s disabled: %s", subscription.id, error)
                session.add(subscription)
            outcome = "delivered" if delivered else ("abandoned" if exhausted or disabled_now else "failed")
            session.add(self._log(subscription_id, message_id, payload, message.attempts, outcome, status, error, duration_ms))
            await session.commit()
        if delivered:
            return DeliveryOutcome(True, status=status)
        return DeliveryOutcome(
            False, status=status, error=error, give_up=exhausted or disabled_now,
            retry_in=self.policy.retry_in(message.attempts),
        )

    @staticmethod
    def _log(
        subscription_id: str, message_id: str, payload: dict[str, object], attempt: int, outcome: str,
        status: int | None, error: str | None, duration_ms: int | None,
    ) -> WebhookDelivery:
        return WebhookDelivery(
            subscription_id=subscription_id, message_id=message_id, event_type=str(payload.get("type", ""))[:40],
            attempt=attempt, outcome=outcome, status_code=status, error=(error or None) and error[:300],
            duration_ms=duration_ms,
        )
