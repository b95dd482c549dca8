"""Each service's migrations build exactly the schema its models describe."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext


@pytest.mark.parametrize("service", ["intake", "review", "registry"])
async def test_migrations_match_models(system: Any, service: str) -> None:
    metadata = importlib.import_module(f"wenping_{service}.models").metadata
    engine = system.apps[service].state.runtime.engine

    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == [], f"{service}: models and migrations differ; run `make revision SERVICE={service}`"
