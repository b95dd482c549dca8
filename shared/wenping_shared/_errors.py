"""One error hierarchy and one handler: RFC 9457 problem+json with stable codes.

Business errors carry their own status and ``code``; 422 is only for malformed payloads.
Nothing internal (stack traces, SQL) ever reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ._validation import body_model, describe_validation_errors, is_malformed_body

logger = logging.getLogger("wenping.errors")

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://wenping.gov.cn/problems/"


class WenpingError(Exception):
    """Base of every error a client may see.

    One problem, one subclass, declared in one line: it states its ``code``, ``status`` and
    ``title`` once as class keywords (and, when the sentence never varies, its Chinese ``message``):
    ``class DecisionListNotFound(NotFound, code=..., message=...): ...``,
    inheriting what it does not state from its base (its status, its title). So a raise site
    names the problem instead of spelling a code string, and a typo is an ``AttributeError``,
    not a new code. Each service declares its own problems in ``wenping_<service>/errors.py``;
    problems more than one service reports are declared here. Declaring a code twice is refused
    at import time, and ``declared_problems()`` lists them all (docs/error-codes.md).
    """

    status: int = 400
    code: str = "request.invalid"
    title: str = "请求无效"
    #: The Chinese ``detail`` when the raise site gives none.
    message: str = "请求无效"

    def __init_subclass__(
        cls,
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        message: str | None = None,
        **kwargs: Any,
    ) -> None:
        """A problem is declared in one line: ``class X(Conflict, code=..., message=...): ...``."""
        super().__init_subclass__(**kwargs)
        stated = {"status": status, "code": code, "title": title, "message": message}
        for name, value in stated.items():
            if value is not None:
                setattr(cls, name, value)
        if "code" in cls.__dict__ or "status" in cls.__dict__:
            _declare(cls)

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        """``extra`` members are added to the problem document (e.g. ``allowed_actions``)."""
        detail = detail if detail is not None else self.message
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def to_problem(self) -> dict[str, Any]:
        return {
            "type": _TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            **self.extra,
        }


_DECLARED: dict[str, list[type[WenpingError]]] = {}


def _declare(cls: type[WenpingError]) -> None:
    """Register a problem class. A code belongs to one class; the only other classes allowed to
    carry it are its subclasses that change the status (a kept historical variant, e.g.
    ``region.not_found`` is 404 on its own URL and 400 when named in a body)."""
    known = _DECLARED.setdefault(cls.code, [])
    same = [k for k in known if (k.__module__, k.__qualname__) == (cls.__module__, cls.__qualname__)]
    for old in same:  # a module imported twice (reload) re-declares the same class
        known.remove(old)
    if known and not issubclass(cls, known[0]):
        first = known[0]
        raise TypeError(
            f"error code {cls.code!r} is declared twice: {first.__module__}.{first.__qualname__} "
            f"and {cls.__module__}.{cls.__qualname__}; raise the existing class instead"
        )
    known.append(cls)


def declared_problems() -> list[type[WenpingError]]:
    """Every declared problem class (of the modules imported so far), by code then status."""
    return sorted((c for classes in _DECLARED.values() for c in classes), key=lambda c: (c.code, c.status))


class BadRequest(WenpingError, status=400, code="request.invalid", title="请求无效", message="请求无效"): ...


class Unauthorized(WenpingError, status=401, code="auth.invalid_token", title="未认证", message="缺少或无效的访问令牌"):
    def __init__(self, detail: str | None = None, **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        super().__init__(detail, **kw)


class Forbidden(WenpingError, status=403, code="auth.forbidden", title="无权操作", message="当前账号无权执行此操作"): ...


class NotFound(WenpingError, status=404, code="resource.not_found", title="资源不存在", message="资源不存在"): ...


class MethodNotAllowed(WenpingError, status=405, code="http.405", title="请求无效", message="不支持该请求方法"): ...


class Conflict(WenpingError, status=409, code="resource.conflict", title="状态冲突", message="数据冲突，可能是重复提交，请刷新后重试"): ...


class PreconditionFailed(WenpingError, status=412, code="request.precondition_failed", title="资源已被修改", message="资源已被他人修改，请重新获取后再试"): ...


class PayloadTooLarge(WenpingError, status=413, code="request.too_large", title="请求体过大", message="请求体过大"): ...


class UnprocessableEntity(WenpingError, status=422, code="request.validation_failed", title="请求数据校验失败", message="请求数据校验失败"): ...


class PreconditionRequired(WenpingError, status=428, code="request.precondition_required", title="缺少前置条件", message="此操作须携带 If-Match 请求头（取自资源的 ETag）"): ...


class TooManyRequests(WenpingError, status=429, code="request.rate_limited", title="请求过于频繁", message="请求过于频繁，请稍后再试"): ...


class InternalError(WenpingError, status=500, code="server.error", title="服务器内部错误", message="服务器内部错误，请稍后重试或联系管理员"): ...


class ServiceUnavailable(WenpingError, status=503, code="service.unavailable", title="依赖服务暂不可用", message="依赖服务暂不可用，请稍后重试"): ...


# Problems the shared library raises itself.


class DocumentFontMissing(ServiceUnavailable, code="document.font_missing", title="缺少打印字体", message="服务器缺少生成 PDF 所需的中文字体，请管理员安装 fonts-noto-cjk 或设置 DOCUMENT_FONT，现可下载 Word 版"):
    """The CJK font PDFs are printed with is not where the setting says (wenping_shared.pdf)."""


class InvalidCursor(BadRequest, code="pagination.invalid_cursor", message="分页游标无效"): ...


class MalformedBody(BadRequest, code="request.malformed_body", message="请求体无法解析：须为 UTF-8 编码的合法 JSON，且嵌套层数不能过多"): ...


class InvalidIdempotencyKey(BadRequest, code="idempotency.invalid_key"): ...


class IdempotencyInProgress(Conflict, code="idempotency.in_progress", message="相同 Idempotency-Key 的请求正在处理，请稍后重试"): ...


class IdempotencyKeyReused(UnprocessableEntity, code="idempotency.key_reused", message="该 Idempotency-Key 已用于内容不同的请求"): ...


class MissingToken(Unauthorized, code="auth.missing_token", message="缺少访问令牌（Authorization: Bearer …）"): ...


class TokenExpired(Unauthorized, code="auth.token_expired", message="令牌已过期"): ...


class WrongAudience(Unauthorized, code="auth.wrong_audience", message="令牌的受众（aud）不是本服务"): ...


class WrongIssuer(Unauthorized, code="auth.wrong_issuer", message="令牌签发者（iss）不受信任"): ...


class UnknownKey(Unauthorized, code="auth.unknown_key", message="未知的签名密钥（kid）"): ...


class RoleRequired(Forbidden, code="auth.role_required", message="当前账号无权执行此操作"): ...


class ServiceOnly(Forbidden, code="auth.service_only", message="此接口仅供系统服务调用"): ...


class IfMatchRequired(PreconditionRequired, code="request.if_match_required", message="此操作须携带 If-Match 请求头（取自资源的 ETag）"): ...


class StaleETag(PreconditionFailed, code="request.stale_etag", message="资源已被他人修改，请重新获取后再试"): ...


class DatabaseUnavailable(ServiceUnavailable, code="database.unavailable", message="数据库暂不可用，请稍后重试"): ...


class ServiceTokenUnavailable(ServiceUnavailable, code="service.token_unavailable", message="无法从注册服务获取服务令牌"): ...


class ServiceTokenRefused(ServiceUnavailable, code="service.token_refused"): ...


# Problems more than one service reports (one declaration, so the code cannot drift apart).


class ProjectNotFound(NotFound, code="project.not_found", message="项目不存在"): ...


class RegionNotFound(NotFound, code="region.not_found", message="行政区划不存在"): ...


class UnknownRegion(RegionNotFound, status=400):
    """A region code named in a request body or query does not exist: 400, the request is wrong."""


class ReportNotFound(NotFound, code="report.not_found", message="评估报告不存在"): ...


class AgencyNotFound(NotFound, code="agency.not_found", message="评估机构不存在"): ...


class RegistryUnavailable(ServiceUnavailable, code="registry.unavailable", message="注册服务暂不可用，请稍后重试"): ...


def validation_problem(errors: Sequence[Any], model: type[BaseModel] | None = None) -> WenpingError:
    """422 naming each field in Chinese (see ``_validation``); a body that is not JSON is a 400."""
    if is_malformed_body(errors):
        return MalformedBody(errors=describe_validation_errors(errors)[1])
    detail, items = describe_validation_errors(errors, model)
    return UnprocessableEntity(detail, errors=items)


def problem_response(err: WenpingError) -> JSONResponse:
    return JSONResponse(err.to_problem(), status_code=err.status, headers=err.headers, media_type=PROBLEM_JSON)


class _FrameworkError(WenpingError):
    """What Starlette itself refuses (an unknown URL, a wrong method, ...), as ``http.<status>``."""

    def __init__(self, status: int, detail: str, headers: dict[str, str]) -> None:
        super().__init__(detail, headers=headers)
        self.status, self.code = status, f"http.{status}"
        self.title = _FRAMEWORK_TITLES.get(status, WenpingError.title)


_FRAMEWORK_TITLES = {413: PayloadTooLarge.title}
_HTTP_DETAIL = {404: "请求的地址不存在", 405: MethodNotAllowed.message, 413: "请求体过大"}
# FastAPI answers a body it cannot decode (invalid UTF-8, nesting too deep) with an English 400.


def _framework_problem(exc: StarletteHTTPException) -> WenpingError:
    detail = _HTTP_DETAIL.get(exc.status_code) or (exc.detail if isinstance(exc.detail, str) else "请求无效")
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return NotFound(detail, headers=headers)
    if exc.status_code == 405:
        return MethodNotAllowed(detail, headers=headers)
    if exc.status_code == 400:
        return MalformedBody(headers=headers)
    return _FrameworkError(exc.status_code, detail, headers)


def install_error_handlers(app: FastAPI) -> None:
    """The single place errors become responses."""

    async def on_wenping(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, WenpingError)
        return problem_response(exc)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError | ValidationError)
        return problem_response(validation_problem(exc.errors(), body_model(request)))

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem_response(_framework_problem(exc))

    async def on_integrity(_: Request, exc: Exception) -> JSONResponse:
        # A unique or foreign-key constraint caught what the service layer did not: a race.
        logger.warning("integrity error: %s", exc.__class__.__name__)
        return problem_response(Conflict())

    async def on_operational(_: Request, exc: Exception) -> JSONResponse:
        logger.error("database unavailable: %s", exc.__class__.__name__)
        return problem_response(DatabaseUnavailable())

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return problem_response(InternalError())

    app.add_exception_handler(WenpingError, on_wenping)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(OperationalError, on_operational)
    app.add_exception_handler(Exception, on_unexpected)
