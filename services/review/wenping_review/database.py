"""The review service's own metadata: its tables never mix with another service's."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from wenping_shared import IdempotencyRecordFields, OutboxMessageFields, idempotency_constraints, outbox_indexes


class TableBase(SQLModel, registry=registry()):
    pass


class OutboxMessage(OutboxMessageFields, TableBase, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = outbox_indexes()


class IdempotencyRecord(IdempotencyRecordFields, TableBase, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = idempotency_constraints()
