"""Pure ASGI middleware: request ids, access logs, body size limits."""

from __future__ import annotations

import json
import logging
import random
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._context import request_id_var
from ._errors import PROBLEM_JSON, PayloadTooLarge

logger = logging.getLogger("wenping.access")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class HttpMiddleware(ABC):
    """A pure ASGI middleware that works on HTTP requests and passes every other scope (lifespan,
    websockets) straight through to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    @abstractmethod
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request."""


class ResponseSend:
    """The ``send`` handed to the app: remembers the response's status (500 until it starts, so
    an exception escaping the app counts as one) and can add one header to the response."""

    def __init__(self, send: Send, header: tuple[bytes, bytes] | None = None) -> None:
        self.send = send
        self.header = header
        self.status = 500

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            if self.header is not None:
                message["headers"] = [*message.get("headers", []), self.header]
        await self.send(message)


#: What becomes of a finished request besides its log line: (scope, status, seconds).
RequestObserver = Callable[[Scope, int, float], None]


class RequestContextMiddleware(HttpMiddleware):
    """Takes X-Request-ID from the request (or makes one), returns it, logs the request and hands
    its status and duration to ``observe`` (the metrics): one layer and one timer for both, since
    every layer wraps every request's ``send`` again (py-spy under load)."""

    def __init__(self, app: ASGIApp, *, observe: RequestObserver | None = None) -> None:
        super().__init__(app)
        self.observe = observe

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"").decode("latin-1")
        # Unique, not secret: 128 bits from the process's PRNG (uuid4 reads os.urandom, a system
        # call per request: 1-5 % of a GET by id's CPU under load, py-spy).
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else f"{random.getrandbits(128):032x}"  # nosec B311
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        response = ResponseSend(send, header=(b"x-request-id", request_id.encode()))
        try:
            await self.app(scope, receive, response)
        finally:
            seconds = time.perf_counter() - started
            if self.observe is not None:
                self.observe(scope, response.status, seconds)
            logger.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                response.status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": response.status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            request_id_var.reset(token)


class BodySizeLimitMiddleware(HttpMiddleware):
    """413 problem+json beyond the cap: JSON bodies and uploads have different caps."""

    def __init__(self, app: ASGIApp, *, max_json: int, max_upload: int) -> None:
        super().__init__(app)
        self.max_json = max_json
        self.max_upload = max_upload

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared: bytes | None = None
        chunked = False
        content_type = b""
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"content-type":
                content_type = value
        if declared is None and not chunked:
            # Neither Content-Length nor Transfer-Encoding: the request has no body (RFC 9112,
            # 6.3), as with every GET; nothing to read ahead and replay.
            await self.app(scope, receive, send)
            return
        limit = self.max_upload if content_type.startswith(b"multipart/form-data") else self.max_json
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        if declared is not None:
            # The server enforces Content-Length, so the declared size is the real one.
            await self.app(scope, receive, send)
            return
        # Chunked body without a length: read it here, up to the cap, then replay it.
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await self._reject(send, limit)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _reject(send: Send, limit: int) -> None:
        err = PayloadTooLarge(f"请求体超过上限 {limit // 1024} KiB")
        body = json.dumps(err.to_problem(), ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
