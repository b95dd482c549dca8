"""Every intake table, imported so the metadata (and Alembic) sees them all."""

from .database import IdempotencyRecord, OutboxMessage, TableBase
from .files.models import StoredFile
from .ledger.models import LedgerEntry
from .projects.models import Project, ProjectNumberCounter
from .reports.models import ReportRound, ReturnReason, ReviewEvent

metadata = TableBase.metadata

__all__ = [
    "IdempotencyRecord",
    "LedgerEntry",
    "OutboxMessage",
    "Project",
    "ProjectNumberCounter",
    "ReportRound",
    "ReturnReason",
    "ReviewEvent",
    "StoredFile",
    "metadata",
]
