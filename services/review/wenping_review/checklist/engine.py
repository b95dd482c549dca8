"""The checklist engine: evaluate a report against a checklist, derive the verdict and score.

Pure functions, no I/O: the caller supplies the project record and the registry facts
(`registry_needs`, read off the rule context, says what to fetch).

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
from wenping_shared.contracts.vocab import ItemMode, ItemResult, ReviewVerdict, Severity

from .config import RegionReviewConfig
from .definitions import POINTS_PER_CATEGORY, Checklist
from .facts import AgencyFacts, ExpertFacts, ItemOutcome, ProjectFacts, RegistryFacts
from .rules import RULES, RegistryNeeds, RuleContext, registry_needs
from .rules.evidence import REVIEWER_DECIDES


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
    context = RuleContext(report, config, submitted_on, project, registry)
    outcomes: list[ItemOutcome] = []
    for item in checklist.items:
        rule = RULES.get(item.code)
        if rule is None:
            # A checklist version with an item this engine has no rule for: a reviewer decides.
            evidence = REVIEWER_DECIDES if item.mode == ItemMode.manual else "本项暂无自动审查规则，请人工判定"
            outcomes.append(ItemOutcome(item.code, ItemResult.pending, evidence, {}, None))
            continue
        outcome = rule(context)
        if item.mode == ItemMode.manual:
            outcomes.append(
                ItemOutcome(item.code, ItemResult.pending, outcome.evidence, outcome.details, outcome.result)
            )
        else:
            result = outcome.result if outcome.result is not None else ItemResult.pending
            outcomes.append(ItemOutcome(item.code, result, outcome.evidence, outcome.details, None))
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


__all__ = [
    "AgencyFacts",
    "ExpertFacts",
    "ItemOutcome",
    "ProjectFacts",
    "RegistryFacts",
    "RegistryNeeds",
    "evaluate",
    "registry_needs",
    "results_by_code",
    "score",
    "verdict",
]
