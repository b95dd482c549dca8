"""/api/v1/webhooks: integration clients subscribe to project events and read their delivery log."""

from __future__ import annotations

from fastapi import APIRouter, Response

from wenping_shared import IfMatch, Page, PageParamsDep, described

from ..deps import CurrentPrincipal, SessionDep, SettingsDep
from .models import WebhookSubscription
from .schemas import (
    EVENT_LABELS,
    DeliveryPublic,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from .service import WebhookService, subscription_etag

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

_CLIENT_ONLY = described({403: "调用方不是持 webhooks:manage 的对接客户端"})
_NOT_FOUND = described({404: "订阅不存在（或属于其他客户端）"})
_SIGNING = (
    "每次投递为 POST JSON {type, timestamp, data}，按 Standard Webhooks 签名：请求头 webhook-id（事件 ID，重试时不变，"
    "用于去重）、webhook-timestamp（Unix 秒）、webhook-signature（v1,<base64 HMAC-SHA256(secret, \"id.timestamp.body\")>）。"
    "接收方 2xx 即为送达；其他答复或超时按指数退避重试，连续失败达到上限后订阅自动停用。"
    "只推送订阅方可见的项目（与项目列表相同的可见规则：本辖区且持 projects:read）。"
)


def _service(session: SessionDep, settings: SettingsDep) -> WebhookService:
    return WebhookService(session, require_https=settings.environment == "production")


def _public(subscription: WebhookSubscription) -> SubscriptionPublic:
    return SubscriptionPublic.model_validate(subscription.model_dump())


@router.get("/event-types", summary="可订阅的事件类型", description="事件类型及其中文名称。无需令牌。")
async def list_event_types() -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in EVENT_LABELS.items()]


@router.post(
    "/subscriptions",
    status_code=201,
    response_model=SubscriptionCreated,
    summary="创建 Webhook 订阅",
    description=(
        "对接客户端（client credentials，scope webhooks:manage）登记接收地址与事件类型。响应中的 secret 只返回这一次；"
        "因此本接口不支持 Idempotency-Key 重放（重放会再次暴露密钥），重复创建请先列出已有订阅。" + _SIGNING
    ),
    responses=_CLIENT_ONLY,
)
async def create_subscription(
    data: SubscriptionCreate, response: Response, session: SessionDep, settings: SettingsDep,
    principal: CurrentPrincipal,
) -> SubscriptionCreated:
    subscription = await _service(session, settings).create(principal, data)
    response.headers["ETag"] = subscription_etag(subscription)
    response.headers["Location"] = f"/api/v1/webhooks/subscriptions/{subscription.id}"
    return SubscriptionCreated.model_validate(subscription.model_dump())


@router.get(
    "/subscriptions",
    response_model=Page[SubscriptionPublic],
    summary="本客户端的 Webhook 订阅",
    description="新的在前，游标分页。不含签名密钥。",
    responses=_CLIENT_ONLY,
)
async def list_subscriptions(
    session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal, page: PageParamsDep
) -> Page[SubscriptionPublic]:
    rows = await _service(session, settings).list(principal, page)
    items, next_cursor = page.page(rows, lambda s: [s.created_at, s.id])
    return Page(items=[_public(s) for s in items], next_cursor=next_cursor)


@router.get(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="一个 Webhook 订阅",
    description="带 ETag。不含签名密钥。",
    responses={**_CLIENT_ONLY, **_NOT_FOUND},
)
async def get_subscription(
    subscription_id: str, response: Response, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
) -> SubscriptionPublic:
    subscription = await _service(session, settings).get(principal, subscription_id)
    response.headers["ETag"] = subscription_etag(subscription)
    return _public(subscription)


@router.patch(
    "/subscriptions/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="修改、停用或重新启用 Webhook 订阅",
    description="须携带 If-Match（缺少 428，过期 412）。active=true 重新启用自动停用的订阅并清零连续失败次数。",
    responses={**_CLIENT_ONLY, **_NOT_FOUND, **described({412: "ETag 已过期", 428: "缺少 If-Match"})},
)
async def update_subscription(
    subscription_id: str, data: SubscriptionUpdate, precondition: IfMatch, response: Response,
    session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal,
) -> SubscriptionPublic:
    subscription = await _service(session, settings).update(principal, subscription_id, data, precondition)
    response.headers["ETag"] = subscription_etag(subscription)
    return _public(subscription)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    summary="删除 Webhook 订阅",
    description="尚未送达的事件不再投递；投递记录与变更记录保留。",
    responses={**_CLIENT_ONLY, **_NOT_FOUND},
)
async def delete_subscription(
    subscription_id: str, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal
) -> Response:
    await _service(session, settings).delete(principal, subscription_id)
    return Response(status_code=204)


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    response_model=Page[DeliveryPublic],
    summary="投递记录",
    description="每次投递尝试一条（新的在前，游标分页）：事件 ID、类型、第几次、结果、接收方状态码、失败原因、耗时。",
    responses={**_CLIENT_ONLY, **_NOT_FOUND},
)
async def list_deliveries(
    subscription_id: str, session: SessionDep, settings: SettingsDep, principal: CurrentPrincipal,
    page: PageParamsDep,
) -> Page[DeliveryPublic]:
    rows = await _service(session, settings).deliveries(principal, subscription_id, page)
    items, next_cursor = page.page(rows, lambda d: [d.attempted_at, d.id])
    return Page(items=[DeliveryPublic.model_validate(d.model_dump()) for d in items], next_cursor=next_cursor)
