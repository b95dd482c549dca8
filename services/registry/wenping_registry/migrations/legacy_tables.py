"""Registry tables that a later migration removed and whose downgrade puts back: stated once here,
for the migration that created them and the one that undoes their removal."""

from __future__ import annotations

import sqlalchemy as sa

from wenping_shared.migration_columns import json, string, timestamp
from wenping_shared.migration_ops import create_table, index


def create_audit_entry_table() -> None:
    """The registry's own audit entries as 908d11f954e2 created them (replaced by the shared
    hash-chained trail in c4a11d7e0003, whose downgrade creates them again)."""
    create_table(
        "audit_entry",
        string("id", 36),
        timestamp("at"),
        string("actor", 100),
        json("actor_roles"),
        string("action", 64),
        string("object_type", 32),
        string("object_id", 64, nullable=True),
        string("region_code", 6, nullable=True),
        string("result", 16),
        json("changes"),
        string("request_id", 128, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        indexes=[index(f"ix_audit_entry_{c}", c) for c in ("action", "actor", "at", "object_id", "region_code")],
    )
