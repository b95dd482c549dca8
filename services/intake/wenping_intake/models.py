"""Every intake table, imported so the metadata (and Alembic) sees them all."""

from .database import IdempotencyRecord, OutboxMessage, TableBase

metadata = TableBase.metadata

__all__ = ["IdempotencyRecord", "OutboxMessage", "metadata"]
