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
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("wenping.errors")

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://wenping.gov.cn/problems/"


class WenpingError(Exception):
    """Base of every error a client may see."""

    status: int = 400
    code: str = "request.invalid"
    title: str = "请求无效"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
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


class BadRequest(WenpingError):
    status, code, title = 400, "request.invalid", "请求无效"


class Unauthorized(WenpingError):
    status, code, title = 401, "auth.invalid_token", "未认证"

    def __init__(self, detail: str = "缺少或无效的访问令牌", **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        super().__init__(detail, **kw)


class Forbidden(WenpingError):
    status, code, title = 403, "auth.forbidden", "无权操作"


class NotFound(WenpingError):
    status, code, title = 404, "resource.not_found", "资源不存在"


class Conflict(WenpingError):
    status, code, title = 409, "resource.conflict", "状态冲突"


class PreconditionFailed(WenpingError):
    status, code, title = 412, "request.precondition_failed", "资源已被修改"


class PayloadTooLarge(WenpingError):
    status, code, title = 413, "request.too_large", "请求体过大"


class UnprocessableEntity(WenpingError):
    status, code, title = 422, "request.validation_failed", "请求数据校验失败"


class PreconditionRequired(WenpingError):
    status, code, title = 428, "request.precondition_required", "缺少前置条件"


class TooManyRequests(WenpingError):
    status, code, title = 429, "request.rate_limited", "请求过于频繁"


class ServiceUnavailable(WenpingError):
    status, code, title = 503, "service.unavailable", "依赖服务暂不可用"


# Chinese messages for pydantic's error types; the `ctx` values fill the placeholders.
_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值（true/false）",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "enum": "取值无效，应为：{expected}",
    "literal_error": "取值无效，应为：{expected}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_type": "应为 RFC 3339 时间",
    "datetime_parsing": "时间格式应为 RFC 3339",
    "datetime_from_date_parsing": "时间格式应为 RFC 3339",
    "list_type": "应为数组",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "json_invalid": "JSON 格式错误",
    "json_type": "JSON 格式错误",
    "value_error": "{error}",
    "assertion_error": "{error}",
    "decimal_parsing": "应为数字",
    "set_type": "应为数组",
    "union_tag_invalid": "类型标记无效",
    "multiple_of": "必须是 {multiple_of} 的倍数",
    "finite_number": "应为有限数字",
}


def _translate(err: dict[str, Any]) -> str:
    template = _MESSAGES.get(err.get("type", ""))
    if template is None:
        return "取值无效"
    ctx = dict(err.get("ctx") or {})
    if "expected" in ctx:
        # pydantic lists choices in English ("'a', 'b' or 'c'"); present them the Chinese way.
        ctx["expected"] = str(ctx["expected"]).replace("' or '", "'、'").replace("', '", "'、'")
    if "error" in ctx:
        # Our own validators raise ValueError with a Chinese message; strip pydantic's prefix.
        ctx["error"] = str(ctx["error"]).removeprefix("Value error, ")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [p for p in err.get("loc", ()) if p != "body" or len(err.get("loc", ())) == 1]
        out.append({"loc": list(loc), "msg": _translate(err), "type": err.get("type")})
    return out


def validation_problem(errors: Sequence[Any]) -> UnprocessableEntity:
    items = validation_errors(errors)
    first = items[0] if items else {"loc": [], "msg": "请求数据无效"}
    where = ".".join(str(p) for p in first["loc"])
    detail = f"请求数据校验失败：{where} {first['msg']}".strip() if where else f"请求数据校验失败：{first['msg']}"
    if len(items) > 1:
        detail += f"（共 {len(items)} 处错误）"
    return UnprocessableEntity(detail, errors=items)


def problem_response(err: WenpingError) -> JSONResponse:
    return JSONResponse(err.to_problem(), status_code=err.status, headers=err.headers, media_type=PROBLEM_JSON)


_HTTP_STATUS: dict[int, type[WenpingError]] = {404: NotFound, 413: PayloadTooLarge}
_HTTP_DETAIL = {404: "请求的地址不存在", 405: "不支持该请求方法", 413: "请求体过大"}


def install_error_handlers(app: FastAPI) -> None:
    """The single place errors become responses."""

    async def on_wenping(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, WenpingError)
        return problem_response(exc)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError | ValidationError)
        return problem_response(validation_problem(exc.errors()))

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        cls = _HTTP_STATUS.get(exc.status_code, WenpingError)
        detail = _HTTP_DETAIL.get(exc.status_code) or (exc.detail if isinstance(exc.detail, str) else "请求无效")
        code = "resource.not_found" if exc.status_code == 404 else f"http.{exc.status_code}"
        return problem_response(cls(detail, status=exc.status_code, code=code, headers=dict(exc.headers or {})))

    async def on_integrity(_: Request, exc: Exception) -> JSONResponse:
        # A unique or foreign-key constraint caught what the service layer did not: a race.
        logger.warning("integrity error: %s", exc.__class__.__name__)
        return problem_response(Conflict("数据冲突，可能是重复提交，请刷新后重试", code="resource.conflict"))

    async def on_operational(_: Request, exc: Exception) -> JSONResponse:
        logger.error("database unavailable: %s", exc.__class__.__name__)
        return problem_response(ServiceUnavailable("数据库暂不可用，请稍后重试", code="database.unavailable"))

    async def on_unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        err = WenpingError("服务器内部错误，请稍后重试或联系管理员", status=500, code="server.error")
        err.title = "服务器内部错误"
        return problem_response(err)

    app.add_exception_handler(WenpingError, on_wenping)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(OperationalError, on_operational)
    app.add_exception_handler(Exception, on_unexpected)
