"""Public views of table rows.

A public schema names its fields as the table names its columns, so it is filled from the row by
name and only what is derived (labels, counts, days left, what the caller may read) is spelled out.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel

from wenping_shared.contracts.vocab import label_of

P = TypeVar("P", bound=BaseModel)


def public_view(schema: type[P], row: object, **derived: Any) -> P:
    """``schema`` filled from the attributes of ``row`` (a table row, a query's row) of the names it
    has, with ``derived`` given over them."""
    named = {name: getattr(row, name) for name in schema.model_fields if name not in derived and hasattr(row, name)}
    return schema.model_validate({**named, **derived})


def label_or_none(enum_type: type[StrEnum], value: str | None) -> str | None:
    """The label of an optional vocabulary value (no value, no label)."""
    return label_of(enum_type, value) if value else None
