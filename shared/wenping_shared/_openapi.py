"""The OpenAPI contract as integrators meet it, derived from the routes so new routes are covered.

FastAPI's document is completed here, once, for every service: readable operationIds
(``createProject``), one ``Problem`` schema (application/problem+json) for every error answer,
the statuses each operation can answer, bearer and OAuth2 security, the convention headers
(Idempotency-Key, If-Match, X-Request-ID, ETag), binary uploads and downloads, domain schema
names, a Chinese description on every field, and enum values with their Chinese labels. A
generated client (openapi-python-client) works against it without hand edits; the documents
are snapshotted in tests/openapi so a change to the contract is a deliberate act.

/docs and /redoc are served from the pinned fastapi-offline assets, so they work on an
intranet with no internet.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

from . import _auth
from ._glossary import field_label
from .contracts.vocab import LABELS, LabelledEnum

PROBLEM = "#/components/schemas/Problem"
PROBLEM_JSON = "application/problem+json"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCS_ASSETS = "/docs-assets"
_REDOC_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"

#: Every tag of the three services, described once.
TAGS: dict[str, str] = {
    "health": "存活、就绪与令牌调试",
    "meta": "词表：枚举值及其中文名称",
    "auth": "OAuth2 令牌端点与验签公钥（JWKS）",
    "identity": "行政区划、单位、用户与对接客户端",
    "experts": "专家库：录入、导入导出、查询",
    "expert-draws": "专家随机抽取（含回避）",
    "expert-opinions": "专家书面意见及采纳情况（评估方在下一轮报告前逐条答复）",
    "agencies": "评估机构：信用代码、从业人员、等级评定、承接资格与履职记录",
    "projects": "稳评项目：报备、指定评估、修改、状态变更、委托评估机构",
    "decision-lists": "重大决策事项清单",
    "files": "文件：上传评估报告原件、下载",
    "reports": "评估报告报送与审查事件",
    "ledger": "电子台账（哈希链）",
    "tracking": "跟踪问效：措施落实与评价",
    "reminders": "到期提醒",
    "stats": "统计",
    "checklists": "审查清单（45 项）与评分方案",
    "precheck": "报告预审（规则引擎）",
    "reviews": "审查、逐项判定、审查结论与书面反馈意见",
    "region-configs": "地区审查配置",
    "webhooks": "事件推送订阅与投递记录",
    "clearances": "稳评备案证明（决策前核验）",
    "audit": "审计记录",
    "appraisals": "年度考核：评分方案、考核结果与导出",
    "targets": "考核目标及完成进度",
    "inspections": "督查：检查发现、整改（报告、验收、退回）与督查通报",
    "accountability": "追责问责：约谈、通报批评、问责及系统发现的可追责依据",
    "risk-watch": "风险监测：按风险等级与阶段的看板、预警台账（高风险不予实施或暂缓实施）与相近报备标记",
    "dashboard": "工作台概览",
    "admin": "系统管理",
}

#: Integration scopes (client credentials) and what each lets a client read.
SCOPES: dict[str, str] = {
    "projects:read": "读取辖区内的稳评项目",
    "decision-lists:read": "读取辖区内的重大决策事项清单",
    "stats:read": "读取辖区统计",
    "reviews:read": "读取审查结论",
    "checklists:read": "读取审查清单",
    "experts:read": "读取专家库（不含个人敏感信息）",
    "agencies:read": "读取评估机构",
    "regions:read": "读取行政区划",
    "clearances:read": "核验稳评备案证明",
    "webhooks:manage": "管理事件推送订阅",
}

#: The errors each kind of operation can answer, with the wording a reader needs.
_STATUS_TEXT: dict[str, str] = {
    "400": "请求无效：JSON 无法解析、游标无效或参数不合规则（problem+json）",
    "401": "缺少或无效的访问令牌",
    "403": "当前账号（角色或 scope）无权执行此操作",
    "404": "资源不存在，或调用方无权看到它",
    "409": "当前状态不允许此操作，或与已有数据冲突",
    "412": "If-Match 与资源当前的 ETag 不符（资源已被他人修改）",
    "413": "请求体过大",
    "415": "文件类型不支持",
    "422": "请求数据校验失败（errors 列出每个字段）",
    "428": "缺少 If-Match 请求头",
    "429": "请求过于频繁（见 Retry-After）",
    "503": "依赖的服务暂不可用，请稍后重试",
}

_PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "type": "object",
        "description": "错误答复（RFC 9457 application/problem+json）：code 稳定可供程序判断，detail 为给人看的中文说明。",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string", "description": "错误类型 URI（以 code 结尾）"},
            "title": {"type": "string", "description": "错误类别的中文标题"},
            "status": {"type": "integer", "description": "HTTP 状态码"},
            "detail": {"type": "string", "description": "给人看的中文说明，可原样展示"},
            "code": {"type": "string", "description": "稳定的错误代码，如 request.validation_failed"},
            "errors": {
                "type": "array",
                "items": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/ProblemFieldError"},
                        {"$ref": "#/components/schemas/ProblemSheetError"},
                    ]
                },
                "description": "逐字段的校验错误（仅 422 等校验类错误）；表格导入时为逐行逐列的错误",
            },
        },
        "additionalProperties": True,
    },
    "ProblemFieldError": {
        "title": "ProblemFieldError",
        "type": "object",
        "description": "一个字段的校验错误",
        "required": ["loc", "msg"],
        "properties": {
            "loc": {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "description": "出错位置（字段路径，如 [\"interests\", 0]）",
            },
            "field": {"type": "string", "description": "字段的中文名称及键名，如 事项名称（title）"},
            "msg": {"type": "string", "description": "中文错误说明"},
            "type": {"type": "string", "description": "错误类型（机器可读）"},
        },
    },
}

_PROBLEM_SCHEMAS["ProblemSheetError"] = {
    "title": "ProblemSheetError",
    "type": "object",
    "description": "表格（.xlsx）导入的一处错误",
    "required": ["message"],
    "properties": {
        "row": {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "行号（从 1 起，含表头）"},
        "column": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "列名"},
        "message": {"type": "string", "description": "中文错误说明"},
    },
}

_HEADER_PARAMETERS: dict[str, Any] = {
    "XRequestID": {
        "name": "X-Request-ID",
        "in": "header",
        "required": False,
        "description": "请求标识：原样出现在响应头、日志和服务间调用中，便于排查；不传则由服务生成",
        "schema": {"type": "string", "maxLength": 128},
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "幂等键：重试时带相同的键和相同的请求体，得到首次的结果而不会重复创建；同键不同请求体答 422",
        "schema": {"type": "string", "maxLength": 200},
    },
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": "资源的 ETag（取自读取时的响应头）；修改和状态变更须携带，缺少答 428，过期答 412",
        "schema": {"type": "string"},
    },
}

_RESPONSE_HEADERS: dict[str, Any] = {
    "XRequestID": {"description": "请求标识（与请求头相同，或由服务生成）", "schema": {"type": "string"}},
    "ETag": {"description": "资源版本；修改或状态变更时作为 If-Match 带回", "schema": {"type": "string"}},
    "RetryAfter": {"description": "多少秒后再试", "schema": {"type": "integer"}},
}


def operation_id(route: Any) -> str:
    """camelCase of the endpoint function's name: ``create_project`` -> ``createProject``."""
    head, *rest = route.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _pascal(name: str) -> str:
    """``createProject`` or ``document_file`` -> ``CreateProject``, ``DocumentFile``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _dependency_calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _dependency_calls(sub)


def _source(route: Any) -> str:
    try:
        return inspect.getsource(route.endpoint)
    except (OSError, TypeError):
        return ""


def _authenticated(route: Any) -> bool:
    """Whether the route verifies a token: it depends on ``authenticate`` or a dependency built
    by the shared auth module (require_roles, require_service, ...)."""
    return any(
        call is _auth.authenticate or getattr(call, "__module__", "") == _auth.__name__
        for call in _dependency_calls(route.dependant)
    )


class _RouteFacts:
    """What the document needs to know about one route, read from the route itself."""

    def __init__(self, route: Any, text: str, declared_body: bool) -> None:
        source = _source(route)
        self.authenticated = _authenticated(route)
        # Or through a dependency that runs the route's change once per key (``idempotent = True``).
        self.idempotent = "run_idempotent" in source or "Idempotency-Key" in text or any(
            getattr(call, "idempotent", False) for call in _dependency_calls(route.dependant)
        )
        self.if_match = "check_if_match" in source or "If-Match" in text
        self.etag = self.if_match or "ETag" in source or "etag" in source or "ETag" in text
        self.has_path_params = bool(route.dependant.path_params)
        self.paginated = any(p.name == "cursor" for p in route.dependant.query_params) or "PageParams" in source
        self.writes = bool(route.methods & {"POST", "PUT", "PATCH", "DELETE"})
        self.has_body = route.body_field is not None or declared_body
        self.rate_limited = "TooManyRequests" in source or "429" in text or any(
            getattr(call, "rate_limited", False) for call in _dependency_calls(route.dependant)
        )


def _download_media_type(path: str) -> str:
    for suffix, media in ((".docx", DOCX), (".xlsx", XLSX), (".txt", "text/plain"), (".pdf", "application/pdf")):
        if path.endswith(suffix):
            return media
    return "application/octet-stream"


_BINARY_RESPONSES = ("FileResponse", "StreamingResponse", "Response")


def _is_json_route(route: Any) -> bool:
    """JSON unless the route declares, or its endpoint returns, a plain/file/streaming response."""
    response_class = route.response_class
    cls = getattr(response_class, "value", response_class)
    if not (isinstance(cls, type) and issubclass(cls, JSONResponse)):
        return False
    if getattr(route, "response_model", None) is not None:
        return True  # a declared model: the endpoint serialises JSON itself
    returns = inspect.signature(route.endpoint).return_annotation
    name = returns if isinstance(returns, str) else getattr(returns, "__name__", "")
    return name not in _BINARY_RESPONSES


def _complete_operation(
    path: str, method: str, op: dict[str, Any], route: Any, renames: dict[str, str], inline_schemas: dict[str, Any]
) -> None:
    op["operationId"] = operation_id(route)
    op.setdefault("tags", ["health"])
    summary = op.get("summary") or op["operationId"]
    op.setdefault("description", summary)
    facts = _RouteFacts(route, summary + op["description"], "requestBody" in op)

    params = op.setdefault("parameters", [])
    for param in params:
        if param.get("in") != "header":
            param.setdefault("description", field_label(param["name"]) or param["name"])
        _name_inline_enum(param, op["operationId"], inline_schemas)
    names = {p.get("name", "").lower() for p in params}
    for key, wanted in (("IdempotencyKey", facts.idempotent and facts.writes), ("IfMatch", facts.if_match), ("XRequestID", True)):
        if wanted and _HEADER_PARAMETERS[key]["name"].lower() not in names:
            params.append({"$ref": f"#/components/parameters/{key}"})

    if facts.authenticated:
        op["security"] = [{"bearer": []}, {"oauth2": []}]

    responses: dict[str, Any] = op.setdefault("responses", {})
    # Each error status a route may answer, and when.
    errors_when = {
        "400": facts.has_body or facts.paginated,
        "401": facts.authenticated,
        "403": facts.authenticated,
        "404": facts.has_path_params,
        "409": facts.writes and facts.authenticated,
        "412": facts.if_match,
        "413": facts.has_body,
        "422": facts.has_body or bool(route.dependant.query_params),
        "428": facts.if_match,
        "429": facts.rate_limited,
    }
    for status, wanted in errors_when.items():
        if wanted:
            responses.setdefault(status, {"description": _STATUS_TEXT[status]})
    for status, response in responses.items():
        if status[0] in "45":
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": PROBLEM}}}
            if response.get("description") in (None, "Validation Error"):  # FastAPI's English default
                response["description"] = _STATUS_TEXT.get(status, "错误")
            if status in ("429", "503"):
                response.setdefault("headers", {})["Retry-After"] = {"$ref": "#/components/headers/RetryAfter"}
        elif status == "204":
            response.pop("content", None)  # No Content: a body would contradict the status
            if response.get("description") in (None, "Successful Response"):
                response["description"] = "成功（无正文）"
            response.setdefault("headers", {}).setdefault("X-Request-ID", {"$ref": "#/components/headers/XRequestID"})
        elif status[0] == "2":
            _complete_success(path, response, route, facts)
            for content in response.get("content", {}).values():
                if "$ref" not in content.get("schema", {}) and "title" in content.get("schema", {}):
                    # FastAPI titles inline answers "Response List Regions Api V1 Regions Get".
                    content["schema"]["title"] = _pascal(op["operationId"]) + "Response"
    op["responses"] = dict(sorted(responses.items()))

    body = op.get("requestBody")
    if body:
        _complete_request_body(body, op["operationId"], renames)


def _name_inline_enum(param: dict[str, Any], op_id: str, inline_schemas: dict[str, Any]) -> None:
    """A query parameter's inline choices become a named schema (``ListReviewsStatus``), not the
    generator's ``ListReviewsStatusType0``."""
    schema = param.get("schema", {})
    variants = schema.get("anyOf", [schema])
    for i, variant in enumerate(variants):
        if "enum" in variant and "$ref" not in variant:
            name = _pascal(op_id) + _pascal(param["name"])
            inline_schemas[name] = {**variant, "title": name, "description": param.get("description", name)}
            variants[i] = {"$ref": f"#/components/schemas/{name}"}
    if "anyOf" not in schema and variants[0] is not schema:
        param["schema"] = {k: v for k, v in schema.items() if k not in ("enum", "type")} | variants[0]


