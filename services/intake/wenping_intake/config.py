from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from wenping_shared import ServiceSettings


class IntakeSettings(ServiceSettings):
    """intake settings, from ``WENPING_INTAKE_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="WENPING_INTAKE_", extra="ignore")

    port: int = 8001
    data_dir: Path = Path("data/intake")
    client_id: str = "intake-service"
    client_secret: str = "wenping-dev-intake-secret"
    #: Largest original report document accepted by POST /api/v1/files (the body cap is separate).
    document_max_bytes: int = 50 * 1024 * 1024

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'intake.db'}"
