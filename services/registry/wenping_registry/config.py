from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from wenping_shared import ServiceSettings


class RegistrySettings(ServiceSettings):
    """Registry settings, from ``WENPING_REGISTRY_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="WENPING_REGISTRY_", extra="ignore")

    port: int = 8003
    data_dir: Path = Path("data/registry")
    client_id: str = "registry-service"
    client_secret: str = "wenping-dev-registry-secret"

    #: Production: the ES256 signing key as PEM, from a file or the environment.
    jwt_private_key_file: Path | None = None
    jwt_private_key: str | None = None
    access_token_ttl_seconds: int = 3600
    service_token_ttl_seconds: int = 900

    #: Failed-login throttle: this many failures within the window lock the account / address.
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 900

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'registry.db'}"

    @property
    def dev_key_path(self) -> Path:
        return self.data_dir / "jwt-signing-key.dev.pem"

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.environment == "production" and not (self.jwt_private_key_file or self.jwt_private_key):
            problems.append(
                "生产模式须通过 WENPING_REGISTRY_JWT_PRIVATE_KEY_FILE 或 WENPING_REGISTRY_JWT_PRIVATE_KEY 提供签名私钥，"
                "不得使用自动生成的开发密钥"
            )
        return problems