def _complete_success(path: str, response: dict[str, Any], route: Any, facts: _RouteFacts) -> None:
    if response.get("description") in (None, "Successful Response"):  # FastAPI's English default
        response["description"] = "成功"
    headers = response.setdefault("headers", {})
    headers.setdefault("X-Request-ID", {"$ref": "#/components/headers/XRequestID"})
    if facts.etag:
        headers.setdefault("ETag", {"$ref": "#/components/headers/ETag"})
    if _is_json_route(route):
        return
    # Files, letters and spreadsheets: bytes with their media type, not JSON.
    content = response.get("content") or {}
    media_types = [m for m in content if m != "application/json"] or [_download_media_type(path)]
    response["content"] = {m: {"schema": {"type": "string", "format": "binary"}} for m in media_types}


def _complete_request_body(body: dict[str, Any], op_id: str, renames: dict[str, str]) -> None:
    for media, content in body.get("content", {}).items():
        schema = content.get("schema", {})
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/Body_"):
            suffix = "Form" if media.startswith(("multipart/", "application/x-www-form")) else "Body"
            renames[ref.rsplit("/", 1)[1]] = _pascal(op_id) + suffix
        if media not in ("application/json", "multipart/form-data", "application/x-www-form-urlencoded"):
            content["schema"] = {"type": "string", "format": "binary"}


