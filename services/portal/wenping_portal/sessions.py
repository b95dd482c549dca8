"""Signed-in sessions, kept on the server.

The browser holds only a random session id, signed with itsdangerous, in an HttpOnly,
SameSite=Strict cookie. The user's access token stays in this process: it never reaches a page,
a script or a URL. A restart signs everybody out, which is acceptable for a token that lives an
hour anyway; several portal processes would need a shared store instead.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

COOKIE_NAME = "wenping_session"
#: A session that has not signed in yet (it only carries the sign-in form's CSRF token).
ANONYMOUS_TTL_SECONDS = 1800
#: Renew nothing: a token about to expire signs the user out a little early rather than mid-form.
TOKEN_MARGIN_SECONDS = 30


@dataclass
class PortalUser:
    username: str
    display_name: str
    roles: list[str]
    org_id: str | None
    org_name: str | None
    region_code: str | None

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def role(self) -> str:
        return self.roles[0] if self.roles else ""


@dataclass
class PortalSession:
    id: str
    csrf_token: str
    expires_at: float
    token: str | None = None
    user: PortalUser | None = None
    flashes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def signed_in(self) -> bool:
        return self.token is not None and self.user is not None

    def flash(self, message: str, kind: str = "info") -> None:
        self.flashes.append((kind, message))

    def take_flashes(self) -> list[tuple[str, str]]:
        taken, self.flashes = self.flashes, []
        return taken


class SessionStore:
    """In-memory sessions of this process, with expiry."""

    MAX_SESSIONS = 50_000

    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._signer = URLSafeSerializer(secret_key, salt="wenping-portal-session")
        self._max_age = max_age_seconds
        self._sessions: dict[str, PortalSession] = {}

    def cookie_value(self, session: PortalSession) -> str:
        return str(self._signer.dumps(session.id))

    def from_cookie(self, value: str | None) -> PortalSession | None:
        if not value:
            return None
        try:
            session_id = self._signer.loads(value)
        except BadSignature:
            return None
        session = self._sessions.get(str(session_id))
        if session is None or session.expires_at <= time.time():
            self._sessions.pop(str(session_id), None)
            return None
        return session

    def new_anonymous(self) -> PortalSession:
        self._purge()
        session = PortalSession(
            id=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32),
            expires_at=time.time() + ANONYMOUS_TTL_SECONDS,
        )
        self._sessions[session.id] = session
        return session

    def sign_in(self, previous: PortalSession | None, token: str, expires_in: float, user: PortalUser) -> PortalSession:
        """A fresh id and CSRF token at sign-in, so an id planted before sign-in is worthless."""
        if previous is not None:
            self._sessions.pop(previous.id, None)
        lifetime = min(float(self._max_age), max(expires_in - TOKEN_MARGIN_SECONDS, 0.0))
        session = PortalSession(
            id=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32),
            expires_at=time.time() + lifetime, token=token, user=user,
        )
        self._sessions[session.id] = session
        return session

    def end(self, session: PortalSession) -> None:
        self._sessions.pop(session.id, None)

    def _purge(self) -> None:
        if len(self._sessions) < self.MAX_SESSIONS:
            return
        now = time.time()
        for key in [k for k, s in self._sessions.items() if s.expires_at <= now]:
            del self._sessions[key]
        if len(self._sessions) >= self.MAX_SESSIONS:
            # Still full: drop the anonymous ones first (sign-in forms not submitted).
            for key in [k for k, s in self._sessions.items() if not s.signed_in]:
                del self._sessions[key]

    def __len__(self) -> int:
        return len(self._sessions)


def user_from_me(me: dict[str, Any]) -> PortalUser:
    return PortalUser(
        username=str(me.get("username") or ""),
        display_name=str(me.get("display_name") or me.get("username") or ""),
        roles=list(me.get("roles") or []),
        org_id=me.get("org_id"),
        org_name=me.get("org_name"),
        region_code=me.get("region_code"),
    )
