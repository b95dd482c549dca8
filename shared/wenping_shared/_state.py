"""Dependencies that read what the lifespan put on ``app.state`` (settings, keys, clients)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request


def app_state(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency answering ``request.app.state.<name>``: ``Annotated[X, Depends(app_state("x"))]``.

    async def: FastAPI runs a plain-def dependency in the thread pool (a thread hop per request for
    an attribute read; pyinstrument showed it under load)."""

    async def read(request: Request) -> Any:
        return getattr(request.app.state, name)

    read.__name__ = f"app_state_{name}"
    return read
