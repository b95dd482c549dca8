"""Evaluating a report for a precheck or a review: fetch the registry facts, run the engine, and
turn the registry-dependent items into `pending` when the registry is down.

Registry down (documented choice): C02.2, C02.3 and C02.4 cannot be judged without it, so they
become `pending` with the evidence "注册服务暂不可用，待人工核实" instead of failing — a report
must not be returned because a peer was briefly unavailable. A reviewer judges them (an auto
item, so with a comment). A registry that answers 404 is an answer: the items fail with evidence
naming the id it does not know.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum
from typing import Any

from wenping_shared.contracts.report import Report
from wenping_shared.contracts.vocab import ItemResult, ProjectLevel, project_level_for_region

from .checklist import Checklist, ItemOutcome, ProjectFacts, RegionReviewConfig, evaluate, registry_needs
from .sources import RegistryAnswer, RegistrySource

REGISTRY_DOWN_EVIDENCE = "注册服务暂不可用，待人工核实"
CURRENT_CHECKLIST = "v1"
"""The checklist version new reviews and prechecks are evaluated with."""


def plain_details(value: Any) -> Any:
    """Evidence details as plain JSON values (Decimal thresholds, dates, enums, tuples), by one
    recursive walk (cheaper than a dumps/loads round trip on the precheck's hot path)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {str(k.value if isinstance(k, Enum) else k): plain_details(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain_details(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def project_level(project: ProjectFacts | None) -> ProjectLevel:
    """The level the agency's eligibility is asked for; without a project the least demanding
    one (C02.2 is not applicable then, only the agency's identity is needed for C02.4)."""
    if project is None:
        return ProjectLevel.county
    try:
        return project_level_for_region(project.region_code)
    except ValueError:
        return ProjectLevel.county


@dataclass(frozen=True, slots=True)
class RegistryLookup:
    """What the registry said about a report's agency and experts (asked before evaluating, so
    no database transaction waits on HTTP)."""

    answer: RegistryAnswer
    agency_id: str | None
    expert_ids: list[str]


async def lookup_registry(
    report: Report, project: ProjectFacts | None, submitted_on: dt.date, registry: RegistrySource
) -> RegistryLookup:
    agency_id, expert_ids = registry_needs(report, project)
    answer = await registry.facts(
        agency_id, expert_ids, project_level(project), submitted_on, project.region_code if project else None
    )
    return RegistryLookup(answer, agency_id, expert_ids)


def evaluate_report(
    report: Report,
    *,
    checklist: Checklist,
    config: RegionReviewConfig,
    submitted_on: dt.date,
    project: ProjectFacts | None,
    lookup: RegistryLookup,
) -> list[ItemOutcome]:
    """All items in checklist order; the registry-dependent ones `pending` if it was down."""
    outcomes = evaluate(
        report, checklist=checklist, config=config, submitted_on=submitted_on, project=project, registry=lookup.answer.facts
    )
    if not lookup.answer.unavailable:
        return outcomes
    depends = {
        "C02.2": lookup.agency_id is not None,
        "C02.3": bool(lookup.expert_ids),
        "C02.4": lookup.agency_id is not None or bool(lookup.expert_ids),
    }
    marked = []
    for o in outcomes:
        if depends.get(o.code) and o.result != ItemResult.not_applicable:
            o = replace(o, result=ItemResult.pending, evidence=REGISTRY_DOWN_EVIDENCE, details={"registry_unavailable": True})
        marked.append(o)
    return marked


async def evaluate_with_registry(
    report: Report,
    *,
    checklist: Checklist,
    config: RegionReviewConfig,
    submitted_on: dt.date,
    project: ProjectFacts | None,
    registry: RegistrySource,
) -> tuple[list[ItemOutcome], RegistryAnswer]:
    """(outcomes in checklist order, the registry's answer — `.unavailable` when it was down)."""
    lookup = await lookup_registry(report, project, submitted_on, registry)
    outcomes = evaluate_report(
        report, checklist=checklist, config=config, submitted_on=submitted_on, project=project, lookup=lookup
    )
    return outcomes, lookup.answer
