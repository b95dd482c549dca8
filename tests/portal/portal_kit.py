"""A person at the in-process portal: a cookie jar, the last page and its CSRF token.

A module of its own (not conftest): test modules import it by a name no other folder uses."""

from __future__ import annotations

import re
from typing import Any

import httpx

PORTAL = "http://portal.test"
COOKIE = "wenping_session"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    def __init__(self, app: Any) -> None:
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PORTAL, follow_redirects=True)
        self.csrf = ""

    def _remember(self, response: httpx.Response) -> httpx.Response:
        found = CSRF.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if found:
            self.csrf = found.group(1)
        return response

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self._remember(await self.client.get(path, **kwargs))

    async def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        return self._remember(await self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs))

    async def sign_in(self, username: str, password: str = "wenping-demo") -> httpx.Response:
        await self.get("/")
        return await self.post("/sign-in", {"username": username, "password": password})

    async def aclose(self) -> None:
        await self.client.aclose()
