"""The running test system as tests see it: the three apps behind one routing transport.

Fixtures (tests/conftest.py) build it; tests annotate with these types:
``system: WenpingSystem``, ``peer_down: PeerDown``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI

from wenping_shared.demo import DEMO_PASSWORD


def docx_bytes(text: str = "评估报告") -> bytes:
    """A minimal but structurally real .docx (a zip with [Content_Types].xml and word/document.xml),
    what intake's document upload accepts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", f'<?xml version="1.0"?><w:document><w:body>{text}</w:body></w:document>')
    return buffer.getvalue()


#: ``peer_down("review")`` takes a peer off the network for the rest of one test.
PeerDown = Callable[[str], None]


class RoutingTransport(httpx.AsyncBaseTransport):
    """Routes http://<service>.test to that service's in-process app; a service marked down refuses."""

    def __init__(self) -> None:
        self.apps: dict[str, httpx.ASGITransport] = {}
        self.down: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = request.url.host.removesuffix(".test")
        if name in self.down or name not in self.apps:
            raise httpx.ConnectError(f"{name} is down", request=request)
        return await self.apps[name].handle_async_request(request)


class ServiceClients:
    """The three services' clients as a signed-in caller uses them (tokens from the registry, cached)."""

    clients: dict[str, httpx.AsyncClient]
    _tokens: dict[tuple[str, str | None], str]

    def client(self, service: str) -> httpx.AsyncClient:
        return self.clients[service]

    @property
    def intake(self) -> httpx.AsyncClient:
        return self.clients["intake"]

    @property
    def review(self) -> httpx.AsyncClient:
        return self.clients["review"]

    @property
    def registry(self) -> httpx.AsyncClient:
        return self.clients["registry"]

    async def token(self, username: str, resource: str | None = None, password: str = DEMO_PASSWORD) -> str:
        key = (username, resource)
        if key not in self._tokens:
            data = {"grant_type": "password", "username": username, "password": password}
            if resource:
                data["resource"] = resource
            response = await self.registry.post("/api/v1/auth/token", data=data)
            assert response.status_code == 200, response.text
            self._tokens[key] = response.json()["access_token"]
        return self._tokens[key]

    async def auth(self, username: str, resource: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(username, resource)}"}

    async def client_token(self, client_id: str, secret: str, **extra: str) -> str:
        response = await self.registry.post(
            "/api/v1/auth/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra},
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def client_auth(self, client_id: str, secret: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.client_token(client_id, secret, **extra)}"}

    async def every_item(self, service: str, path: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
        """Every item of a keyset-paged list, in order, following ``next_cursor`` page by page
        (pages of 200 unless ``limit`` says otherwise)."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {"limit": 200, **params, **({"cursor": cursor} if cursor else {})}
            response = await self.client(service).get(path, params=query, headers=headers)
            assert response.status_code == 200, response.text
            page = response.json()
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items

    async def service_headers(self, service: str, audience: str) -> dict[str, str]:
        from wenping_shared.demo import SERVICE_CLIENTS

        return await self.client_auth(f"{service}-service", SERVICE_CLIENTS[service], resource=audience)


@dataclass
class WenpingSystem(ServiceClients):
    """The running system as tests see it."""

    apps: dict[str, FastAPI]
    transport: RoutingTransport
    settings: dict[str, Any]
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    _tokens: dict[tuple[str, str | None], str] = field(default_factory=dict)

    async def decide_review(
        self, review_id: str, body: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        """POST the decision with the review's current ETag as If-Match, as a client would."""
        current = await self.review.get(f"/api/v1/reviews/{review_id}", headers=headers)
        etag = current.headers.get("etag")
        if_match = {"If-Match": etag} if etag else {}
        return await self.review.post(f"/api/v1/reviews/{review_id}/decision", json=body, headers={**headers, **if_match})

    async def drain_outboxes(self) -> None:
        """Deliver every pending outbox message now (instead of waiting for the relays' poll)."""
        for _ in range(3):
            for name in ("intake", "review", "registry"):
                relay = getattr(self.apps[name].state, "outbox", None)
                if relay is not None:
                    await relay.drain()
