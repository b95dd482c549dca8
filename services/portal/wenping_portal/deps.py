"""Dependencies of the portal's pages: the session, the user's view of the services, CSRF."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from .config import PortalSettings
from .sessions import PortalSession, SessionStore
from .upstream import Api, Upstream


class SignInRequired(Exception):
    """The page needs a signed-in user."""


class CsrfRejected(Exception):
    """A form came without this session's CSRF token."""


class RoleRefused(Exception):
    """The signed-in user's role has no business on this page."""


def settings_of(request: Request) -> PortalSettings:
    settings: PortalSettings = request.app.state.settings
    return settings


def store_of(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.sessions
    return store


def upstream_of(request: Request) -> Upstream:
    upstream: Upstream = request.app.state.upstream
    return upstream


def current_session(request: Request) -> PortalSession | None:
    """The session of the cookie, as the middleware read it (None: none, or no longer valid)."""
    session: PortalSession | None = getattr(request.state, "portal_session", None)
    return session


def any_session(request: Request) -> PortalSession:
    """The current session, or a new anonymous one (the middleware sets its cookie)."""
    session = current_session(request)
    if session is None:
        session = store_of(request).new_anonymous()
        request.state.portal_session = session
        request.state.new_cookie = True
    return session


def signed_in(request: Request) -> PortalSession:
    session = current_session(request)
    if session is None or not session.signed_in:
        raise SignInRequired()
    return session


async def csrf_checked(request: Request) -> None:
    """Every POST carries the session's CSRF token (form field, or header for scripts)."""
    session = current_session(request)
    if session is None:
        raise CsrfRejected()
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()  # cached by Starlette; the endpoint reads the same form
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, session.csrf_token):
        raise CsrfRejected()


def api_for(request: Request, session: Annotated[PortalSession, Depends(signed_in)]) -> Api:
    assert session.token is not None
    return Api(upstream_of(request), session.token)


def role_guard(*roles: str):  # type: ignore[no-untyped-def]
    """The page is for these roles; others get a Chinese refusal (the API would refuse them too)."""

    def check(session: Annotated[PortalSession, Depends(signed_in)]) -> PortalSession:
        assert session.user is not None
        if not session.user.has_role(*roles):
            raise RoleRefused()
        return session

    return check


SessionDep = Annotated[PortalSession, Depends(signed_in)]
ApiDep = Annotated[Api, Depends(api_for)]
Csrf = Depends(csrf_checked)
SettingsDep = Annotated[PortalSettings, Depends(settings_of)]
