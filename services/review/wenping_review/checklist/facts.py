"""What the checklist engine needs besides the report: the project record (intake) and the
registry's view of the agency and experts (registry), plus the outcome of one item.

Plain frozen dataclasses: the caller fetches these over HTTP or from its database; the engine
never does I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wenping_shared.contracts.vocab import ItemResult


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    project_id: str
    responsible_org_id: str | None
    responsible_org_name: str | None
    category: str | None
    sub_kind: str | None
    interests: tuple[str, ...]
    expected_participants: int | None
    region_code: str
    planned_decision_date: dt.date | None
    already_implemented: bool = False
    assessor_kind: str = "self"  # 'self' | 'agency'
    agency_id: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProjectFacts:
        """From the sample dict or an intake project (JSON: ISO dates, extra fields ignored)."""
        d = {k: v for k, v in data.items() if k in _PROJECT_FIELDS}
        if "project_id" not in d and "id" in data:
            d["project_id"] = data["id"]
        d["interests"] = tuple(d.get("interests") or ())
        pdd = d.get("planned_decision_date")
        if isinstance(pdd, str):
            d["planned_decision_date"] = dt.date.fromisoformat(pdd[:10])
        d["already_implemented"] = bool(d.get("already_implemented") or False)
        d["assessor_kind"] = d.get("assessor_kind") or "self"
        for key in ("responsible_org_id", "responsible_org_name", "category", "sub_kind",
                    "expected_participants", "planned_decision_date"):
            d.setdefault(key, None)
        return cls(**d)


_PROJECT_FIELDS = frozenset(ProjectFacts.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class AgencyFacts:
    id: str
    name: str
    org_id: str | None
    status: str  # active | suspended | blacklisted
    grade: str | None  # A | B | C | D
    grade_valid_until: dt.date | None
    eligible: bool = True  # the registry's own verdict for the project's level (on file etc.)
    reasons: tuple[str, ...] | list[str] = ()


@dataclass(frozen=True, slots=True)
class ExpertFacts:
    id: str
    name: str
    fields: tuple[str, ...] | list[str]
    employer_org_id: str | None
    employer_name: str | None
    status: str = "active"  # active | suspended | retired


@dataclass(frozen=True, slots=True)
class RegistryFacts:
    agency: AgencyFacts | None = None
    experts: dict[str, ExpertFacts] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegistryFacts:
        """From {"agency": {...} | None, "experts": {id: {...}}} (e.g. the samples module)."""
        agency = data.get("agency")
        return cls(
            agency=AgencyFacts(**{**agency, "reasons": tuple(agency.get("reasons") or ())})
            if agency
            else None,
            experts={
                k: ExpertFacts(**{**v, "fields": tuple(v.get("fields") or ())})
                for k, v in (data.get("experts") or {}).items()
            },
        )


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """The result of one checklist item. `evidence` is Chinese text a reviewer can check;
    `details` holds the same facts as JSON-serialisable data (field, value, threshold).
    Manual items have result `pending` and the service's `suggestion`, if it has one."""

    code: str
    result: ItemResult
    evidence: str
    details: dict[str, Any] = field(default_factory=dict)
    suggestion: ItemResult | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "result": self.result.value,
            "evidence": self.evidence,
            "details": self.details,
            "suggestion": self.suggestion.value if self.suggestion is not None else None,
        }


__all__ = ["AgencyFacts", "ExpertFacts", "ItemOutcome", "ProjectFacts", "RegistryFacts"]
