"""security audit trail: the registry's audit entries move onto the shared hash-chained records
(in the order they were written; ``changes`` and ``region_code`` kept in ``detail``)

Create Date: 2026-11-29 07:40:00
"""
from typing import Any

import sqlalchemy as sa
from alembic import op

from wenping_registry.migrations.legacy_tables import create_audit_entry_table
from wenping_shared import AuditRecordFields, UTCDateTime
from wenping_shared._audit import GENESIS, record_hash
from wenping_shared.migration_ops import create_audit_tables, drop_audit_tables, drop_tables

revision: str = 'c4a11d7e0003'
down_revision: str | None = '495c3217f3c9'

_COLUMNS = ("at", "actor", "actor_roles", "action", "object_type", "object_id", "result", "request_id")
old = sa.table(
    "audit_entry", sa.column("id", sa.String()), sa.column("at", UTCDateTime()), sa.column("actor", sa.String()),
    sa.column("actor_roles", sa.JSON()), sa.column("action", sa.String()), sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()), sa.column("region_code", sa.String()), sa.column("result", sa.String()),
    sa.column("changes", sa.JSON()), sa.column("request_id", sa.String()),
)
new = sa.table(
    "audit_record", sa.column("seq", sa.Integer()), *(sa.column(c) for c in _COLUMNS if c not in ("at", "actor_roles")),
    sa.column("at", UTCDateTime()), sa.column("actor_roles", sa.JSON()), sa.column("status", sa.Integer()),
    sa.column("detail", sa.JSON()), sa.column("prev_hash", sa.String()), sa.column("hash", sa.String()),
)
chain = sa.table("audit_chain", sa.column("id", sa.Integer()), sa.column("seq", sa.Integer()),
                 sa.column("hash", sa.String()), sa.column("purged_count", sa.Integer()))


def upgrade() -> None:
    create_audit_tables()
    bind = op.get_bind()
    seq, prev = 0, GENESIS
    rows: list[dict[str, Any]] = []
    for entry in bind.execute(sa.select(old).order_by(old.c.at, old.c.id)).mappings():
        seq += 1
        record = AuditRecordFields(
            seq=seq, **{c: entry[c] for c in _COLUMNS}, status=None, prev_hash=prev, hash="",
            detail={"changes": entry["changes"] or {}, "region_code": entry["region_code"]},
        )
        record.hash = prev = record_hash(record)
        rows.append(record.model_dump())
    if rows:
        op.bulk_insert(new, rows)
    op.bulk_insert(chain, [{"id": 1, "seq": seq, "hash": prev, "purged_count": 0}])
    drop_tables("audit_entry")


def downgrade() -> None:
    # The table as 908d11f954e2 made it (the records themselves go with the dropped trail).
    create_audit_entry_table()
    drop_audit_tables()