def _binary_fields(schema: dict[str, Any]) -> None:
    """Upload fields: ``format: binary`` (what generated clients send as a file), not the
    JSON Schema ``contentMediaType`` FastAPI writes for OpenAPI 3.1."""
    for prop in schema.get("properties", {}).values():
        if prop.pop("contentMediaType", None) is not None:
            prop["format"] = "binary"
        for variant in prop.get("anyOf", []):
            if variant.pop("contentMediaType", None) is not None:
                variant["format"] = "binary"


def _describe_schema(name: str, schema: dict[str, Any]) -> None:
    schema.setdefault("description", schema.get("title", name))
    for key, prop in schema.get("properties", {}).items():
        if "description" not in prop:
            label = field_label(key)
            if label is not None:
                prop["description"] = label


def _labelled_enums(cls: type[LabelledEnum] = LabelledEnum) -> Iterator[type[LabelledEnum]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _labelled_enums(sub)


def _enum_labels(name: str, values: list[Any]) -> dict[str, str] | None:
    """The labels of the vocabulary the schema was made from: the platform's (GET
    /api/v1/meta/enums) or a service's own ``LabelledEnum``, matched by name and values."""
    for cls in _labelled_enums():
        if cls.__name__ == name and {m.value for m in cls} == set(values):
            return {m.value: m.label for m in cls}
    for vocabulary, labels in LABELS.items():
        if vocabulary.__name__ == name:
            return dict(labels)
    return None


def _label_enum(name: str, schema: dict[str, Any]) -> None:
    """Enum values carry their Chinese labels (the same as GET /api/v1/meta/enums)."""
    labels = _enum_labels(name, schema.get("enum", []))
    if labels is None or "enum" not in schema:
        return
    values = schema["enum"]
    schema["x-enum-varnames"] = [re.sub(r"\W", "_", str(v)).upper() for v in values]  # identifiers: PROJECT_FILED
    schema["x-enum-descriptions"] = [labels.get(v, v) for v in values]
    listing = "；".join(f"{v}：{labels.get(v, v)}" for v in values)
    head = schema.get("description") or schema.get("title", name)
    schema["description"] = f"{head}。取值：{listing}" if listing not in head else head


def _readable_name(name: str) -> str:
    match = re.fullmatch(r"Page_(\w+?)_", name)
    if match:
        return match.group(1).removesuffix("Public") + "Page"
    return name


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                target = value.rsplit("/", 1)[1]
                out[key] = "#/components/schemas/" + renames.get(target, target)
            else:
                out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def _is_inline_object(schema: Any) -> bool:
    return isinstance(schema, dict) and "$ref" not in schema and schema.get("type") == "object" and (
        "properties" in schema or "additionalProperties" in schema
    )


def _hoist(schemas: dict[str, Any], name: str, schema: dict[str, Any]) -> dict[str, str]:
    schema["title"] = name
    schema.setdefault("description", name)
    schemas[name] = schema
    return {"$ref": f"#/components/schemas/{name}"}


def _hoist_inline_objects(spec: dict[str, Any]) -> None:
    """Inline objects (a dict answer, an optional nested object) become named schemas, so a
    generated client has ``EnumsResponse`` and ``ReviewPublicDocumentFile`` rather than
    ``EnumsEnumsResponse`` and ``ReviewPublicDocumentFileType0``."""
    schemas: dict[str, Any] = spec["components"]["schemas"]
    for item in spec["paths"].values():
        for op in item.values():
            base = _pascal(op["operationId"])
            for response in op.get("responses", {}).values():
                for content in response.get("content", {}).values():
                    schema = content.get("schema")
                    if _is_inline_object(schema):
                        content["schema"] = _hoist(schemas, base + "Response", schema)
                    elif isinstance(schema, dict) and _is_inline_object(schema.get("items")):
                        schema["items"] = _hoist(schemas, base + "Item", schema["items"])
    for name, schema in list(schemas.items()):
        for key, prop in schema.get("properties", {}).items():
            target = _pascal(key)
            variants = prop.get("anyOf")
            if variants and any(_is_inline_object(v) for v in variants):
                prop["anyOf"] = [_hoist(schemas, name + target, v) if _is_inline_object(v) else v for v in variants]
            elif prop.get("type") == "array" and _is_inline_object(prop.get("items")):
                prop["items"] = _hoist(schemas, name + target + "Item", prop["items"])
    spec["components"]["schemas"] = dict(sorted(schemas.items()))


def _schema_routes(routes: list[BaseRoute]) -> dict[tuple[str, str], Any]:
    """(path, method) -> the route as the document sees it (with the including router's prefix)."""
    found: dict[tuple[str, str], Any] = {}
    for route in iter_route_contexts(routes):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            for method in route.methods or ():
                found[(str(route.path_format), method.lower())] = route
    return found


def build_openapi(app: FastAPI, *, service: str, token_url: str) -> dict[str, Any]:
    """The completed document for ``app`` (cached on the app like FastAPI's own)."""
    spec = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
        servers=app.servers,
    )
    routes = _schema_routes(app.routes)
    seen: dict[str, str] = {}
    renames: dict[str, str] = {}
    inline_schemas: dict[str, Any] = {}
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            route = routes[(path, method)]
            _complete_operation(path, method, op, route, renames, inline_schemas)
            previous = seen.setdefault(op["operationId"], f"{method.upper()} {path}")
            if previous != f"{method.upper()} {path}":
                raise RuntimeError(f"operationId {op['operationId']} 重复：{previous} 与 {method.upper()} {path}")

    components = spec.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    for gone in ("HTTPValidationError", "ValidationError"):
        schemas.pop(gone, None)
    schemas.update(_PROBLEM_SCHEMAS)
    schemas.update(inline_schemas)
    for name in list(schemas):
        renames.setdefault(name, _readable_name(name))
    renamed: dict[str, Any] = {}
    for name, schema in schemas.items():
        new = renames.get(name, name)
        schema["title"] = new if name.startswith(("Body_", "Page_")) else schema.get("title", new)
        _binary_fields(schema)
        _describe_schema(new, schema)
        _label_enum(new, schema)
        renamed[new] = schema
    components["schemas"] = dict(sorted(renamed.items()))
    spec["paths"] = _rename_refs(spec["paths"], renames)
    components["schemas"] = _rename_refs(components["schemas"], renames)
    _hoist_inline_objects(spec)
    components["parameters"] = _HEADER_PARAMETERS
    components["headers"] = _RESPONSE_HEADERS
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "注册服务签发的 ES256 访问令牌（aud 须含本服务）：Authorization: Bearer <令牌>",
        },
        "oauth2": {
            "type": "oauth2",
            "description": "在注册服务的令牌端点取得令牌：人员用 password，对接平台用 client_credentials（resource 指定目标服务）",
            "flows": {
                "password": {"tokenUrl": token_url, "scopes": {}},
                "clientCredentials": {"tokenUrl": token_url, "scopes": SCOPES},
            },
        },
    }
    used_tags = sorted({t for item in spec["paths"].values() for op in item.values() for t in op.get("tags", [])})
    spec["tags"] = [{"name": t, "description": TAGS.get(t, t)} for t in used_tags]
    info = spec["info"]
    info["x-chinese-title"] = app.title
    info["title"] = f"wenping-{service}"
    info["x-python-package"] = f"wenping_{service}_client"
    info["description"] = f"{app.title}。{app.description}".strip("。") + "。"
    return spec


