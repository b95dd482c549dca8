"""Every registry table, imported so the metadata (and Alembic) sees them all."""

from .audit.models import AuditEntry
from .database import IdempotencyRecord, OutboxMessage, TableBase
from .identity.models import ApiClient, LoginFailure, Organization, Region, User

metadata = TableBase.metadata

__all__ = [
    "ApiClient",
    "AuditEntry",
    "IdempotencyRecord",
    "LoginFailure",
    "Organization",
    "OutboxMessage",
    "Region",
    "User",
    "metadata",
]
