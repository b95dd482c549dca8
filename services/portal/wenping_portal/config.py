from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The development signing secret that ships in the repository; production refuses it.
DEV_SECRET_KEY = "wenping-dev-portal-secret-key-change-me"


class PortalSettings(BaseSettings):
    """portal settings, from ``WENPING_PORTAL_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="WENPING_PORTAL_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    #: Report drafts and the sessions every portal process shares (SQLite files).
    data_dir: Path = Path("data/portal")

    registry_url: str = "http://127.0.0.1:8003"
    intake_url: str = "http://127.0.0.1:8001"
    review_url: str = "http://127.0.0.1:8002"

    #: Signs the session cookie (itsdangerous); every portal process sharing the data directory
    #: (and so the sessions) needs the same one. Production needs its own.
    secret_key: str = Field(default=DEV_SECRET_KEY, min_length=16)
    #: Set behind TLS so the session cookie is never sent in clear.
    cookie_secure: bool = False
    #: A signed-in session lasts at most this long, and never beyond the user's token.
    session_max_age_seconds: int = 8 * 3600

    #: Reverse proxies in front of the portal whose X-Forwarded-For is believed (uvicorn's
    #: ``forwarded_allow_ips``). Empty: none, the peer is the client. The portal passes the
    #: client's address on to the registry, whose own setting must list the portal's address.
    forwarded_allow_ips: str = ""

    #: Deadline of every call to a peer; a page never waits longer than this for one answer.
    http_timeout_seconds: float = 5.0

    log_level: str = "INFO"

    @property
    def drafts_database(self) -> Path:
        return self.data_dir / "drafts.sqlite3"

    @property
    def sessions_database(self) -> Path:
        """Shared by every portal process with this data directory (and the same secret key)."""
        return self.data_dir / "sessions.sqlite3"

    def production_problems(self) -> list[str]:
        problems: list[str] = []
        if self.environment != "production":
            return problems
        if self.secret_key == DEV_SECRET_KEY:
            problems.append("生产模式下不得使用默认的会话签名密钥（WENPING_PORTAL_SECRET_KEY）")
        if not self.cookie_secure:
            problems.append("生产模式须启用 HTTPS 会话 Cookie（WENPING_PORTAL_COOKIE_SECURE=true）")
        return problems
