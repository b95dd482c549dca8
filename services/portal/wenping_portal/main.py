"""The portal: a fourth process serving Chinese pages for the people who do the work."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from .admin import endpoints as admin
from .auth import endpoints as auth
from .config import PortalSettings
from .dashboard import endpoints as dashboard
from .deps import CsrfRejected, RoleRefused, SignInRequired, current_session
from .projects import endpoints as projects
from .rendering import page
from .reports import endpoints as reports
from .reports.drafts import DraftStore
from .reviews import endpoints as reviews
from .sessions import COOKIE_NAME, SessionStore
from .upstream import SERVICE_NAMES, PeerUnavailable, Refused, SignedOut, Upstream

logger = logging.getLogger("wenping.portal")
STATIC = Path(__file__).parent / "static"

# Pages and fragments only ever load the portal's own scripts, styles and images.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(settings: PortalSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    settings = settings or PortalSettings()
    logging.getLogger("wenping").setLevel(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.http_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, transport=transport) as http:
            app.state.upstream = Upstream(
                http, {"intake": settings.intake_url, "review": settings.review_url, "registry": settings.registry_url}
            )
            app.state.drafts = DraftStore(settings.drafts_database)
            await app.state.drafts.open()
            await app.state.sessions.open()
            try:
                yield
            finally:
                await app.state.sessions.close()
                await app.state.drafts.close()

    app = FastAPI(title="稳评 · 门户（portal）", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.settings = settings
    app.state.sessions = SessionStore(settings.secret_key, settings.session_max_age_seconds, settings.sessions_database)

    @app.middleware("http")
    async def session_cookie_and_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path.startswith("/static/"):
            response = await call_next(request)
        else:
            request.state.portal_session = await app.state.sessions.load(request.cookies.get(COOKIE_NAME))
            request.state.ended_sessions = []
            response = await call_next(request)
            await app.state.sessions.persist(getattr(request.state, "portal_session", None), request.state.ended_sessions)
        session = getattr(request.state, "portal_session", None)
        if getattr(request.state, "new_cookie", False) and session is not None:
            response.set_cookie(
                COOKIE_NAME, app.state.sessions.cookie_value(session), max_age=settings.session_max_age_seconds,
                httponly=True, samesite="strict", secure=settings.cookie_secure, path="/",
            )
        elif getattr(request.state, "drop_cookie", False):
            response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=settings.cookie_secure)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse("/", status_code=303)

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, exc: SignedOut) -> Response:
        session = current_session(request)
        if session is not None:
            request.state.ended_sessions.append(session)
        fresh = app.state.sessions.new_anonymous()
        fresh.flash("登录已过期，请重新登录", "error")
        request.state.portal_session = fresh
        request.state.new_cookie = True
        return RedirectResponse("/", status_code=303)

    @app.exception_handler(PeerUnavailable)
    async def peer_unavailable(request: Request, exc: PeerUnavailable) -> Response:
        logger.warning("peer unavailable: %s %s", exc.service, request.url.path)
        return page(request, "error.html", 503, title="服务暂时无法访问",
                    message=f"{SERVICE_NAMES.get(exc.service, exc.service)}暂时无法访问，请稍后刷新重试。"
                    "已填写的内容未丢失时可返回上一页再次提交。")

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        status = exc.status if exc.status in (403, 404, 409, 412, 422, 428) else 400
        title = {404: "不存在或无权查看", 403: "无权执行此操作"}.get(status, "请求未被接受")
        return page(request, "error.html", status, title=title, message=exc.message)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
        return page(request, "error.html", 403, title="表单已失效",
                    message="表单已过期或来源不明（CSRF 校验未通过），请返回刷新页面后重新提交。")

    @app.exception_handler(RequestValidationError)
    async def malformed_form(request: Request, exc: RequestValidationError) -> Response:
        fields = "、".join(str(e.get("loc", ["", ""])[-1]) for e in exc.errors()[:5])
        return page(request, "error.html", 422, title="填写有误",
                    message=f"表单中有内容不符合要求（{fields}），请返回修改后重新提交。")

    @app.exception_handler(RoleRefused)
    async def role_refused(request: Request, exc: RoleRefused) -> Response:
        return page(request, "error.html", 403, title="无权查看", message="当前账号的角色不能使用此页面。")

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        return page(request, "error.html", 404, title="页面不存在", message="您访问的页面不存在。")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("portal error on %s", request.url.path)
        return page(request, "error.html", 500, title="系统出错", message="页面处理出错，已记录。请稍后重试。")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, projects, reports, reviews, dashboard, admin):
        app.include_router(module.router)
    return app
