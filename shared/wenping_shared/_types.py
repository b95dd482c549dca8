"""Column types that behave the same on SQLite and PostgreSQL, and the text types of input models."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes: stored in UTC, always read back aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# C0 controls and DEL: XML 1.0 (and so .xlsx and .docx) cannot hold most of them, and none belongs
# in an official record; tab, line feed and carriage return are the only ones multi-line text keeps.
# Lone surrogates (a JSON "\ud800") are no characters at all: UTF-8 and PostgreSQL cannot store them.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROLS_BUT_LAYOUT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The documented patterns leave the surrogates out: ECMA-262 tools (schemathesis, generated
# clients) cannot compile a surrogate range; the validators below refuse them all the same.
NO_CONTROLS_PATTERN = r"^[^\x00-\x1f\x7f]*$"
NO_CONTROLS_BUT_LAYOUT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _single_line(value: str) -> str:
    if _CONTROLS.search(value):
        raise ValueError("不能包含控制字符（含换行、制表符）或无效的 Unicode 字符")
    return value


def _multi_line(value: str) -> str:
    if _CONTROLS_BUT_LAYOUT.search(value):
        raise ValueError("不能包含控制字符（换行、制表符除外）或无效的 Unicode 字符")
    return value


# Every free-text field of an input model is one of these two. The pattern only documents the rule
# in OpenAPI (so generated clients and fuzzers know it); the validator gives the Chinese message.
Text = Annotated[str, AfterValidator(_single_line), Field(json_schema_extra={"pattern": NO_CONTROLS_PATTERN})]
MultiLineText = Annotated[
    str, AfterValidator(_multi_line), Field(json_schema_extra={"pattern": NO_CONTROLS_BUT_LAYOUT_PATTERN})
]


def printable(value: str) -> str:
    """The text with the characters XML 1.0 cannot hold removed: for writing records stored before
    input refused them into .xlsx or .docx, which would otherwise fail for good."""
    return _CONTROLS_BUT_LAYOUT.sub("", value)
