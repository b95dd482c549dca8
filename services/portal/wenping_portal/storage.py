"""The portal's own small SQLite files (report drafts, sessions): one connection per process,
WAL so several portal processes on one data directory read and write them side by side."""

from __future__ import annotations

from pathlib import Path

import aiosqlite


class SqliteFile:
    #: CREATE statements run at every start (each IF NOT EXISTS).
    SCHEMA: tuple[str, ...] = ()

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, timeout=10)
        await self._db.execute("PRAGMA journal_mode=WAL")
        for statement in self.SCHEMA:
            await self._db.execute(statement)
        await self._db.commit()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        assert self._db is not None, f"{self.path.name} not open"
        return self._db
