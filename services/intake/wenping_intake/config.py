from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from wenping_shared import ServiceSettings
from wenping_shared.pdf import DEFAULT_DOCUMENT_FONT


class IntakeSettings(ServiceSettings):
    """intake settings, from ``WENPING_INTAKE_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="WENPING_INTAKE_", extra="ignore")

    port: int = 8001
    data_dir: Path = Path("data/intake")
    client_id: str = "intake-service"
    client_secret: str = "wenping-dev-intake-secret"
    #: Largest original report document accepted by POST /api/v1/files (the body cap is separate).
    document_max_bytes: int = 50 * 1024 * 1024
    #: The CJK font the printable clearance PDF embeds (.ttf, .otf or .ttc; fonts-noto-cjk by default).
    document_font: Path = Path(DEFAULT_DOCUMENT_FONT)

    #: Webhooks: the deadline of one delivery, the retry backoff (base doubling per attempt, capped),
    #: attempts before an event is abandoned, and failures in a row that disable a subscription.
    webhook_timeout_seconds: float = 10.0
    webhook_retry_base_seconds: float = 5.0
    webhook_retry_max_seconds: float = 3600.0
    webhook_max_attempts: int = 15
    webhook_disable_after_failures: int = 20
    #: How often due reminders are announced as ``reminder.due`` (0 turns the sweep off).
    webhook_reminder_sweep_seconds: float = 3600.0

    #: Production: the ES256 key that signs clearances (稳评备案证明), as PEM, from a file or the environment.
    clearance_private_key_file: Path | None = None
    clearance_private_key: str | None = None

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def dev_clearance_key_path(self) -> Path:
        return self.data_dir / "clearance-signing-key.dev.pem"

    def production_problems(self) -> list[str]:
        return super().production_problems() + self.supplied_key_problems("clearance_private_key", "稳评备案证明")
