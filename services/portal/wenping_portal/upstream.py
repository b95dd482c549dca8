"""The portal's one way to the three services: their public HTTP APIs, with the signed-in user's
token, through the one httpx client of the process, each call bounded by the configured deadline."""

from __future__ import annotations

from typing import Any

import httpx

SERVICE_NAMES = {"intake": "受理服务", "review": "审查服务", "registry": "注册服务"}


class PeerUnavailable(Exception):
    """A service did not answer in time, or answered with a server error."""

    def __init__(self, service: str) -> None:
        self.service = service
        super().__init__(f"{SERVICE_NAMES.get(service, service)}暂时无法访问")


class SignedOut(Exception):
    """The service no longer accepts the user's token (expired or revoked)."""


class Refused(Exception):
    """The service refused the request (4xx); ``detail`` is its Chinese explanation."""

    def __init__(self, status: int, detail: str, code: str = "", errors: list[dict[str, Any]] | None = None,
                 body: dict[str, Any] | None = None) -> None:
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors or []
        self.body = body or {}
        super().__init__(detail)

    @property
    def message(self) -> str:
        """The detail with the first field errors, as one line for a person."""
        if not self.errors:
            return self.detail
        fields = "；".join(f"{'.'.join(str(p) for p in e.get('loc', []))}：{e.get('msg', '')}" for e in self.errors[:5])
        return f"{self.detail}（{fields}）"


class Upstream:
    """Calls ``intake``, ``review`` and ``registry`` by name."""

    def __init__(self, http: httpx.AsyncClient, urls: dict[str, str]) -> None:
        self.http = http
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}

    async def send(
        self, service: str, method: str, path: str, *, token: str | None, headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        try:
            response = await self.http.request(method, self.urls[service] + path, headers=sent, **kwargs)
        except httpx.HTTPError as exc:
            raise PeerUnavailable(service) from exc
        if response.status_code >= 500:
            raise PeerUnavailable(service)
        if response.status_code == 401 and token is not None:
            raise SignedOut()
        return response


def refused(response: httpx.Response) -> Refused:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = body.get("detail") or body.get("error_description") or f"请求未被接受（HTTP {response.status_code}）"
    if not isinstance(detail, str):
        detail = f"请求未被接受（HTTP {response.status_code}）"
    return Refused(response.status_code, detail, str(body.get("code") or ""), body.get("errors"), body)


class Api:
    """The upstream services as the signed-in user sees them: JSON in, JSON out, refusals raised."""

    def __init__(self, upstream: Upstream, token: str) -> None:
        self.upstream = upstream
        self.token = token

    async def response(self, service: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.upstream.send(service, method, path, token=self.token, **kwargs)
        if response.status_code >= 400:
            raise refused(response)
        return response

    async def get(self, service: str, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return (await self.response(service, "GET", path, params=clean)).json()

    async def post(self, service: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        return (await self.response(service, "POST", path, json=json, **kwargs)).json()

    async def put(self, service: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        return (await self.response(service, "PUT", path, json=json, **kwargs)).json()

    async def etag(self, service: str, path: str) -> tuple[Any, str]:
        """A resource and its ETag, for a change that needs If-Match."""
        response = await self.response(service, "GET", path)
        return response.json(), response.headers.get("etag", "")
