"""Webhooks: signed per Standard Webhooks, delivered through the outbox to a real receiver on
127.0.0.1, retried until a receiver that was down is back, never across tenants, disabled after
repeated failure, and logged for the subscriber."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from events_kit import EventsSystem, Receiver
from standardwebhooks import Webhook, WebhookVerificationError

from wenping_registry.identity.models import ApiClient
from wenping_registry.passwords import hash_password
from wenping_shared.demo import INTEGRATION_CLIENT

ALL_EVENTS = ["project.filed", "project.status_changed", "report.submitted", "review.decided", "clearance.issued",
              "clearance.revoked", "reminder.due"]


class Subscriptions:
    """Subscriptions made by one test, deleted when it ends (so no other test's receiver hears them)."""

    def __init__(self, system: EventsSystem) -> None:
        self.system = system
        self.made: list[tuple[str, dict[str, str]]] = []

    async def demo_client(self) -> dict[str, str]:
        client_id, secret, _region, _scopes = INTEGRATION_CLIENT
        return await self.system.client_auth(client_id, secret)

    async def create(self, headers: dict[str, str], url: str, events: list[str] | None = None) -> dict[str, Any]:
        response = await self.system.intake.post(
            "/api/v1/webhooks/subscriptions", json={"url": url, "event_types": events or ALL_EVENTS}, headers=headers
        )
        assert response.status_code == 201, response.text
        body = dict(response.json())
        self.made.append((body["id"], headers))
        return body

    async def deliveries(self, subscription_id: str, headers: dict[str, str], **params: Any) -> dict[str, Any]:
        response = await self.system.intake.get(
            f"/api/v1/webhooks/subscriptions/{subscription_id}/deliveries", params=params, headers=headers
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def cleanup(self) -> None:
        for subscription_id, headers in self.made:
            await self.system.intake.delete(f"/api/v1/webhooks/subscriptions/{subscription_id}", headers=headers)
        await self.system.drain()


@pytest.fixture
async def subscriptions(events: EventsSystem) -> AsyncIterator[Subscriptions]:
    made = Subscriptions(events)
    yield made
    await made.cleanup()


async def _deliver_until(system: EventsSystem, receiver: Receiver, count: int, seconds: float = 10.0) -> None:
    """Drain the outbox (retries wait out their short test backoff) until ``count`` have arrived."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while len(receiver.received) < count and loop.time() < deadline:
        await system.drain(1)
        await asyncio.sleep(0.05)


async def test_deliveries_are_signed_per_standard_webhooks_logged_and_secret_shown_once(
    events: EventsSystem, receiver: Receiver, subscriptions: Subscriptions
) -> None:
    client = await subscriptions.demo_client()
    created = await subscriptions.create(client, receiver.url + "/hooks")
    secret = created["secret"]
    assert secret.startswith("whsec_")

    project, review_id = await events.approved_project("jx.fgw.filer")
    await _deliver_until(events, receiver, 8)

    received = [r for r in receiver.received if json.loads(r.body)["data"]["project_id"] == project["id"]]
    verifier = Webhook(secret)
    types = []
    for request in received:
        payload = verifier.verify(request.body, request.headers)  # raises unless HMAC over id.timestamp.body matches
        assert request.path == "/hooks" and request.headers["webhook-id"].startswith("msg_")
        types.append(payload["type"])
    assert types.count("project.filed") == 1 and "report.submitted" in types and "clearance.issued" in types
    decided = next(json.loads(r.body) for r in received if json.loads(r.body)["type"] == "review.decided")
    assert decided["data"]["review_id"] == review_id and decided["data"]["verdict"] == "approved"
    assert decided["data"]["project_number"] == project["number"]
    assert len({r.headers["webhook-id"] for r in received}) == len(received)  # one id per event, for de-duplication

    tampered = dict(received[0].headers)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(received[0].body.replace(b"filed", b"FILED"), tampered)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(received[0].body, received[0].headers)

    # The secret is never shown again.
    again = await events.intake.get(f"/api/v1/webhooks/subscriptions/{created['id']}", headers=client)
    listed = await events.intake.get("/api/v1/webhooks/subscriptions", headers=client)
    assert "secret" not in again.json() and all("secret" not in s for s in listed.json()["items"])

    # The delivery log, newest first, in pages.
    first = await subscriptions.deliveries(created["id"], client, limit=3)
    assert len(first["items"]) == 3 and first["next_cursor"]
    assert {d["outcome"] for d in first["items"]} == {"delivered"} and first["items"][0]["status_code"] == 204
    rest = await subscriptions.deliveries(created["id"], client, limit=200, cursor=first["next_cursor"])
    logged = first["items"] + rest["items"]
    assert {d["message_id"] for d in logged} >= {r.headers["webhook-id"] for r in received}
    for line in logged[:4]:
        print("delivery", line["attempted_at"], line["event_type"], line["message_id"], f"attempt={line['attempt']}",
              line["outcome"], line["status_code"], f"{line['duration_ms']}ms")


async def test_a_receiver_that_is_down_gets_every_event_once_it_is_back(
    events: EventsSystem, receiver: Receiver, subscriptions: Subscriptions
) -> None:
    client = await subscriptions.demo_client()
    created = await subscriptions.create(client, receiver.url, ["project.filed", "project.status_changed"])
    receiver.stop()  # connection refused from now on

    project = await events.file_project("jx.zjj.filer")
    await events.act(project["id"], "start_assessment", "jx.zjj.filer")
    for _ in range(4):
        await events.drain(1)
        await asyncio.sleep(0.06)
    log = await subscriptions.deliveries(created["id"], client)
    failed = [d for d in log["items"] if d["outcome"] == "failed"]
    assert failed and all(d["status_code"] is None and "无法连接接收方" in d["error"] for d in failed)
    assert max(d["attempt"] for d in failed) >= 2  # retried with backoff while down

    receiver.start()  # back, on the same port
    await _deliver_until(events, receiver, 3)
    got = receiver.events()
    assert sorted(e["type"] for e in got) == ["project.filed", "project.status_changed", "project.status_changed"]
    # Retries are independent, so arrival order is not guaranteed; each event carries its timestamp.
    assert sorted(e["data"]["to_status"] for e in got if e["type"] == "project.status_changed") == ["assessing", "filed"]
    assert all(e["data"]["project_id"] == project["id"] for e in got)


async def test_no_event_leaks_across_tenants(
    events: EventsSystem, subscriptions: Subscriptions
) -> None:
    async with events.apps["registry"].state.sessionmaker() as session:
        session.add(ApiClient(client_id="zy-platform", name="张掖对接平台", kind="integration",
                              secret_hash=hash_password("zy-secret"), region_code="620700",
                              scopes=["projects:read", "webhooks:manage"]))
        session.add(ApiClient(client_id="blind-platform", name="无读取授权的平台", kind="integration",
                              secret_hash=hash_password("blind-secret"), region_code="330400",
                              scopes=["webhooks:manage"]))
        await session.commit()
    receivers = {name: Receiver() for name in ("jx", "zy", "blind")}
    for server in receivers.values():
        server.start()
    try:
        await subscriptions.create(await subscriptions.demo_client(), receivers["jx"].url, ["project.filed"])
        await subscriptions.create(await events.client_auth("zy-platform", "zy-secret"), receivers["zy"].url,
                                   ["project.filed"])
        await subscriptions.create(await events.client_auth("blind-platform", "blind-secret"), receivers["blind"].url,
                                   ["project.filed"])
        jx = await events.file_project("jx.fgw.filer")
        zy = await events.file_project("zy.filer")
        await events.drain()
        assert [e["data"]["project_id"] for e in receivers["jx"].events()] == [jx["id"]]
        assert [e["data"]["project_id"] for e in receivers["zy"].events()] == [zy["id"]]
        assert receivers["blind"].events() == []  # without projects:read it sees no project, so hears of none
    finally:
        for server in receivers.values():
            server.stop()


async def test_a_subscription_is_disabled_after_repeated_failures_and_can_be_enabled_again(
    events: EventsSystem, receiver: Receiver, subscriptions: Subscriptions
) -> None:
    sender = events.apps["intake"].state.webhook_sender
    policy = sender.policy
    sender.policy = dataclasses.replace(policy, disable_after_failures=3)
    try:
        client = await subscriptions.demo_client()
        created = await subscriptions.create(client, receiver.url, ["project.status_changed"])
        receiver.status = 500
        project = await events.file_project("jx.fgw.filer")
        await events.act(project["id"], "start_assessment", "jx.fgw.filer")
        for _ in range(8):
            await events.drain(1)
            await asyncio.sleep(0.06)
    finally:
        sender.policy = policy
    current = await events.intake.get(f"/api/v1/webhooks/subscriptions/{created['id']}", headers=client)
    body = current.json()
    assert body["active"] is False and "连续 3 次投递失败" in body["disabled_reason"]
    log = (await subscriptions.deliveries(created["id"], client))["items"]
    assert len(receiver.received) == 3  # nothing is sent once disabled
    assert [d["outcome"] for d in log][:2] == ["abandoned", "abandoned"] or log[0]["outcome"] == "abandoned"
    assert all(d["status_code"] in (500, None) for d in log)

    stale = await events.intake.patch(f"/api/v1/webhooks/subscriptions/{created['id']}", json={"active": True},
                                      headers={**client, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.headers["content-type"].startswith("application/problem+json")
    enabled = await events.intake.patch(f"/api/v1/webhooks/subscriptions/{created['id']}", json={"active": True},
                                        headers={**client, "If-Match": current.headers["etag"]})
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert enabled.json()["consecutive_failures"] == 0


async def test_only_integration_clients_with_the_scope_manage_subscriptions(
    events: EventsSystem, subscriptions: Subscriptions
) -> None:
    person = await events.auth("jx.supervisor")
    refused = await events.intake.post("/api/v1/webhooks/subscriptions",
                                       json={"url": "http://127.0.0.1:9/x", "event_types": ["project.filed"]},
                                       headers=person)
    assert refused.status_code == 403 and refused.json()["code"] == "webhook.client_only"
    assert "webhooks:manage" in refused.json()["detail"]
    client = await subscriptions.demo_client()
    bad = await events.intake.post("/api/v1/webhooks/subscriptions",
                                   json={"url": "ftp://x", "event_types": ["project.exploded"], "secret": "mine"},
                                   headers=client)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert {tuple(e["loc"]) for e in bad.json()["errors"]} >= {("url",), ("event_types", 0), ("secret",)}
    created = await subscriptions.create(client, "http://127.0.0.1:9/hook", ["project.filed"])
    async with events.apps["registry"].state.sessionmaker() as session:
        if await session.get(ApiClient, "other-platform") is None:
            session.add(ApiClient(client_id="other-platform", name="另一平台", kind="integration",
                                  secret_hash=hash_password("other-secret"), region_code="330400",
                                  scopes=["projects:read", "webhooks:manage"]))
            await session.commit()
    other = await events.client_auth("other-platform", "other-secret")
    hidden = await events.intake.get(f"/api/v1/webhooks/subscriptions/{created['id']}", headers=other)
    assert hidden.status_code == 404 and hidden.json()["code"] == "webhook.subscription_not_found"
    assert (await events.intake.get(f"/api/v1/webhooks/subscriptions/{created['id']}/deliveries",
                                    headers=other)).status_code == 404


async def test_a_due_reminder_is_announced_once_to_those_who_may_see_it(
    events: EventsSystem, receiver: Receiver, subscriptions: Subscriptions
) -> None:
    client = await subscriptions.demo_client()
    await subscriptions.create(client, receiver.url, ["reminder.due"])
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8) + dt.timedelta(days=1)).date()
    project = await events.file_project("jx.fgw.filer", deadline=tomorrow.isoformat())
    elsewhere = await events.file_project("zy.filer", deadline=tomorrow.isoformat())
    sweep = events.apps["intake"].state.reminder_sweep
    assert await sweep.sweep() >= 1
    assert await sweep.sweep() == 0  # announced once
    await events.drain()
    mine = [e for e in receiver.events() if e["data"]["project_id"] == project["id"]]
    assert len(mine) == 1 and mine[0]["type"] == "reminder.due"
    assert mine[0]["data"]["severity"] == "urgent" and mine[0]["data"]["due_date"] == tomorrow.isoformat()
    assert all(e["data"]["project_id"] != elsewhere["id"] for e in receiver.events())
    assert {e["data"]["region_code"][:4] for e in receiver.events()} == {"3304"}


def test_production_refuses_plain_http_and_internal_addresses() -> None:
    from wenping_intake.webhooks.errors import WebhookUrlInternal, WebhookUrlRefused
    from wenping_intake.webhooks.service import check_url

    assert check_url("https://hooks.example.gov.cn/wenping", production=True) == "https://hooks.example.gov.cn/wenping"
    assert check_url("http://127.0.0.1:8080/x", production=False) == "http://127.0.0.1:8080/x"
    for url, problem in (("http://hooks.example.gov.cn/x", WebhookUrlRefused), ("https://127.0.0.1/x", WebhookUrlInternal),
                         ("https://10.1.2.3/x", WebhookUrlInternal), ("https://[::1]/x", WebhookUrlInternal),
                         ("https://localhost/x", WebhookUrlInternal)):
        with pytest.raises(problem):
            check_url(url, production=True)
