from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import field_validator
from pydantic_settings import SettingsConfigDict

from wenping_shared import DEFAULT_TIME_ZONE, ServiceSettings

from .agencies.eligibility import EligibilityRules
from .agencies.grading import GradingThresholds


class RegistrySettings(ServiceSettings):
    """Registry settings, from ``WENPING_REGISTRY_*`` environment variables."""

    # Nested settings (grading thresholds) take ``__``: WENPING_REGISTRY_GRADING__A__MIN_PROJECTS=25.
    model_config = SettingsConfigDict(env_prefix="WENPING_REGISTRY_", extra="ignore", env_nested_delimiter="__")

    port: int = 8003
    data_dir: Path = Path("data/registry")
    client_id: str = "registry-service"
    client_secret: str = "wenping-dev-registry-secret"

    #: Production: the ES256 signing key as PEM, from a file or the environment.
    jwt_private_key_file: Path | None = None
    jwt_private_key: str | None = None
    #: Key rotation: the previous signing key's PEM file. Its public half stays in the JWKS, so
    #: tokens it signed keep working until they expire; new tokens use the current key. A path
    #: that does not exist means no rotation is under way.
    jwt_previous_key_file: Path | None = None
    access_token_ttl_seconds: int = 3600
    service_token_ttl_seconds: int = 900

    #: Failed-login throttle: this many failures within the window lock the account / address.
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 900

    #: Agency grading thresholds (defaults documented in agencies/grading.py: A needs 20 projects,
    #: average score 85, 10 certified staff, no misconduct; B 10/75/6/at most 1; C 3/60/3; D
    #: otherwise; every grade keeps at least 3 certified staff to take work).
    grading: GradingThresholds = GradingThresholds()
    #: Agency eligibility: the highest project level per grade (D county, C city, A/B province)
    #: and how long a misconduct record restricts an agency province-wide (1 year).
    eligibility: EligibilityRules = EligibilityRules()
    #: Time zone of "today" and "this year" (grade validity, draws this year).
    time_zone: str = DEFAULT_TIME_ZONE

    @field_validator("grading", "eligibility", mode="before")
    @classmethod
    def _merge_with_defaults(cls, value: Any, info: Any) -> Any:
        # One variable (…_GRADING__A__MIN_PROJECTS=25) overrides one number: merge it onto the
        # defaults, since a nested model given a partial dict would otherwise lose the rest.
        if not isinstance(value, dict):
            return value
        default = GradingThresholds() if info.field_name == "grading" else EligibilityRules()
        return _deep_merge(default.model_dump(), value)

    @property
    def dev_key_path(self) -> Path:
        return self.data_dir / "jwt-signing-key.dev.pem"

    def production_problems(self) -> list[str]:
        return super().production_problems() + self.supplied_key_problems("jwt_private_key")


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        merged[key] = _deep_merge(current, value) if isinstance(current, dict) and isinstance(value, dict) else value
    return merged
