"""The base of the services' repositories: queries run on the request's session (``db_session``
commits it), and one row of the repository's table is loaded by its primary key."""

from __future__ import annotations

from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

Row = TypeVar("Row")


class Repository(Generic[Row]):
    """Subclasses name their table's model as ``row`` and add their own queries."""

    row: type[Row]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> Row | None:
        return await self.session.get(self.row, key)
