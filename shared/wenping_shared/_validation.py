"""Validation messages written for the person who reads them.

Clients show ``detail`` and ``errors[].msg`` as they are, so every message is Chinese, names the
field by its Chinese description as well as its key (事项名称（title）), lists enum choices with
their labels (拆迁（demolition）) and says what is wrong in domain words (an impossible date is
not a wrong format). Pydantic's own English never reaches a client.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from starlette.requests import Request

from ._glossary import field_label
from .contracts.vocab import LABELS, LabelledEnum


class CrossFieldError(ValueError):
    """A rule over several fields, raised in a model validator; reported against ``fields``
    (not against the whole body) so a form can mark the inputs concerned."""

    def __init__(self, message: str, *fields: str) -> None:
        super().__init__(message)
        self.fields = fields


_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "string_unicode": "应为合法的 UTF-8 文本",
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
    "date_from_datetime_inexact": "应为日期（不含时刻）",
    "datetime_type": "应为 RFC 3339 时间",
    "datetime_parsing": "时间格式应为 RFC 3339",
    "datetime_from_date_parsing": "时间格式应为 RFC 3339",
    "timezone_aware": "时间须带时区",
    "list_type": "应为数组",
    "tuple_type": "应为数组",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dataclass_type": "应为对象",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "json_invalid": "JSON 格式错误",
    "json_type": "JSON 格式错误",
    "value_error": "{error}",
    "assertion_error": "{error}",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "set_type": "应为数组",
    "union_tag_invalid": "类型标记无效",
    "union_tag_not_found": "缺少类型标记",
    "multiple_of": "必须是 {multiple_of} 的倍数",
    "finite_number": "应为有限数字",
    "bytes_type": "应为文件内容",
    "url_parsing": "应为网址（URL）",
    "url_scheme": "网址协议不被允许",
    "url_type": "应为网址（URL）",
}

# pydantic's reasons a date or time string is refused, in the reader's words.
_IMPOSSIBLE = ("day value is outside expected range", "month value is outside expected range")
_IMPOSSIBLE_TIME = ("hour value is outside", "minute value is outside", "second value is outside")


def _service_vocabularies() -> list[type[LabelledEnum]]:
    found, pending = [], list(LabelledEnum.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__ != LabelledEnum.__module__:
            found.append(cls)
    return found


def _choices(expected: str) -> str:
    """pydantic lists choices as "'a', 'b' or 'c'"; name each with its Chinese label."""
    values = re.findall(r"'([^']*)'", expected)
    # The platform's vocabularies first, then those a service declares for itself.
    vocabularies = list(LABELS.values()) + [{m.value: m.label for m in cls} for cls in _service_vocabularies()]
    exact = [v for v in vocabularies if set(v) == set(values)]
    wider = [v for v in vocabularies if set(values) <= set(v)]
    labels: dict[str, str] = dict((exact or wider or [{}])[0])
    return "、".join(f"{labels[v]}（{v}）" if v in labels else v for v in values)


def _message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = dict(err.get("ctx") or {})
    reason = str(ctx.get("error", ""))
    if kind in ("date_from_datetime_parsing", "date_parsing", "datetime_parsing", "datetime_from_date_parsing"):
        if any(r in reason for r in _IMPOSSIBLE):
            return f"日期不存在：{err.get('input')}（该月没有这一天，或月份不在 1–12）"
        if any(r in reason for r in _IMPOSSIBLE_TIME):
            return f"时刻不存在：{err.get('input')}"
    if kind == "value_error" and reason.startswith("Expected UploadFile"):
        return "应为上传的文件（multipart/form-data 中的文件部分）"
    if kind in ("too_short", "too_long") and isinstance(err.get("input"), str):
        kind = "string_" + kind  # a constrained text type reports its length like a list's
    template = _MESSAGES.get(kind)
    if template is None:
        return "取值无效"
    if "expected" in ctx:
        ctx["expected"] = _choices(str(ctx["expected"]))
    if "error" in ctx:
        # Our own validators raise ValueError with a Chinese message; pydantic prefixes it.
        ctx["error"] = reason.removeprefix("Value error, ")
        if "{error}" in template and not _is_chinese(ctx["error"]):
            return "取值无效"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (directly, in a list, or as an optional)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, tuple, set, frozenset, Union, UnionType) or get_args(annotation):
        for arg in get_args(annotation):
            found = _submodel(arg)
            if found is not None:
                return found
    return None


def _described(model: type[BaseModel] | None, loc: Sequence[Any]) -> str | None:
    """The Chinese name of the field at ``loc``: its own description, else the glossary."""
    key = next((p for p in reversed(loc) if isinstance(p, str)), None)
    if key is None:
        return None
    current = model
    description = None
    for part in loc:
        if current is None or not isinstance(part, str):
            continue
        info = current.model_fields.get(part)
        if info is None:
            current = None
            continue
        description = info.description if part == key else description
        current = _submodel(info.annotation)
    return _short(description) if description else field_label(key)


def _short(description: str) -> str:
    """A description's name part: up to the first clause break."""
    return re.split(r"[，。；：;:,（(\n]", description, maxsplit=1)[0].strip() or description


def _field_name(model: type[BaseModel] | None, loc: Sequence[Any]) -> str:
    key = next((p for p in reversed(loc) if isinstance(p, str)), None)
    if key is None:
        return ""
    label = _described(model, loc)
    return f"{label}（{key}）" if label and label != key else key


def describe_validation_errors(
    errors: Sequence[Any], model: type[BaseModel] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """``(detail, errors)`` for a 422 answer: each error with ``loc`` (the body prefix dropped),
    ``field`` (Chinese name and key), a Chinese ``msg`` and pydantic's ``type``."""
    items: list[dict[str, Any]] = []
    for err in errors:
        raw = list(err.get("loc", ()))
        loc = [p for p in raw if p != "body" or len(raw) == 1]
        error = (err.get("ctx") or {}).get("error")
        if isinstance(error, CrossFieldError):
            base = [p for p in raw if p != "body"]
            targets = [[*base, name] for name in error.fields]
        else:
            targets = [loc]
        for target in targets:
            items.append(
                {
                    "loc": target,
                    "field": _field_name(model, target),
                    "msg": _message(err),
                    "type": err.get("type"),
                }
            )
    if not items:
        return "请求数据校验失败", []
    first = items[0]
    where = first["field"]
    detail = f"请求数据校验失败：{where} {first['msg']}" if where else f"请求数据校验失败：{first['msg']}"
    if len(items) > 1:
        detail += f"（共 {len(items)} 处错误）"
    return detail, items


def body_model(request: Request) -> type[BaseModel] | None:
    """The model the matched route reads its body into (for the fields' Chinese names)."""
    field = getattr(request.scope.get("route"), "body_field", None)
    info = getattr(field, "field_info", None)
    annotation = getattr(info, "annotation", None) or getattr(field, "type_", None)
    return _submodel(annotation)


def is_malformed_body(errors: Sequence[Any]) -> bool:
    """The body is not JSON at all (F6): a 400, not a field-level 422."""
    return any(err.get("type") in ("json_invalid", "json_type") for err in errors)


__all__ = ["CrossFieldError", "body_model", "describe_validation_errors", "is_malformed_body"]
