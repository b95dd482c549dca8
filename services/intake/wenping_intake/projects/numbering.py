"""Human project numbers, WP-<region>-<year>-<seq:05d>, unique per region and year.

The counter row is incremented with one UPDATE ... RETURNING inside the filing transaction: the
row lock (PostgreSQL) or the single writer (SQLite) serialises concurrent filings, and a number
is never handed out twice nor lost to a rolled-back filing. The first use of a (region, year)
inserts the row with ON CONFLICT DO NOTHING, so two first filings cannot both insert it.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import ProjectNumberCounter


def format_number(region_code: str, year: int, seq: int) -> str:
    return f"WP-{region_code}-{year}-{seq:05d}"


async def next_seq(session: AsyncSession, region_code: str, year: int) -> int:
    table = ProjectNumberCounter.__table__  # type: ignore[attr-defined]  # SQLModel sets __table__ at runtime; its class type does not declare it
    bump = (
        update(table)
        .where(table.c.region_code == region_code, table.c.year == year)
        .values(last_seq=table.c.last_seq + 1)
        .returning(table.c.last_seq)
    )
    seq = (await session.exec(bump)).scalar_one_or_none()
    if seq is not None:
        return int(seq)
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    first = insert(table).values(region_code=region_code, year=year, last_seq=0).on_conflict_do_nothing(
        index_elements=["region_code", "year"]
    )
    await session.exec(first)
    return int((await session.exec(bump)).scalar_one())


async def next_number(session: AsyncSession, region_code: str, year: int) -> tuple[int, str]:
    seq = await next_seq(session, region_code, year)
    return seq, format_number(region_code, year, seq)
