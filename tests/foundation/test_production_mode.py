"""Production mode refuses development conveniences and says why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager

from wenping_intake.config import IntakeSettings
from wenping_intake.main import create_app as create_intake
from wenping_registry.config import RegistrySettings
from wenping_registry.main import create_app as create_registry
from wenping_review.config import ReviewSettings
from wenping_shared import ProductionConfigError
from wenping_shared.tokens import generate_private_key_pem

PG = "postgresql+asyncpg://wenping@db.internal/wenping"


async def test_registry_refuses_a_generated_dev_key(tmp_path: Path) -> None:
    settings = RegistrySettings(environment="production", data_dir=tmp_path, database_url=PG,
                                client_secret="a-real-secret")
    with pytest.raises(ProductionConfigError) as err:
        async with LifespanManager(create_registry(settings)):
            pass
    assert "签名私钥" in str(err.value)
    assert not (tmp_path / "jwt-signing-key.dev.pem").exists()  # refused before generating anything


async def test_services_refuse_default_secrets_and_demo_seed(tmp_path: Path) -> None:
    settings = IntakeSettings(environment="production", data_dir=tmp_path, database_url=PG, seed_demo=True)
    with pytest.raises(ProductionConfigError) as err:
        async with LifespanManager(create_intake(settings)):
            pass
    message = str(err.value)
    assert "默认的服务客户端密钥" in message and "演示数据" in message


def test_sqlite_is_not_a_production_database(tmp_path: Path) -> None:
    problems = ReviewSettings(environment="production", data_dir=tmp_path, client_secret="s3cret-from-vault",
                              audit_checkpoint_secret="audit-key-from-vault").production_problems()
    assert problems == ["生产模式须使用 PostgreSQL 数据库（database_url）"]


def test_a_proper_production_configuration_has_no_problems(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(generate_private_key_pem())
    settings = RegistrySettings(environment="production", database_url=PG, jwt_private_key_file=key,
                                client_secret="s3cret-from-vault", audit_checkpoint_secret="audit-key-from-vault")
    assert settings.production_problems() == []


def test_production_refuses_the_development_audit_checkpoint_key() -> None:
    settings = RegistrySettings(environment="production", database_url=PG, client_secret="s3cret-from-vault")
    assert "审计检查点签名密钥" in " ".join(settings.production_problems())


async def test_registry_refuses_a_database_holding_demo_accounts(system, tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(generate_private_key_pem())
    seeded = system.settings["registry"]
    settings = RegistrySettings(environment="production", database_url=seeded.resolved_database_url,
                                jwt_private_key_file=key, client_secret="s3cret-from-vault", data_dir=tmp_path,
                                audit_checkpoint_secret="audit-key-from-vault")
    if seeded.resolved_database_url.startswith("sqlite"):
        settings = settings.model_copy(update={"environment": "production"})
        # SQLite is refused outright in production; the demo-account check is exercised on PostgreSQL.
        assert "PostgreSQL" in " ".join(settings.production_problems())
        return
    with pytest.raises(ProductionConfigError) as err:
        async with LifespanManager(create_registry(settings)):
            pass
    assert "演示账号" in str(err.value)


def test_seed_command_refuses_production(tmp_path: Path) -> None:
    env = {"WENPING_REGISTRY_ENVIRONMENT": "production", "WENPING_REGISTRY_DATA_DIR": str(tmp_path), "PATH": ""}
    result = subprocess.run([sys.executable, "-m", "wenping_registry", "seed"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "生产模式下不得加载演示数据" in result.stderr
