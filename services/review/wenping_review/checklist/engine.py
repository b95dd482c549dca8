"""The checklist engine: evaluate a report against a checklist, derive the verdict and score.

Pure functions, no I/O: the caller supplies the project record and the registry facts
(see `registry_needs` for what to fetch).

Registry choices (documented for callers):
- C02.2: an agency not in the registry facts (or a different id) fails ("机构库中未找到…").
- C02.3: an expert id not in the registry facts does not count as a registry expert; the item
  fails only when fewer than the minimum remain, and the evidence names the ids not found.
- C02.4: an expert id (or the agency) not in the registry facts fails the item, because its
  independence cannot be verified ("专家库中未找到专家…，无法核实其回避情况").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from wenping_shared.contracts.report import Report
from wenping_shared.contracts.vocab import (
    AssessorKind,
    ItemMode,
    ItemResult,
    ReviewVerdict,
    Severity,
)

from .config import RegionReviewConfig
from .definitions import POINTS_PER_CATEGORY, Checklist
from .facts import AgencyFacts, ExpertFacts, ItemOutcome, ProjectFacts, RegistryFacts
from .rules import RULES, Ctx

_RESULTS = {r.value: r for r in ItemResult}
NO_RULE_EVIDENCE = "本项无自动规则，由审查人员人工判定"


def evaluate(
    report: Report,
    *,
    checklist: Checklist,
    config: RegionReviewConfig,
    submitted_on: dt.date,
    project: ProjectFacts | None,
    registry: RegistryFacts | None,
) -> list[ItemOutcome]:
    """All items of the checklist, in checklist order. Auto items get their result; manual
    items are `pending` with the service's suggestion (None when it has none)."""
    ctx = Ctx(report, config, submitted_on, project, registry)
    outcomes: list[ItemOutcome] = []
    for item in checklist.items:
        rule = RULES.get(item.code)
        if item.mode == ItemMode.manual:
            if rule is None or not item.has_rule:
                outcomes.append(ItemOutcome(item.code, ItemResult.pending, NO_RULE_EVIDENCE, {}, None))
                continue
            suggestion, evidence, details = rule(ctx)
            outcomes.append(
                ItemOutcome(
                    item.code,
                    ItemResult.pending,
                    evidence,
                    details,
                    _RESULTS[suggestion] if suggestion is not None else None,
                )
            )
            continue
        if rule is None:
            # A checklist version with an auto item this engine does not know: a reviewer decides.
            outcomes.append(
                ItemOutcome(item.code, ItemResult.pending, "本项暂无自动审查规则，请人工判定", {}, None)
            )
            continue
        result, evidence, details = rule(ctx)
        outcomes.append(ItemOutcome(item.code, _RESULTS[result or "pending"], evidence, details, None))
    return outcomes


def results_by_code(outcomes: Iterable[ItemOutcome]) -> dict[str, ItemResult]:
    return {o.code: o.result for o in outcomes}


def verdict(outcomes_by_code: Mapping[str, ItemResult | str], checklist: Checklist) -> ReviewVerdict | None:
    """None while any item is pending (or missing); otherwise by the worst failed severity."""
    critical_failed = general_failed = False
    for item in checklist.items:
        result = outcomes_by_code.get(item.code)
        if result is None or result == ItemResult.pending:
            return None
        if result == ItemResult.fail:
            if item.severity == Severity.critical:
                critical_failed = True
            else:
                general_failed = True
    if critical_failed:
        return ReviewVerdict.returned_for_reassessment
    if general_failed:
        return ReviewVerdict.returned_for_revision
    return ReviewVerdict.approved


def score(outcomes_by_code: Mapping[str, ItemResult | str], checklist: Checklist) -> float:
    """10 points per category shared evenly by its items; pass and not_applicable earn their
    share, fail, pending and missing items do not. Rounded to 2 decimals (0-100)."""
    total = 0.0
    for cat in checklist.categories:
        passed = sum(
            1
            for item in cat.items
            if outcomes_by_code.get(item.code) in (ItemResult.pass_, ItemResult.not_applicable)
        )
        total += POINTS_PER_CATEGORY * passed / len(cat.items)
    return round(total, 2)


def registry_needs(report: Report, project: ProjectFacts | None = None) -> tuple[str | None, list[str]]:
    """(agency id, expert ids) the caller must fetch from the registry before `evaluate`.
    The agency is the report's; the project's commissioned agency when the report names none."""
    a = report.assessor
    if a is not None and a.kind is not None:
        is_agency = a.kind == AssessorKind.agency
    else:
        is_agency = project is not None and project.assessor_kind == AssessorKind.agency
    agency_id = None
    if is_agency:
        agency_id = (a.agency_id if a is not None else None) or (project.agency_id if project else None)
    experts: dict[str, None] = {}
    for m in report.assessment_team:
        if m.expert_id:
            experts.setdefault(m.expert_id, None)
    return agency_id, list(experts)


__all__ = [
    "AgencyFacts",
    "ExpertFacts",
    "ItemOutcome",
    "ProjectFacts",
    "RegistryFacts",
    "evaluate",
    "registry_needs",
    "results_by_code",
    "score",
    "verdict",
]
