"""Every registry table, imported so the metadata (and Alembic) sees them all."""

from .agencies.models import (
    Agency,
    AgencyGradingRecord,
    AgencyMisconduct,
    AgencyPerformanceRecord,
    AgencyPractitioner,
    PractitionerCertificate,
)
from .audit.models import AuditEntry
from .database import IdempotencyRecord, OutboxMessage, TableBase
from .draws.models import ExpertDraw, ExpertDrawSelection
from .experts.models import Expert, ExpertFieldEntry
from .identity.models import ApiClient, LoginFailure, Organization, Region, User

metadata = TableBase.metadata

__all__ = [
    "Agency",
    "AgencyGradingRecord",
    "AgencyMisconduct",
    "AgencyPerformanceRecord",
    "AgencyPractitioner",
    "ApiClient",
    "AuditEntry",
    "Expert",
    "ExpertDraw",
    "ExpertDrawSelection",
    "ExpertFieldEntry",
    "IdempotencyRecord",
    "LoginFailure",
    "Organization",
    "OutboxMessage",
    "PractitionerCertificate",
    "Region",
    "User",
    "metadata",
]
