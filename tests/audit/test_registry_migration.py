"""The registry's former audit entries move onto its hash-chained trail (migration c4a11d7e0003) in
the order they were written, keeping their changes and region, and the chain verifies."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from apps_kit import databases
from sqlalchemy import bindparam, text
from sqlmodel import col, select

from wenping_registry.audit.models import AuditEntry
from wenping_registry.config import RegistrySettings
from wenping_registry.main import MIGRATIONS
from wenping_shared import UTCDateTime, audit_trail, create_engine, create_sessionmaker
from wenping_shared._migrations import alembic_config

_ENTRY = text(
    "INSERT INTO audit_entry (id, at, actor, actor_roles, action, object_type, object_id, region_code, result,"
    " changes, request_id) VALUES (:id, :at, 'u1', '[\"admin\"]', 'agency.update', 'agency', 'a1', '330400',"
    " 'success', :changes, NULL)"
).bindparams(bindparam("at", type_=UTCDateTime()))


async def test_old_entries_are_chained_in_order(tmp_path: Path) -> None:
    async with databases("audit_migration", uuid.uuid4().hex[:8]) as urls:
        url = urls.get("registry") or f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
        config = alembic_config(Path(MIGRATIONS), url)
        await asyncio.to_thread(command.upgrade, config, "a7e1c0de0003")
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                for day in (3, 1, 2):  # written out of order: the chain follows the time
                    await connection.execute(_ENTRY, {
                        "id": f"entry-{day}", "at": datetime(2026, 1, day, 10, tzinfo=UTC),
                        "changes": json.dumps({"status": {"from": "active", "to": f"day {day}"}}),
                    })
            await asyncio.to_thread(command.upgrade, config, "heads")
            async with create_sessionmaker(engine)() as session:
                outcome = await audit_trail(AuditEntry, RegistrySettings()).verify(session)
                rows = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))).all()
        finally:
            await engine.dispose()
    assert outcome.intact and outcome.checked == 3 and outcome.head_seq == 3
    assert [r.changes["status"]["to"] for r in rows] == ["day 1", "day 2", "day 3"]
    assert all(r.region_code == "330400" and r.actor_roles == ["admin"] for r in rows)
