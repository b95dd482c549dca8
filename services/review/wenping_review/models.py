"""Every review table, imported so the metadata (and Alembic) sees them all."""

from .database import IdempotencyRecord, OutboxMessage, TableBase
from .region_configs.models import RegionConfigVersion
from .reviews.models import DocumentNumberSequence, Review, ReviewAudit, ReviewItem

metadata = TableBase.metadata

__all__ = [
    "DocumentNumberSequence",
    "IdempotencyRecord",
    "OutboxMessage",
    "RegionConfigVersion",
    "Review",
    "ReviewAudit",
    "ReviewItem",
    "metadata",
]
