"""The one HTTP client a service uses to call its peers.

Timeouts on every call, retries with exponential backoff only for idempotent requests (safe
methods, or a request carrying an ``Idempotency-Key``), X-Request-ID carried on, and a service
token per audience obtained by client credentials and cached until shortly before it expires.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

from ._context import current_request_id
from ._errors import ServiceTokenRefused, ServiceTokenUnavailable, ServiceUnavailable

logger = logging.getLogger("wenping.http")

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRY_STATUSES = frozenset({502, 503, 504})


class ServiceTokens:
    """Client-credentials tokens for this service, one per audience, cached."""

    #: Renew this many seconds before ``exp`` so a token never expires in flight.
    RENEW_MARGIN = 60.0

    def __init__(self, http: httpx.AsyncClient, token_url: str, client_id: str, client_secret: str) -> None:
        self._http = http
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = asyncio.Lock()

    def invalidate(self, audience: str) -> None:
        self._cache.pop(audience, None)

    async def token_for(self, audience: str) -> str:
        cached = self._cache.get(audience)
        if cached and cached[1] - self.RENEW_MARGIN > time.monotonic():
            return cached[0]
        async with self._lock:
            cached = self._cache.get(audience)
            if cached and cached[1] - self.RENEW_MARGIN > time.monotonic():
                return cached[0]
            try:
                response = await self._http.post(
                    self._token_url,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self._client_id,
                        "client_secret": self._client_secret,
                        "resource": audience,
                    },
                )
            except httpx.HTTPError as exc:
                raise ServiceTokenUnavailable() from exc
            if response.status_code != 200:
                raise ServiceTokenRefused(f"注册服务拒绝签发服务令牌（HTTP {response.status_code}）")
            body = response.json()
            token = body["access_token"]
            self._cache[audience] = (token, time.monotonic() + float(body.get("expires_in", 300)))
            return token


class ServiceClient:
    """Calls to peer services (``intake``, ``review``, ``registry``) by name."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_urls: dict[str, str],
        tokens: ServiceTokens | None,
        *,
        retries: int = 3,
        backoff: float = 0.2,
    ) -> None:
        self.http = http
        self._base_urls = base_urls
        self.tokens = tokens
        self._retries = retries
        self._backoff = backoff

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        bearer: str | None = None,
    ) -> httpx.Response:
        """Send a request; transport errors and 502-504 are retried only when idempotent."""
        method = method.upper()
        all_headers = dict(headers or {})
        request_id = current_request_id()
        if request_id:
            all_headers.setdefault("X-Request-ID", request_id)
        idempotent = method in _IDEMPOTENT_METHODS or "Idempotency-Key" in all_headers
        attempts = 1 + (self._retries if idempotent else 0)
        url = self._base_urls[service].rstrip("/") + path
        last_error: Exception | None = None
        for attempt in range(attempts):
            if bearer is None and self.tokens is not None:
                all_headers["Authorization"] = f"Bearer {await self.tokens.token_for(service)}"
            elif bearer is not None:
                all_headers["Authorization"] = f"Bearer {bearer}"
            try:
                response = await self.http.request(method, url, json=json, params=params, headers=all_headers)
            except httpx.TransportError as exc:
                last_error = exc
            else:
                if response.status_code == 401 and bearer is None and self.tokens is not None and attempt == 0:
                    # The peer may have rotated keys: fetch a fresh token once.
                    self.tokens.invalidate(service)
                    continue
                if response.status_code not in _RETRY_STATUSES or attempt == attempts - 1:
                    return response
                last_error = httpx.HTTPStatusError("retryable", request=response.request, response=response)
            if attempt < attempts - 1:
                await asyncio.sleep(self._backoff * (2**attempt))
        logger.warning("call to %s %s %s failed: %s", service, method, path, last_error)
        raise ServiceUnavailable(f"服务 {service} 暂不可用，请稍后重试") from last_error
