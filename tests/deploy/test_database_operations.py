"""Operating the databases: every migration downgrades and upgrades again (SQLite and PostgreSQL),
and a pg_dump / pg_restore of each service's database restores into a scratch database where the
ledger chains of every project still verify."""

from __future__ import annotations

import asyncio
import importlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from deploy_kit import missing
from sqlalchemy import make_url
from sqlmodel import col, select

from wenping_shared import create_engine, create_sessionmaker
from wenping_shared._migrations import alembic_config

SERVICES = ("intake", "review", "registry")
PG_ADMIN = os.environ.get("WENPING_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def backend() -> str:
    return os.environ.get("WENPING_TEST_DB", "sqlite")


def psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True, timeout=60)


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing(f"{name} (Debian package postgresql-client) is not installed")
    return found


def schema_differences(url: str, service: str) -> list[Any]:
    metadata = importlib.import_module(f"wenping_{service}.models").metadata

    async def diff() -> list[Any]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(
                    lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": False}), metadata)
                )
        finally:
            await engine.dispose()

    return asyncio.run(diff())


@pytest.mark.parametrize("service", SERVICES)
def test_every_migration_downgrades_and_upgrades_again(service: str, tmp_path: Path) -> None:
    migrations = importlib.import_module(f"wenping_{service}.main").MIGRATIONS
    database = f"wp_mig_{uuid.uuid4().hex[:8]}_{service}"
    if backend() == "postgresql":
        psql(f'CREATE DATABASE "{database}"')
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    try:
        config = alembic_config(migrations, url)
        revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
        assert revisions, "no migrations"
        command.upgrade(config, "head")
        # Down one step at a time to nothing, checking each step undoes cleanly, then up again.
        for _ in revisions:
            command.downgrade(config, "-1")
        command.upgrade(config, "head")
        for revision in revisions[:-1]:  # and each step up from its predecessor after a step down
            command.downgrade(config, revision.revision)
            command.upgrade(config, "+1")
            command.upgrade(config, "head")
        assert schema_differences(url, service) == [], "after down and up, the schema differs from the models"
    finally:
        if backend() == "postgresql":
            psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


async def test_backup_and_restore_keep_the_ledger_chains(system: Any, tmp_path: Path) -> None:
    if backend() != "postgresql":
        pytest.skip("pg_dump / pg_restore: the PostgreSQL pass")
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    from wenping_intake.ledger.models import LedgerEntry
    from wenping_intake.ledger.service import verify_chain
    from wenping_intake.projects.models import Project

    restored: dict[str, str] = {}
    try:
        for service in SERVICES:
            source = make_url(system.settings[service].resolved_database_url)
            dump = tmp_path / f"{service}.dump"
            # As docs/operations.md says: custom format, no owners (restorable into another role's database).
            await asyncio.to_thread(
                subprocess.run, [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}",
                                 f"postgresql://postgres@127.0.0.1:5432/{source.database}"],
                check=True, capture_output=True, timeout=300)
            target = f"wp_restore_{uuid.uuid4().hex[:8]}_{service}"
            await asyncio.to_thread(psql, f'CREATE DATABASE "{target}"')
            restored[service] = target
            await asyncio.to_thread(
                subprocess.run, [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error",
                                 f"--dbname=postgresql://postgres@127.0.0.1:5432/{target}", str(dump)],
                check=True, capture_output=True, timeout=300)

        engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:5432/{restored['intake']}")
        try:
            async with create_sessionmaker(engine)() as session:
                projects = (await session.exec(select(Project))).all()
                assert projects, "nothing restored"
                checked = 0
                for project in projects:
                    rows = (await session.exec(
                        select(LedgerEntry).where(col(LedgerEntry.project_id) == project.id).order_by(col(LedgerEntry.seq))
                    )).all()
                    check = verify_chain(rows, project.ledger_seq, project.ledger_head_hash)
                    assert check.verified, (project.number, check)
                    checked += bool(rows)
                assert checked > 0
                # The check is real: a tampered entry in the restored copy is found.
                entry = (await session.exec(select(LedgerEntry).order_by(col(LedgerEntry.seq)).limit(1))).first()
                assert entry is not None
                entry.actor_subject = "user:someone-else"
                rows = (await session.exec(
                    select(LedgerEntry).where(col(LedgerEntry.project_id) == entry.project_id).order_by(col(LedgerEntry.seq))
                )).all()
                owner = (await session.exec(select(Project).where(col(Project.id) == entry.project_id))).one()
                assert not verify_chain(rows, owner.ledger_seq, owner.ledger_head_hash).verified
                await session.rollback()
        finally:
            await engine.dispose()
        # Every service's restored database is at the migrations' head, like its source.
        for service, target in restored.items():
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{target}"
            assert await asyncio.to_thread(schema_differences, url, service) == []
    finally:
        for target in restored.values():
            await asyncio.to_thread(psql, f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
