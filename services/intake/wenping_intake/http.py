"""What intake's endpoints say alike: a change run once per Idempotency-Key, a file download's
documented responses, and a file handed back as an attachment."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse

from wenping_shared import described, run_idempotent

from .database import IdempotencyRecord
from .deps import CurrentPrincipal, SessionDep

T = TypeVar("T")
Responses = dict[int | str, dict[str, Any]]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class OncePerKey:
    """The route's change, run once per (caller, Idempotency-Key): a retry with the same key gets
    the first answer (201 unless told) instead of a second change."""

    #: The OpenAPI document declares the Idempotency-Key header on the routes that depend on it.
    idempotent = True

    def __init__(self, request: Request, session: SessionDep, principal: CurrentPrincipal) -> None:
        self.request, self.session, self.principal = request, session, principal

    async def __call__(
        self, work: Callable[[], Awaitable[T]], *, headers: Callable[[T], dict[str, str]] | None = None
    ) -> JSONResponse:
        return await run_idempotent(self.request, self.session, self.principal, IdempotencyRecord, work, headers=headers)


OncePerKeyDep = Annotated[OncePerKey, Depends()]


def download(media_type: str, description: str, errors: Mapping[int, str] | None = None) -> Responses:
    """A file download's ``responses``: the file of ``media_type``, and the errors described."""
    return {200: {"content": {media_type: {}}, "description": description}, **described(errors or {})}


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    """``content`` as a file to save under ``filename`` (UTF-8, so Chinese names survive)."""
    return Response(content, media_type=media_type, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})
