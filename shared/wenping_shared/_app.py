"""What every service app has: conventions, health, and the runtime created in ``lifespan``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from ._audit import AuditMiddleware, AuditRecordFields, AuditTrail, purging_periodically
from ._auth import KeyLookup, Principal, RemoteJWKS, TokenVerifier, authenticate
from ._cors import install_cors
from ._db import create_engine, create_read_sessionmaker, create_sessionmaker, is_sqlite
from ._errors import IfMatchRequired, StaleETag, install_error_handlers
from ._external import ExternalIssuers, RegistryLinker, SubjectLinker
from ._http import ServiceClient, ServiceTokens
from ._metrics import exposition, outbox_families, record_request, watch_pool
from ._middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from ._migrations import migrations_current
from ._openapi import install_openapi
from ._outbox import OutboxMessageFields, OutboxRelay
from ._reader import Reader
from ._settings import ServiceSettings, check_production
from ._tracing import install_tracing, instrument_client, shutdown_tracing
from .contracts.vocab import enum_catalog

#: Net allocations between young collections (``running_service``; CPython defaults to 700).
_YOUNG_COLLECTION_THRESHOLD = 10_000


@dataclass
class ServiceRuntime:
    """Process-wide resources, created once in ``lifespan`` and closed there."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    read_engine: AsyncEngine
    read_sessionmaker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    peers: ServiceClient
    verifier: TokenVerifier

    async def close(self) -> None:
        await self.http.aclose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
        await self.engine.dispose()


async def open_runtime(
    app: FastAPI,
    settings: ServiceSettings,
    *,
    audience: str,
    transport: httpx.AsyncBaseTransport | None = None,
    key_lookup: KeyLookup | None = None,
    subject_linker: SubjectLinker | None = None,
) -> ServiceRuntime:
    url = settings.resolved_database_url
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    read_engine = create_engine(url, read_only=True) if is_sqlite(url) else engine
    read_sessionmaker = create_sessionmaker(read_engine) if read_engine is not engine else sessionmaker
    http = httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(settings.http_timeout_seconds, connect=min(2.0, settings.http_timeout_seconds)),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
    )
    instrument_client(app, http)
    watch_pool(engine)
    base_urls = {"intake": settings.intake_url, "review": settings.review_url, "registry": settings.registry_url}
    tokens = (
        ServiceTokens(http, settings.registry_url.rstrip("/") + "/api/v1/auth/token", settings.client_id, settings.client_secret)
        if settings.client_id
        else None
    )
    peers = ServiceClient(http, base_urls, tokens, retries=settings.http_retries)
    if key_lookup is None:
        key_lookup = RemoteJWKS(
            http, settings.registry_url.rstrip("/") + "/.well-known/jwks.json", settings.jwks_min_refresh_seconds
        )
    external = (
        ExternalIssuers(
            settings.external_issuers, http, subject_linker or RegistryLinker(peers), settings.jwks_min_refresh_seconds
        )
        if settings.external_issuers
        else None
    )
    verifier = TokenVerifier(key_lookup, issuer=settings.jwt_issuer, audience=audience, external=external)
    runtime = ServiceRuntime(engine, sessionmaker, read_engine, read_sessionmaker, http, peers, verifier)
    app.state.runtime = runtime
    app.state.sessionmaker = sessionmaker
    app.state.read_sessionmaker = read_sessionmaker
    app.state.reading_sessionmaker = create_read_sessionmaker(read_engine)
    app.state.reader = Reader(read_engine, app.state.reading_sessionmaker)
    app.state.token_verifier = verifier
    app.state.peers = peers
    return runtime


