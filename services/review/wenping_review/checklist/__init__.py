"""The review checklist: definitions (versioned YAML), region configuration, grading scheme,
one rule per item, and the engine that applies them. Pure Python: no database, no HTTP."""

from .config import DEFAULT_CONFIG, RegionReviewConfig, region_config
from .definitions import Checklist, ChecklistCategory, ChecklistItem, load_checklist
from .engine import evaluate, registry_needs, results_by_code, score, verdict
from .facts import AgencyFacts, ExpertFacts, ItemOutcome, ProjectFacts, RegistryFacts
from .grading import DEFAULT_SCHEME, GradingScheme

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_SCHEME",
    "AgencyFacts",
    "Checklist",
    "ChecklistCategory",
    "ChecklistItem",
    "ExpertFacts",
    "GradingScheme",
    "ItemOutcome",
    "ProjectFacts",
    "RegionReviewConfig",
    "RegistryFacts",
    "evaluate",
    "load_checklist",
    "region_config",
    "registry_needs",
    "results_by_code",
    "score",
    "verdict",
]
