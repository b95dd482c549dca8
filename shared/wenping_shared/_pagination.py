"""Keyset (cursor) pagination: page 10,000 costs what page 1 costs.

The cursor is opaque to clients: base64url JSON of the last row's sort key.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, bindparam, tuple_

from ._errors import InvalidCursor

T = TypeVar("T")
Q = TypeVar("Q", bound=Select[Any])

DEFAULT_LIMIT = 20
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(default=None, description="下一页游标；为 null 表示没有更多数据")


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor() from exc
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidCursor()
    try:
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError) as exc:
        raise InvalidCursor() from exc


class PageParams(BaseModel):
    limit: int
    cursor: str | None

    def after(self, columns: Sequence[Any], *, descending: bool = True) -> ColumnElement[bool] | None:
        """The WHERE clause selecting rows strictly after the cursor in (columns...) order.

        Written as one row-value comparison, ``(a, b) < (x, y)``: PostgreSQL and SQLite use it as an
        index range condition, whereas the expanded ``a < x OR (a = x AND b < y)`` makes PostgreSQL
        scan from the top of the index and filter, so deep pages cost more than page 1."""
        if not self.cursor:
            return None
        values = decode_cursor(self.cursor, len(columns))
        key = tuple_(*columns)
        return key < tuple(values) if descending else key > tuple(values)

    @staticmethod
    def after_bound(columns: Sequence[Any], *, descending: bool = True) -> ColumnElement[bool]:
        """``after`` over bound parameters ``after_0``, ``after_1``, ... (``after_values`` gives
        them): for a statement built once and executed with each request's cursor."""
        bound = tuple_(*(bindparam(f"after_{i}", type_=column.type) for i, column in enumerate(columns)))
        key = tuple_(*columns)
        return key < bound if descending else key > bound

    def after_values(self, arity: int) -> dict[str, Any]:
        """The cursor's values as ``after_bound``'s parameters (none without a cursor)."""
        if not self.cursor:
            return {}
        return {f"after_{i}": value for i, value in enumerate(decode_cursor(self.cursor, arity))}

    def from_cursor(self, query: Q, *columns: Any, descending: bool = False) -> Q:
        """``query`` from the cursor on in (``columns``...) order, one row more than a page (so
        ``page`` knows whether another follows)."""
        after = self.after(columns, descending=descending)
        if after is not None:
            query = query.where(after)
        return query.order_by(*(c.desc() if descending else c for c in columns)).limit(self.limit + 1)

    def newest_first(self, query: Q, at: Any, ident: Any) -> Q:
        """``query`` from the cursor on, newest first by (``at``, ``ident``)."""
        return self.from_cursor(query, at, ident, descending=True)

    def page(self, rows: Sequence[T], key: Any) -> tuple[list[T], str | None]:
        """Split the ``limit + 1`` fetched rows into the page and the next cursor."""
        items = list(rows[: self.limit])
        next_cursor = encode_cursor(key(items[-1])) if len(rows) > self.limit and items else None
        return items, next_cursor


async def _page_params(  # async: a plain-def dependency would run in the thread pool
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数，默认 20，最大 200")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(description="上一页返回的 next_cursor")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


PageParamsDep = Annotated[PageParams, Depends(_page_params)]
