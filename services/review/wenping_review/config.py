from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from wenping_shared import ServiceSettings
from wenping_shared.pdf import DEFAULT_DOCUMENT_FONT


class ReviewSettings(ServiceSettings):
    """review settings, from ``WENPING_REVIEW_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="WENPING_REVIEW_", extra="ignore")

    port: int = 8002
    data_dir: Path = Path("data/review")
    client_id: str = "review-service"
    client_secret: str = "wenping-dev-review-secret"
    #: The CJK font PDF letters embed (a .ttf, .otf or .ttc; Debian's fonts-noto-cjk by default).
    document_font: Path = Path(DEFAULT_DOCUMENT_FONT)
