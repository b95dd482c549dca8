"""The intake service's own metadata: its tables never mix with another service's."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from wenping_shared import audit_tables, outbox_and_idempotency_tables, rate_window_table


class TableBase(SQLModel, registry=registry()):
    pass


OutboxMessage, IdempotencyRecord = outbox_and_idempotency_tables(TableBase)
RateWindow = rate_window_table(TableBase)
AuditRecord, AuditChain = audit_tables(TableBase)
