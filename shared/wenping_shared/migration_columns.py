"""Columns for migration scripts, by kind, as the models declare them: ``string("name", 200)``,
``timestamp("created_at")``; not null unless ``nullable=True``. Used with ``migration_ops``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString

Column = sa.Column[Any]


def string(name: str, length: int, *, nullable: bool = False) -> Column:
    return sa.Column(name, AutoString(length=length), nullable=nullable)


def _kind(type_: Callable[[], sa.types.TypeEngine[Any]]) -> Callable[..., Column]:
    def of_kind(name: str, *, nullable: bool = False) -> Column:
        return sa.Column(name, type_(), nullable=nullable)

    return of_kind


integer = _kind(sa.Integer)
big_integer = _kind(sa.BigInteger)
floating = _kind(sa.Float)
boolean = _kind(sa.Boolean)
text = _kind(sa.Text)
json = _kind(sa.JSON)
date = _kind(sa.Date)
timestamp = _kind(lambda: sa.DateTime(timezone=True))  # stored UTC, as UTCDateTime
