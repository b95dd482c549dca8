"""CORS for browser clients, configured per environment (``cors_origins``); off by default."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from ._settings import ServiceSettings

#: What a browser client may send and read beyond the CORS-safelisted headers.
REQUEST_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"]
EXPOSED_HEADERS = ["ETag", "Location", "Retry-After", "X-Request-ID", "Content-Disposition"]


def install_cors(app: FastAPI, settings: ServiceSettings) -> None:
    """Answer preflights and add CORS headers for the configured origins only. Outermost, so a
    preflight never meets authentication or the body-size cap."""
    if not settings.cors_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=REQUEST_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        allow_credentials=False,  # bearer tokens, never cookies
        max_age=600,
    )
