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

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'intake.db'}"
