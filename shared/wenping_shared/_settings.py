"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: Secrets that ship in the repository for development. Production refuses them.
DEV_SECRETS = frozenset(
    {"wenping-dev-intake-secret", "wenping-dev-review-secret", "wenping-dev-registry-secret", "wenping-demo-secret"}
)


#: The development default of ``audit_checkpoint_secret``. Production refuses it.
DEV_AUDIT_CHECKPOINT_SECRET = "wenping-dev-audit-checkpoint-secret"


#: Roles an outside identity may be mapped to (never ``service`` or ``integration``).
MAPPABLE_ROLES = frozenset({"filer", "agency", "expert", "reviewer", "supervisor", "admin"})


class ExternalIssuer(BaseModel):
    """A trusted outside identity provider (e.g. the party-government SSO): its tokens are verified
    with its own JWKS under the same rules as the registry's (ES256 only; iss, aud, exp, sub
    required), and its claim values are mapped to a local role, organisation and region. A value
    the mapping does not name is refused (401); the subject is linked to a local user for audit."""

    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(min_length=1)
    jwks_url: str = Field(min_length=1)
    audience: str = Field(min_length=1)
    name: str = "外部身份提供方"
    role_claim: str = "roles"
    role_map: dict[str, str] = Field(default_factory=dict)
    org_claim: str = "org"
    org_map: dict[str, str] = Field(default_factory=dict)
    region_claim: str = "region"
    region_map: dict[str, str] = Field(default_factory=dict)
    name_claim: str = "name"

    @field_validator("role_map")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value.values()) - MAPPABLE_ROLES)
        if unknown:
            raise ValueError(f"外部身份只能映射为 {'、'.join(sorted(MAPPABLE_ROLES))}，不能映射为 {'、'.join(unknown)}")
        return value


class ServiceSettings(BaseSettings):
    """Base settings. Subclasses set ``model_config = SettingsConfigDict(env_prefix=...)``."""

    model_config = SettingsConfigDict(extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    #: Addresses of the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed
    #: (comma-separated IPs or networks, uvicorn's ``forwarded_allow_ips``). Empty: none, the
    #: peer address is the client's (a client could otherwise pick the address its login limit uses).
    forwarded_allow_ips: str = ""

    # Peers. Tests point these at in-process apps.
    registry_url: str = "http://127.0.0.1:8003"
    intake_url: str = "http://127.0.0.1:8001"
    review_url: str = "http://127.0.0.1:8002"

    jwt_issuer: str = "https://registry.wenping.local"
    #: An unknown ``kid`` triggers at most one JWKS refresh per this many seconds.
    jwks_min_refresh_seconds: float = 60.0
    #: Outside identity providers trusted by configuration (a JSON list of ExternalIssuer objects,
    #: the same on all three services).
    external_issuers: list[ExternalIssuer] = Field(default_factory=list)

    #: This service's own client credentials at the registry (empty for the registry itself).
    client_id: str = ""
    client_secret: str = ""

    http_timeout_seconds: float = 5.0
    http_retries: int = 3

    outbox_poll_seconds: float = 2.0
    #: An Idempotency-Key reserved this long ago whose request never completed belongs to a
    #: process that died mid-request (its work never committed): a retry with the key takes it over.
    idempotency_stale_seconds: float = 120.0

    #: Per-principal limits on the expensive operations, each counted per window and shared by
    #: every process of the service (kept in its database); over it: 429 with Retry-After.
    #: 0 turns a limit off. Our own services' tokens are never limited. Each service applies the
    #: ones of its routes: registry draws and exports, intake exports and report submissions,
    #: review prechecks.
    rate_limit_window_seconds: float = 60.0
    rate_limit_expert_draws: int = 30
    rate_limit_exports: int = 10
    rate_limit_prechecks: int = 60
    rate_limit_report_submissions: int = 30

    #: Security audit trail (docs/operations.md, "Audit trail"): records older than this many days
    #: are purged, leaving a signed checkpoint so the chain still verifies.
    audit_retention_days: int = Field(default=185, ge=1)
    #: How often a running service purges (0: only ``python -m wenping_<service> audit-purge``).
    audit_purge_interval_seconds: float = Field(default=86400.0, ge=0)
    #: The HMAC-SHA256 key signing purge checkpoints; production refuses the development default
    #: (give each service its own random value, e.g. ``openssl rand -hex 32``, and keep it).
    audit_checkpoint_secret: SecretStr = SecretStr(DEV_AUDIT_CHECKPOINT_SECRET)

    max_json_body_bytes: int = 1024 * 1024
    max_upload_body_bytes: int = 50 * 1024 * 1024

    #: Browser origins allowed to call this service (CORS), e.g. ``https://app.example.gov.cn``,
    #: as a JSON list or comma-separated. Empty (the default): no CORS headers, preflight refused.
    #: Production refuses ``*``: origins there are named one by one.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    log_level: str = "INFO"
    log_json: bool = True

    #: Seeding demo data is a development convenience; production refuses it.
    seed_demo: bool = Field(default=False)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else [o.strip() for o in text.split(",") if o.strip()]
        return value

    @property
    def service_name(self) -> str:
        """``intake``, ``review`` or ``registry``, from the env prefix (WENPING_<NAME>_)."""
        prefix = str(self.model_config.get("env_prefix", ""))
        return prefix.removeprefix("WENPING_").rstrip("_").lower() or "service"

    @property
    def resolved_database_url(self) -> str:
        """``database_url``, or the service's SQLite file in its data directory (``intake.db``, ...)."""
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / f'{self.service_name}.db'}"

    def supplied_key_problems(self, field: str, what: str = "") -> list[str]:
        """In production a signing key is supplied (``<field>`` or ``<field>_file``), never the
        development key generated at start-up."""
        if self.environment != "production" or getattr(self, field) or getattr(self, f"{field}_file"):
            return []
        name = str(self.model_config.get("env_prefix", "")) + field.upper()
        return [f"生产模式须通过 {name}_FILE 或 {name} 提供{what}签名私钥，不得使用自动生成的开发密钥"]

    def production_problems(self) -> list[str]:
        """Why this configuration must not run in production (empty when it may)."""
        problems: list[str] = []
        if self.environment != "production":
            return problems
        if self.seed_demo:
            problems.append("生产模式下不得加载演示数据（seed_demo=true）")
        if self.client_secret and self.client_secret in DEV_SECRETS:
            problems.append("生产模式下不得使用默认的服务客户端密钥（client_secret）")
        if self.audit_checkpoint_secret.get_secret_value() in {DEV_AUDIT_CHECKPOINT_SECRET, ""}:
            problems.append("生产模式下须配置审计检查点签名密钥（audit_checkpoint_secret），不得使用默认值")
        if "*" in self.cors_origins:
            problems.append("生产模式下 CORS 须逐一列出允许的来源（cors_origins 不得为 *）")
        if self.resolved_database_url.startswith("sqlite"):
            problems.append("生产模式须使用 PostgreSQL 数据库（database_url）")
        return problems


class ProductionConfigError(RuntimeError):
    """Raised at start-up when production mode meets a development-only setting."""

    def __init__(self, service: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{service} 拒绝以生产模式启动：" + "；".join(problems))


def check_production(service: str, problems: list[str]) -> None:
    if problems:
        raise ProductionConfigError(service, problems)