@asynccontextmanager
async def running_service(
    app: FastAPI,
    settings: ServiceSettings,
    *,
    name: str,
    transport: httpx.AsyncBaseTransport | None = None,
    key_lookup: KeyLookup | None = None,
    outbox_model: type[OutboxMessageFields] | None = None,
    subject_linker: SubjectLinker | None = None,
    audit_model: type[AuditRecordFields] | None = None,
) -> AsyncIterator[ServiceRuntime]:
    """The body of every service's lifespan: refuse a production misconfiguration, open the runtime
    (engine, HTTP client, token verifier), run the outbox relay and the audit trail's purge, and
    close it all in reverse order."""
    check_production(name, settings.production_problems())
    runtime = await open_runtime(
        app, settings, audience=name, transport=transport, key_lookup=key_lookup, subject_linker=subject_linker
    )
    relay = None
    if outbox_model is not None:
        relay = OutboxRelay(runtime.sessionmaker, outbox_model, runtime.peers, settings.outbox_poll_seconds)
        app.state.outbox = relay
        relay.start()
    purging: contextlib.AbstractAsyncContextManager[None] = contextlib.nullcontext()
    if audit_model is not None:
        trail = app.state.audit = audit_trail(audit_model, settings)
        purging = purging_periodically(
            trail, runtime.sessionmaker, settings.audit_retention_days, settings.audit_purge_interval_seconds
        )
    # Everything made at start-up (modules, tables, schemas, routes: most of the heap) lives as
    # long as the process: frozen, the collector stops walking it on each of its full passes,
    # which a request's allocations keep triggering (py-spy: about a fifth of a read's CPU).
    # Frozen without a collection first, as Python's documentation of gc.freeze has it: start-up
    # leaves about 1,900 unreachable objects, and a pass over its 260,000 cost 0.2-0.3 s of the
    # cold start. The collector is off until here when ``__main__`` started the service.
    gc.freeze()
    gc.enable()
    # A request's objects are freed by their reference counts, not by the collector; at the default
    # threshold (700 net allocations) 64 requests in flight set off a young collection every few
    # requests, each promoting what is still in flight until a full pass walks it: 1.5 s of
    # collections in 18 s of GETs under wrk -c64, 36 full passes of up to 90 ms. At 10,000, 0.1 s
    # and no full pass (CPU per GET by id 0.44 -> 0.41 ms, per filing 1.85 -> 1.74 ms).
    gc.set_threshold(_YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
    try:
        async with purging:
            yield runtime
    finally:
        if relay is not None:
            await relay.stop()
        await runtime.close()
        await asyncio.to_thread(shutdown_tracing, app)


def audit_trail(audit_model: type[AuditRecordFields], settings: ServiceSettings) -> AuditTrail:
    """The service's audit trail, signing purge checkpoints with its ``audit_checkpoint_secret``."""
    return AuditTrail(audit_model, settings.audit_checkpoint_secret.get_secret_value().encode())


def install_conventions(app: FastAPI, settings: ServiceSettings, migrations: Path) -> None:
    """Middleware, the error handler, the OpenAPI contract with offline /docs, /healthz and /readyz."""
    install_error_handlers(app)
    app.add_middleware(AuditMiddleware)  # innermost: inside the request id, sees the final status
    app.add_middleware(
        BodySizeLimitMiddleware, max_json=settings.max_json_body_bytes, max_upload=settings.max_upload_body_bytes
    )
    app.add_middleware(RequestContextMiddleware, observe=record_request)
    install_cors(app, settings)
    service = settings.service_name
    install_tracing(app, service)  # outermost: access logs are written inside the request's span
    token_path = "/api/v1/auth/token"
    install_openapi(
        app, service=service, token_url=token_path if service == "registry" else settings.registry_url.rstrip("/") + token_path
    )

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        relay: OutboxRelay | None = getattr(request.app.state, "outbox", None)
        extra = outbox_families(*await relay.backlog()) if relay is not None else []
        body, content_type = exposition(extra)
        return Response(body, media_type=content_type)

    @app.get("/healthz", tags=["health"], summary="存活检查（不访问数据库）")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/api/v1/whoami",
        tags=["health"],
        summary="本服务眼中的调用方（用于对接调试令牌）",
        description="验证令牌并返回其主体、角色、单位、地区、scope 与受众；令牌无效时返回 401。",
    )
    async def whoami(principal: Annotated[Principal, Depends(authenticate)]) -> dict[str, Any]:
        aud = principal.claims.get("aud")
        return {
            "subject": principal.subject,
            "kind": principal.kind,
            "roles": sorted(principal.roles),
            "org_id": principal.org_id,
            "region_code": principal.region_code,
            "scopes": sorted(principal.scopes),
            "audience": aud if isinstance(aud, list) else [aud],
        }

    @app.get(
        "/api/v1/meta/enums",
        tags=["meta"],
        summary="枚举值及中文名称",
        description="所有词表：{名称: [{value, label}]}。无需令牌。",
    )
    async def enums() -> dict[str, list[dict[str, str]]]:
        return enum_catalog()

    @app.get("/readyz", tags=["health"], summary="就绪检查（数据库可达且迁移为最新）")
    async def readyz(request: Request) -> JSONResponse:
        runtime: ServiceRuntime = request.app.state.runtime
        checks: dict[str, Any] = {}
        try:
            async with runtime.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
            checks["migrations"] = "ok" if await migrations_current(runtime.engine, migrations) else "pending"
        except Exception:  # readiness reports, it does not raise
            checks["database"] = "unreachable"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks}, status_code=200 if ready else 503)


def model_response(model: BaseModel, headers: Mapping[str, str] | None = None) -> Response:
    """The JSON response of a model the route built (and pydantic validated) itself, serialised
    once. Returned as is, the model would be validated again against the route's
    ``response_model`` and then serialised; the route keeps ``response_model`` for its OpenAPI
    contract. For hot reads (GET of a project, its list)."""
    return Response(model.model_dump_json(), media_type="application/json", headers=headers)


def etag_for(version: int | str) -> str:
    return f'"{version}"'


def check_if_match(request: Request, current_etag: str) -> None:
    """PATCH and state transitions: 428 without If-Match, 412 when stale."""
    header = request.headers.get("if-match")
    if header is None:
        raise IfMatchRequired()
    candidates = {c.strip().removeprefix("W/") for c in header.split(",")}
    if "*" not in candidates and current_etag not in candidates:
        raise StaleETag()


#: The check a service runs against an object's current ETag once it has loaded it (If-Match):
#: the endpoint hands it in, so the service never sees the request.
Precondition = Callable[[str], None]


async def if_match(request: Request) -> Precondition:
    """Route dependency: the request's If-Match as a precondition (428 without, 412 when stale)."""
    return lambda etag: check_if_match(request, etag)


async def optional_if_match(request: Request) -> Precondition | None:
    """Route dependency: the same, checked only when the caller sends If-Match."""
    return None if request.headers.get("if-match") is None else await if_match(request)


IfMatch = Annotated[Precondition, Depends(if_match)]
OptionalIfMatch = Annotated[Precondition | None, Depends(optional_if_match)]
