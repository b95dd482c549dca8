"""Operations for migration scripts, so that a migration states each table once, in the words of
its model (columns from ``migration_columns``): a table with its indexes (``create_table``), tables
dropped with their indexes (``drop_tables``), and the tables every service keeps (outbox and
idempotency, ``create_delivery_tables``; ``create_rate_window_table``) exactly as their models
declare them; a migration that only adds such tables names them as its steps
(``upgrade = create_rate_window_table``). An applied migration never changes its effect: later
changes go in new migrations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from alembic import op

from .migration_columns import boolean, floating, integer, json, string, timestamp


class Index(NamedTuple):
    name: str
    columns: tuple[str, ...]


def index(name: str, *columns: str) -> Index:
    return Index(name, columns)


def create_table(name: str, *parts: sa.schema.SchemaItem, indexes: Sequence[Index] = ()) -> None:
    """``op.create_table``, then its (non-unique) indexes."""
    op.create_table(name, *parts)
    if indexes:
        with op.batch_alter_table(name, schema=None) as batch_op:
            for each in indexes:
                batch_op.create_index(each.name, list(each.columns), unique=False)


def drop_tables(*names: str) -> None:
    """Drop tables in this order; a table's indexes go with it (SQLite and PostgreSQL alike)."""
    for name in names:
        op.drop_table(name)


def create_delivery_tables() -> None:
    """The outbox (messages out) and the idempotency records (deliveries in, applied once)."""
    create_table(
        "idempotency_record",
        string("id", 36),
        string("subject", 200),
        string("key", 200),
        string("endpoint", 200),
        string("request_hash", 64),
        boolean("completed"),
        integer("response_status", nullable=True),
        json("response_body", nullable=True),
        timestamp("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject", "key", name="uq_idempotency_subject_key"),
    )
    create_table(
        "outbox_message",
        string("id", 36),
        string("destination", 32),
        string("method", 8),
        string("path", 300),
        json("payload"),
        timestamp("created_at"),
        timestamp("available_at"),
        timestamp("delivered_at", nullable=True),
        integer("attempts"),
        boolean("dead"),
        integer("last_status", nullable=True),
        string("last_error", 500, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        indexes=[
            index("ix_outbox_message_available_at", "available_at"),
            index("ix_outbox_message_pending", "delivered_at", "dead", "available_at"),
        ],
    )


def drop_delivery_tables() -> None:
    drop_tables("outbox_message", "idempotency_record")


def create_rate_window_table() -> None:
    """The ``rate_window`` table of ``RateWindowFields`` (per-principal allowances)."""
    create_table(
        "rate_window",
        string("principal", 200),
        string("operation", 40),
        floating("started"),
        integer("spent"),
        sa.PrimaryKeyConstraint("principal", "operation"),
    )


def drop_rate_window_table() -> None:
    drop_tables("rate_window")



def create_audit_tables() -> None:
    """The ``audit_record`` and ``audit_chain`` tables of ``AuditRecordFields`` / ``AuditChainFields``
    (the security audit trail, ``_audit``)."""
    create_table(
        "audit_record",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        timestamp("at"),
        string("actor", 200),
        json("actor_roles"),
        string("action", 200),
        string("object_type", 64, nullable=True),
        string("object_id", 128, nullable=True),
        string("result", 16),
        integer("status", nullable=True),
        string("request_id", 128, nullable=True),
        json("detail"),
        string("prev_hash", 64),
        string("hash", 64),
        sa.PrimaryKeyConstraint("seq"),
        indexes=[index(f"ix_audit_record_{c}", c) for c in ("at", "actor", "action", "object_id")],
    )
    create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        integer("seq"),
        string("hash", 64),
        integer("purged_seq", nullable=True),
        string("purged_hash", 64, nullable=True),
        integer("purged_count"),
        timestamp("purged_first_at", nullable=True),
        timestamp("purged_last_at", nullable=True),
        timestamp("purged_at", nullable=True),
        string("signature", 64, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def drop_audit_tables() -> None:
    drop_tables("audit_chain", "audit_record")
