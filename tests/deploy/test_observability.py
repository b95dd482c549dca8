"""GET /metrics on every service (route templates, never ids; latency; outbox backlog; domain
counters; pool use), tracing that carries W3C traceparent to peers and puts the trace id in the
JSON logs, and that is off unless configured."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI, Request
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from wenping_shared import configure_logging
from wenping_shared._tracing import install_tracing, instrument_client, shutdown_tracing, tracing_configured


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text format, or None when absent."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', head))
        if head.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return None


@pytest.mark.parametrize("service", ["intake", "review", "registry"])
async def test_metrics_count_requests_by_route_template(system: Any, service: str) -> None:
    client = system.client(service)
    headers = await system.auth("jx.reviewer")
    missing = {"intake": "/api/v1/projects/no-such-id", "review": "/api/v1/reviews/no-such-id",
               "registry": "/api/v1/organizations/no-such-id"}[service]
    template = {"intake": "/api/v1/projects/{project_id}", "review": "/api/v1/reviews/{review_id}",
                "registry": "/api/v1/organizations/{org_id}"}[service]
    before = sample((await client.get("/metrics")).text, "wenping_http_requests_total",
                    method="GET", route=template, status="404") or 0
    assert (await client.get(missing, headers=headers)).status_code == 404
    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert sample(text, "wenping_http_requests_total", method="GET", route=template, status="404") == before + 1
    assert sample(text, "wenping_http_request_duration_seconds_count", method="GET", route=template) is not None
    assert "no-such-id" not in text, "ids must never become label values"
    assert sample(text, "wenping_db_pool_connections_in_use", pool="write") is not None
    if service in ("intake", "review"):
        assert sample(text, "wenping_outbox_pending_messages") is not None
        assert sample(text, "wenping_outbox_oldest_pending_age_seconds") is not None


async def test_outbox_backlog_is_read_from_the_database(system: Any, peer_down: Any) -> None:
    from wenping_intake.database import OutboxMessage

    peer_down("review")
    async with system.apps["intake"].state.sessionmaker() as session:
        session.add(OutboxMessage(destination="review", path="/api/v1/nowhere", payload={}))
        await session.commit()
    try:
        text = (await system.intake.get("/metrics")).text
        assert (sample(text, "wenping_outbox_pending_messages") or 0) >= 1
    finally:
        async with system.apps["intake"].state.sessionmaker() as session:
            from sqlmodel import col, select

            rows = (await session.exec(select(OutboxMessage).where(col(OutboxMessage.path) == "/api/v1/nowhere"))).all()
            for row in rows:
                await session.delete(row)
            await session.commit()


async def test_login_failures_are_counted(system: Any) -> None:
    def failures(text: str) -> float:
        return sample(text, "wenping_login_failures_total", reason="bad_credentials") or 0

    before = failures((await system.registry.get("/metrics")).text)
    r = await system.registry.post("/api/v1/auth/token",
                                   data={"grant_type": "password", "username": "zy.reviewer", "password": "wrong-one"})
    assert r.status_code == 401
    assert failures((await system.registry.get("/metrics")).text) == before + 1


def test_tracing_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert not tracing_configured()
    app = FastAPI()
    assert install_tracing(app, "intake") is None
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert tracing_configured()
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not tracing_configured()


async def test_traceparent_crosses_services_and_the_trace_id_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """A traced app calling a traced peer: one trace, the peer sees W3C traceparent, logs carry it."""
    exporter = InMemorySpanExporter()
    peer, front = FastAPI(), FastAPI()
    seen: dict[str, str] = {}

    @peer.get("/api/v1/echo")
    async def echo(request: Request) -> dict[str, str]:
        seen["traceparent"] = request.headers.get("traceparent", "")
        logging.getLogger("wenping.test").warning("peer answered")
        return {}

    install_tracing(peer, "registry", exporter=exporter)
    install_tracing(front, "intake", exporter=exporter)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=peer), base_url="http://registry.test")
    instrument_client(front, client)

    @front.get("/api/v1/call")
    async def call() -> dict[str, str]:
        await client.get("/api/v1/echo")
        return {}

    configure_logging("test", "INFO", True)
    records: list[str] = []
    handler = logging.getLogger("wenping").handlers[0]

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(handler.format(record))

    keep = Keep()
    for f in handler.filters:
        keep.addFilter(f)
    logging.getLogger("wenping").addHandler(keep)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=front), base_url="http://intake.test") as outer:
            assert (await outer.get("/api/v1/call")).status_code == 200
    finally:
        logging.getLogger("wenping").removeHandler(keep)
        await client.aclose()
        shutdown_tracing(front)
        shutdown_tracing(peer)
    spans = exporter.get_finished_spans()
    trace_ids = {s.context.trace_id for s in spans}
    assert len(trace_ids) == 1, "one trace across both services"
    trace_id = format(trace_ids.pop(), "032x")
    assert re.fullmatch(rf"00-{trace_id}-[0-9a-f]{{16}}-[0-9a-f]{{2}}", seen["traceparent"])
    assert {s.resource.attributes["service.name"] for s in spans} == {"wenping-intake", "wenping-registry"}
    logged = [json.loads(r) for r in records if "peer answered" in r]
    assert logged and logged[0]["trace_id"] == trace_id


async def test_dashboard_and_alerts_name_only_metrics_the_services_expose(system: Any) -> None:
    from deploy_kit import DEPLOY

    exposed: set[str] = set()
    for service in ("intake", "review", "registry"):
        for line in (await system.client(service).get("/metrics")).text.splitlines():
            if line.startswith("# TYPE "):
                name, kind = line.split()[2:4]
                exposed.add(name)
                if kind == "histogram":
                    exposed |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
                if kind == "counter":
                    exposed.add(f"{name}_total" if not name.endswith("_total") else name)
    rules = yaml.safe_load((DEPLOY / "monitoring" / "alerts.yaml").read_text(encoding="utf-8"))
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    assert {rule["alert"] for group in rules["groups"] for rule in group["rules"]} >= {
        "WenpingOutboxStuck", "WenpingHighErrorRate", "WenpingNotReady"}
    dashboard = json.loads((DEPLOY / "monitoring" / "grafana-dashboard.json").read_text(encoding="utf-8"))
    expressions += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    named = {m for e in expressions for m in re.findall(r"\bwenping_[a-z_]+", e)}
    assert named and named <= exposed, named - exposed
    assert {"wenping_outbox_oldest_pending_age_seconds", "wenping_review_verdicts_total",
            "wenping_expert_draws_total", "wenping_login_failures_total"} <= named
