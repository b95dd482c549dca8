"""Signed-in sessions, kept on the server in a small table every portal process shares.

The browser holds only a random session id, signed with itsdangerous, in an HttpOnly,
SameSite=Strict cookie. The user's access token stays on the server: it never reaches a page,
a script or a URL. The sessions live in the portal's SQLite file (beside the report drafts), so
any portal process sharing the data directory and the secret key serves any session, a restart
signs nobody out, and signing out (a deleted row) ends the session in every process at once.

A request reads its session once, in the middleware (``load``); what the request changed (a new
session at sign-in, messages shown or added, a sign-out) is written back once, after the page
(``persist``).
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from .storage import SqliteFile

COOKIE_NAME = "wenping_session"
#: A session that has not signed in yet (it only carries the sign-in form's CSRF token).
ANONYMOUS_TTL_SECONDS = 1800
#: Renew nothing: a token about to expire signs the user out a little early rather than mid-form.
TOKEN_MARGIN_SECONDS = 30

_SCHEMA = """
CREATE TABLE IF NOT EXISTS portal_session (
    id TEXT PRIMARY KEY,
    csrf_token TEXT NOT NULL,
    expires_at REAL NOT NULL,
    token TEXT,
    user TEXT,
    flashes TEXT NOT NULL
)
"""
_EXPIRY_INDEX = "CREATE INDEX IF NOT EXISTS ix_portal_session_expires_at ON portal_session (expires_at)"


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
    #: The messages as stored when the request began: written back only if they changed.
    stored_flashes: list[tuple[str, str]] | None = field(default=None, repr=False, compare=False)

    @property
    def signed_in(self) -> bool:
        return self.token is not None and self.user is not None

    def flash(self, message: str, kind: str = "info") -> None:
        self.flashes.append((kind, message))

    def take_flashes(self) -> list[tuple[str, str]]:
        taken, self.flashes = self.flashes, []
        return taken


class SessionStore(SqliteFile):
    """Sessions with expiry, in the shared table."""

    SCHEMA = (_SCHEMA, _EXPIRY_INDEX)

    def __init__(self, secret_key: str, max_age_seconds: int, path: Path) -> None:
        super().__init__(path)
        self._signer = URLSafeSerializer(secret_key, salt="wenping-portal-session")
        self._max_age = max_age_seconds

    def cookie_value(self, session: PortalSession) -> str:
        return str(self._signer.dumps(session.id))

    async def load(self, cookie: str | None) -> PortalSession | None:
        """The session of the cookie, if its signature holds and it has neither ended nor expired."""
        if not cookie:
            return None
        try:
            session_id = str(self._signer.loads(cookie))
        except BadSignature:
            return None
        async with self.db.execute(
            "SELECT csrf_token, expires_at, token, user, flashes FROM portal_session WHERE id = ? AND expires_at > ?",
            (session_id, time.time()),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        user = PortalUser(**json.loads(row[3])) if row[3] else None
        flashes = [(str(k), str(m)) for k, m in json.loads(row[4])]
        return PortalSession(session_id, row[0], row[1], row[2], user, flashes, stored_flashes=list(flashes))

    def new_anonymous(self) -> PortalSession:
        return PortalSession(
            id=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32),
            expires_at=time.time() + ANONYMOUS_TTL_SECONDS,
        )

    def sign_in(self, token: str, expires_in: float, user: PortalUser) -> PortalSession:
        """A fresh id and CSRF token at sign-in, so an id planted before sign-in is worthless."""
        lifetime = min(float(self._max_age), max(expires_in - TOKEN_MARGIN_SECONDS, 0.0))
        return PortalSession(
            id=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32),
            expires_at=time.time() + lifetime, token=token, user=user,
        )

    async def persist(self, current: PortalSession | None, ended: list[PortalSession]) -> None:
        """What the request changed: sessions ended, a new session stored, messages shown or added."""
        for old in ended:
            await self.db.execute("DELETE FROM portal_session WHERE id = ?", (old.id,))
        if current is not None and current.stored_flashes is None:
            user = json.dumps(dataclasses.asdict(current.user), ensure_ascii=False) if current.user else None
            await self.db.execute(
                "INSERT INTO portal_session (id, csrf_token, expires_at, token, user, flashes) VALUES (?, ?, ?, ?, ?, ?)",
                (current.id, current.csrf_token, current.expires_at, current.token, user,
                 json.dumps(current.flashes, ensure_ascii=False)),
            )
            # Expired rows go as new ones come: the table holds about the sessions alive now.
            await self.db.execute("DELETE FROM portal_session WHERE expires_at <= ?", (time.time(),))
        elif current is not None and current.flashes != current.stored_flashes:
            await self.db.execute("UPDATE portal_session SET flashes = ? WHERE id = ?",
                                  (json.dumps(current.flashes, ensure_ascii=False), current.id))
        else:
            if not ended:
                return
        await self.db.commit()

    async def count(self) -> int:
        async with self.db.execute("SELECT count(*) FROM portal_session") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0


def user_from_me(me: dict[str, Any]) -> PortalUser:
    return PortalUser(
        username=str(me.get("username") or ""),
        display_name=str(me.get("display_name") or me.get("username") or ""),
        roles=list(me.get("roles") or []),
        org_id=me.get("org_id"),
        org_name=me.get("org_name"),
        region_code=me.get("region_code"),
    )