def install_openapi(app: FastAPI, *, service: str, token_url: str) -> None:
    """Replace ``app.openapi`` with the completed document and serve offline /docs and /redoc."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, service=service, token_url=token_url)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    _install_offline_docs(app)


def _install_offline_docs(app: FastAPI) -> None:
    """Swagger UI and ReDoc from the service itself (fastapi-offline's pinned assets): no CDN."""
    replaced = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url} - {None}
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", None) not in replaced]
    assets = Path(fastapi_offline.__file__).parent / "static"
    redoc_bundle: list[bytes] = []

    async def redoc_js() -> Response:
        # ReDoc's bundle shows a logo from cdn.redoc.ly; on an intranet that is a request into the void.
        if not redoc_bundle:
            text = (assets / "redoc.standalone.js").read_bytes()
            redoc_bundle.append(text.replace(_REDOC_CDN_LOGO, f"{DOCS_ASSETS}/favicon.png".encode()))
        return Response(redoc_bundle[0], media_type="text/javascript")

    app.add_api_route(f"{DOCS_ASSETS}/redoc.standalone.js", redoc_js, methods=["GET"], include_in_schema=False)
    app.mount(DOCS_ASSETS, StaticFiles(directory=assets), name="docs-assets")
    title = app.title
    redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"
    openapi_url = app.openapi_url or "/openapi.json"

    def page(render: Callable[[str], HTMLResponse]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> HTMLResponse:
            return render(request.scope.get("root_path", ""))

        return endpoint

    app.add_api_route(
        "/docs",
        page(lambda root: get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{title} · 接口文档",
            oauth2_redirect_url=root + redirect_url,
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            # validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
            swagger_ui_parameters={"persistAuthorization": True, "displayRequestDuration": True, "validatorUrl": None},
        )),
        methods=["GET"],
        include_in_schema=False,
    )
    app.add_api_route(
        redirect_url,
        page(lambda _root: get_swagger_ui_oauth2_redirect_html()),
        methods=["GET"],
        include_in_schema=False,
    )
    app.add_api_route(
        "/redoc",
        page(lambda root: get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{title} · 接口文档",
            redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )),
        methods=["GET"],
        include_in_schema=False,
    )


__all__ = ["SCOPES", "TAGS", "build_openapi", "install_openapi", "operation_id"]
