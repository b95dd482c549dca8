"""OpenTelemetry tracing, off by default.

Set ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) and each service
traces its requests and its calls to peers, exporting spans by OTLP over HTTP; every call to a
peer carries the W3C ``traceparent`` header, so one trace follows a request across the services.
``OTEL_SDK_DISABLED=true`` turns it off again. Each app gets its own tracer provider (service
name ``wenping-<service>``), so several apps in one process (the tests) stay apart.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import httpx
from fastapi import FastAPI
from opentelemetry import trace

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter


def tracing_configured() -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def install_tracing(app: FastAPI, service: str, exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Trace ``app``'s requests when an OTLP endpoint is configured (or ``exporter`` is given).

    Call before the app serves its first request (middleware cannot be added later); the
    provider is kept on ``app.state.tracer_provider`` for ``instrument_client`` and shutdown."""
    if exporter is None and not tracing_configured():
        return None
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    resource = Resource.create({
        "service.name": f"wenping-{service}",
        "service.namespace": os.environ.get("OTEL_SERVICE_NAMESPACE", "wenping"),
    })
    provider = TracerProvider(resource=resource)
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"]
    )
    app.state.tracer_provider = provider
    return provider


def instrument_client(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Spans for ``client``'s calls, each carrying ``traceparent`` (when ``app`` is traced)."""
    provider = getattr(app.state, "tracer_provider", None)
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)


def shutdown_tracing(app: FastAPI) -> None:
    """Flush and stop the exporter. Blocking: call from a thread."""
    provider = getattr(app.state, "tracer_provider", None)
    if provider is not None:
        provider.shutdown()


def current_trace_id() -> str | None:
    """The active trace id as 32 hex digits (for log lines), or None outside a trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
