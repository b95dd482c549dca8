"""Every intake table, imported so the metadata (and Alembic) sees them all."""

from .accountability.models import AccountabilityAction
from .appraisals.models import AppraisalScheme
from .clearances.models import Clearance
from .database import IdempotencyRecord, OutboxMessage, TableBase
from .decision_lists.models import DecisionList
from .expert_opinions.models import ExpertOpinion, ProjectExpert
from .files.models import StoredFile
from .inspections.models import Circular, CircularNumberCounter, Inspection, InspectionFinding
from .ledger.models import LedgerEntry
from .projects.models import Project, ProjectNumberCounter
from .reports.models import ReportRound, ReturnReason, ReviewEvent
from .risk_watch.models import WarningEntry, WarningFlag
from .stats import tallies  # noqa: F401  # keeps the statistics tallies at every flush
from .stats.models import ProjectTally, ReturnReasonTally
from .targets.models import AssessmentTarget, OversightChange
from .tracking.models import EffectEvaluation, Incident, TrackedMeasure, TrackingRecord
from .webhooks.models import ReminderNotice, WebhookDelivery, WebhookSubscription, WebhookSubscriptionChange

metadata = TableBase.metadata

__all__ = [
    "AccountabilityAction",
    "AppraisalScheme",
    "AssessmentTarget",
    "Circular",
    "CircularNumberCounter",
    "Clearance",
    "DecisionList",
    "EffectEvaluation",
    "ExpertOpinion",
    "IdempotencyRecord",
    "Incident",
    "Inspection",
    "InspectionFinding",
    "LedgerEntry",
    "OutboxMessage",
    "OversightChange",
    "Project",
    "ProjectExpert",
    "ProjectNumberCounter",
    "ProjectTally",
    "ReminderNotice",
    "ReportRound",
    "ReturnReason",
    "ReturnReasonTally",
    "ReviewEvent",
    "StoredFile",
    "TrackedMeasure",
    "TrackingRecord",
    "WarningEntry",
    "WarningFlag",
    "WebhookDelivery",
    "WebhookSubscription",
    "WebhookSubscriptionChange",
    "metadata",
]
