"""Public views of table rows: a public schema names its fields as the table names its columns, so it
is filled from the row by name and only what is derived (labels, counts, what the caller may read)
is spelled out where the view is made."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

ViewT = TypeVar("ViewT", bound=BaseModel)


def public_view(schema: type[ViewT], row: object, **derived: Any) -> ViewT:
    """``schema`` filled from the attributes of ``row`` (a table row, a query's row) of the names it
    has, with ``derived`` given over them; validated as the schema's constructor would."""
    named = {name: getattr(row, name) for name in schema.model_fields if name not in derived and hasattr(row, name)}
    return schema.model_validate({**named, **derived})
