"""A background loop of a service process (the outbox relay, intake's reminder sweep), started and
stopped by the service's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging

logger = logging.getLogger("wenping.background")


class BackgroundLoop:
    """Runs ``run_once`` again and again until stopped, with a ``pause`` between passes. A failed
    pass is logged and the next one runs: the loop outlives a bad message or a database hiccup."""

    #: The asyncio task's name, and how the log names a failed pass.
    name = "background-loop"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> object:
        raise NotImplementedError

    async def pause(self) -> None:
        raise NotImplementedError

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # the loop must outlive any one bad pass
                logger.exception("%s: a pass failed", self.name)
            await self.pause()
