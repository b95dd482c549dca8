"""Region codes with their names (the registry's regions), for every page that shows a code."""

from __future__ import annotations

from fastapi import Request

from .upstream import Api


async def region_names(request: Request, api: Api) -> dict[str, str]:
    """Code -> name. Kept for the process's life: regions change with a new seed, not by the minute."""
    names: dict[str, str] | None = getattr(request.app.state, "region_names", None)
    if names is None:
        names = {r["code"]: r["name"] for r in await api.get("registry", "/api/v1/regions")}
        request.app.state.region_names = names
    return names
