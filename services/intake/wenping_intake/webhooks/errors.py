"""The problems webhook endpoints report."""

from __future__ import annotations

from wenping_shared import BadRequest, Forbidden, NotFound


class WebhooksClientOnly(Forbidden, code="webhook.client_only", message="只有持 webhooks:manage 授权范围的对接客户端（client credentials）可以管理 Webhook 订阅"): ...


class SubscriptionNotFound(NotFound, code="webhook.subscription_not_found", message="Webhook 订阅不存在"): ...


class WebhookUrlRefused(BadRequest, code="webhook.url_refused", message="生产环境的 Webhook 地址必须使用 https"): ...


class WebhookUrlInternal(BadRequest, code="webhook.url_internal", message="生产环境的 Webhook 地址不能指向本机或内网地址"): ...
