"""Number series (项目编号, 发文字号, 通报编号): the next number of a (region, year, ...) series in one
atomic upsert, so concurrent allocations never hand out a number twice nor leave a gap, on
either database (the row lock on PostgreSQL, the single writer on SQLite)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession


async def next_in_series(session: AsyncSession, table: Any, key: dict[str, Any], counter: str) -> int:
    """Increment ``counter`` of ``table``'s row ``key`` (inserted at 1 the first time) and return it."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    column = table.c[counter]
    statement = (
        insert(table)
        .values(**key, **{counter: 1})
        .on_conflict_do_update(index_elements=list(key), set_={counter: column + 1})
        .returning(column)
    )
    return int((await session.exec(statement)).scalar_one())
