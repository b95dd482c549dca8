"""Alembic, shared by the three services: an async env and a programmatic upgrade.

Alembic itself is imported only where a migration runs (``upgrade_to_head``, ``run_env``): a
service never migrates while it serves, and importing alembic (with mako) cost about a second of
every cold start. /readyz compares the database's ``alembic_version`` with the heads read from the
scripts' own ``revision`` / ``down_revision`` lines (``script_heads``), without alembic.
"""

from __future__ import annotations

import ast
import asyncio
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_engine_from_config

from ._types import UTCDateTime

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(script_location: Path, database_url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade_to_head(script_location: Path, database_url: str) -> None:
    """Blocking; call from a thread (``asyncio.to_thread``) or a CLI, never on the event loop."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    command.upgrade(alembic_config(script_location, database_url), "head")


def _render_item(type_: str, obj: object, _: object) -> str | Literal[False]:
    # Migrations must not import application types: store UTCDateTime as a plain timestamptz.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_env(target_metadata: MetaData) -> None:
    """Body of each service's ``migrations/env.py``."""
    from alembic import context

    config = context.config

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def run_async() -> None:
        engine = async_engine_from_config(
            config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


@functools.cache
def script_heads(script_location: Path) -> frozenset[str]:
    """The head revisions of a migrations folder: revisions no other script names as its
    ``down_revision`` (read from each script's module-level assignments, not by importing it)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((script_location / "versions").glob("*.py")):
        values: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target: ast.expr
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                values[target.id] = ast.literal_eval(value)
        if "revision" not in values:
            continue
        revisions.add(values["revision"])
        down = values.get("down_revision")
        parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


async def migrations_current(engine: AsyncEngine, script_location: Path) -> bool:
    """The database is at every head of the scripts (no table yet: not current)."""
    try:
        async with engine.connect() as connection:
            current = {row[0] for row in await connection.execute(text("SELECT version_num FROM alembic_version"))}
    except DBAPIError:
        return False
    return current == script_heads(script_location)
