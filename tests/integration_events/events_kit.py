"""The integration-events test system: the three real apps in-process (as in tests/conftest.py),
but with a transport that lets the services reach real servers on 127.0.0.1 (webhook receivers, a
throwaway identity provider), plus those servers.

A module of its own (not conftest): test modules import it by a name no other folder uses."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from apps_kit import COMMON, SERVICES, clients, databases, migrate_and_seed, service_settings, started
from system_kit import ServiceClients

from wenping_shared.contracts.samples import complete_report
from wenping_shared.tokens import generate_private_key_pem, public_jwk, sign


class NetworkTransport(httpx.AsyncBaseTransport):
    """http://<service>.test goes to that in-process app; any other address to the real network."""

    def __init__(self) -> None:
        self.apps: dict[str, httpx.ASGITransport] = {}
        self.network = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host.endswith(".test"):
            return await self.apps[host.removesuffix(".test")].handle_async_request(request)
        return await self.network.handle_async_request(request)


# --- real servers on 127.0.0.1 ------------------------------------------------------------------


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver(_Server):
    """A webhook receiver: records every request and answers ``status`` (204 by default)."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[Received] = []
        self.status = 204
        self._lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(r.body) for r in self.received]


class IdentityProvider(_Server):
    """A throwaway external identity provider: serves its own JWKS and signs with its own key."""

    def __init__(self, issuer_path: str = "/idp") -> None:
        super().__init__()
        self.private_pem = generate_private_key_pem()
        self.jwk = public_jwk(self.private_pem)
        self.issuer_path = issuer_path

    @property
    def issuer(self) -> str:
        return self.url + self.issuer_path

    @property
    def jwks_url(self) -> str:
        return self.url + "/jwks.json"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps({"keys": [idp.jwk]}).encode()
                self.send_response(200 if self.path == "/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def token(self, sub: str, *, audience: str = "wenping", issuer: str | None = None, ttl: int = 600,
              private_pem: bytes | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": issuer or self.issuer, "sub": sub, "aud": audience, "iat": now, "nbf": now, "exp": now + ttl,
                   "jti": str(uuid.uuid4()), **claims}
        key = private_pem or self.private_pem
        return sign(payload, key, public_jwk(key)["kid"])


# --- the system --------------------------------------------------------------------------------


@dataclass
class EventsSystem(ServiceClients):
    apps: dict[str, Any]
    settings: dict[str, Any]
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    _tokens: dict[tuple[str, str | None], str] = field(default_factory=dict)

    async def drain(self, rounds: int = 3) -> None:
        """Run every outbox relay now (webhook deliveries included), instead of waiting for its poll."""
        for _ in range(rounds):
            for name in SERVICES:
                relay = getattr(self.apps[name].state, "outbox", None)
                if relay is not None:
                    await relay.drain()

    # Moving a project along, as its owners would.

    async def file_project(self, user: str, **overrides: Any) -> dict[str, Any]:
        body = {
            "title": f"集成测试项目-{uuid.uuid4().hex[:8]}", "category": "project", "sub_kind": "urban_renewal",
            "initiation": "initiation", "filing_batch": "ad_hoc", "interests": ["demolition"],
            "affected_population": 300, "description": "老旧小区改造", "implementing_unit_name": "城市建设投资有限公司",
            "planned_decision_date": "2026-12-31", "deadline": "2026-12-01", **overrides,
        }
        headers = await self.auth(user)
        created = await self.intake.post("/api/v1/projects", json=body, headers=headers)
        assert created.status_code == 201, created.text
        return await self.act(created.json()["id"], "file", user)

    async def act(self, project_id: str, action: str, user: str, **extra: Any) -> dict[str, Any]:
        headers = await self.auth(user)
        current = await self.intake.get(f"/api/v1/projects/{project_id}", headers=headers)
        response = await self.intake.post(
            f"/api/v1/projects/{project_id}/transitions", json={"action": action, **extra},
            headers={**headers, "If-Match": current.headers["etag"]},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def submit_report(self, project_id: str, user: str) -> None:
        headers = await self.auth(user)
        upload = await self.intake.post(
            "/api/v1/files", files={"file": ("报告.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                                             "application/pdf")}, headers=headers,
        )
        assert upload.status_code == 201, upload.text
        response = await self.intake.post(
            f"/api/v1/projects/{project_id}/reports",
            json={"report": complete_report(), "document_file_id": upload.json()["id"]}, headers=headers,
        )
        assert response.status_code == 201, response.text

    async def review_decides(self, project_id: str, verdict: str, round_: int = 1) -> str:
        """The review service's verdict arrives (as its outbox would send it)."""
        review_id = f"review-{uuid.uuid4().hex[:8]}"
        headers = await self.service_headers("review", "intake")
        body = {"event": "decided", "review_id": review_id, "round": round_, "verdict": verdict, "score": 92.0,
                "rectification_deadline": None, "failed_items": [], "decided_at": None}
        response = await self.intake.post(f"/api/v1/projects/{project_id}/review-events", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return review_id

    async def approved_project(self, user: str = "jx.fgw.filer") -> tuple[dict[str, Any], str]:
        project = await self.file_project(user)
        await self.act(project["id"], "start_assessment", user)
        await self.submit_report(project["id"], user)
        review_id = await self.review_decides(project["id"], "approved")
        return project, review_id


@asynccontextmanager
async def events_system(tmp: Path, common_extra: dict[str, Any]) -> AsyncIterator[EventsSystem]:
    async with databases("wp_events", uuid.uuid4().hex[:10]) as urls:
        common = {**COMMON, "outbox_poll_seconds": 0.1, **common_extra}
        # Fast retries and a short deadline, so the tests wait milliseconds, not minutes.
        intake = {
            "webhook_timeout_seconds": 2.0, "webhook_retry_base_seconds": 0.05, "webhook_retry_max_seconds": 0.2,
            "webhook_disable_after_failures": 1000, "webhook_max_attempts": 1000, "webhook_reminder_sweep_seconds": 0,
        }
        settings = service_settings(tmp, urls, common, intake)
        await migrate_and_seed(settings)
        transport = NetworkTransport()
        try:
            async with started(settings, transport, transport.apps) as apps, clients(transport) as service_clients:
                yield EventsSystem(apps=apps, settings=settings, clients=service_clients)
        finally:
            await transport.network.aclose()
