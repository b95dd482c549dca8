"""Operations for migration scripts: the outbox and idempotency tables every service keeps, created
by each service's first migration exactly as its models (``OutboxMessageFields``,
``IdempotencyRecordFields``) declare them. Later changes to them go in new migrations."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString


def create_idempotency_table() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("subject", AutoString(length=200), nullable=False),
        sa.Column("key", AutoString(length=200), nullable=False),
        sa.Column("endpoint", AutoString(length=200), nullable=False),
        sa.Column("request_hash", AutoString(length=64), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject", "key", name="uq_idempotency_subject_key"),
    )


def create_outbox_table() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("destination", AutoString(length=32), nullable=False),
        sa.Column("method", AutoString(length=8), nullable=False),
        sa.Column("path", AutoString(length=300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("dead", sa.Boolean(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", AutoString(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_available_at"), ["available_at"], unique=False)
        batch_op.create_index("ix_outbox_message_pending", ["delivered_at", "dead", "available_at"], unique=False)


def drop_outbox_table() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_pending")
        batch_op.drop_index(batch_op.f("ix_outbox_message_available_at"))
    op.drop_table("outbox_message")


def drop_idempotency_table() -> None:
    op.drop_table("idempotency_record")


def create_rate_window_table() -> None:
    """The ``rate_window`` table of ``RateWindowFields`` (per-principal allowances)."""
    op.create_table(
        "rate_window",
        sa.Column("principal", AutoString(length=200), nullable=False),
        sa.Column("operation", AutoString(length=40), nullable=False),
        sa.Column("started", sa.Float(), nullable=False),
        sa.Column("spent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "operation"),
    )


def drop_rate_window_table() -> None:
    op.drop_table("rate_window")
