"""What a rule returns, and the one table of rules by item code.

A rule is a function of the `RuleContext` registered under its checklist code with `@rule`;
registering a code twice is an error at import time, so the table cannot hold two rules for
one item. For an auto item the outcome's result is the item's result; for a manual item it is
the service's suggestion to the reviewer (None: nothing to suggest).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from wenping_shared.contracts.vocab import ItemResult

from .context import RuleContext
from .evidence import joined


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """`evidence` is Chinese text a reviewer can check; `details` the same facts as JSON data."""

    result: ItemResult | None
    evidence: str
    details: dict[str, Any] = field(default_factory=dict)


def passed(evidence: str, details: dict[str, Any]) -> RuleOutcome:
    return RuleOutcome(ItemResult.pass_, evidence, details)


def failed(evidence: str, details: dict[str, Any]) -> RuleOutcome:
    return RuleOutcome(ItemResult.fail, evidence, details)


def not_applicable(evidence: str, details: dict[str, Any]) -> RuleOutcome:
    return RuleOutcome(ItemResult.not_applicable, evidence, details)


def failed_on(problems: list[str], details: dict[str, Any]) -> RuleOutcome | None:
    """Failed with every problem found, or None when there is none, so a rule can end with
    `return failed_on(problems, details) or passed(...)`: the passing evidence is only written
    when it is true."""
    return failed(joined(problems), details) if problems else None


def no_suggestion(evidence: str, details: dict[str, Any]) -> RuleOutcome:
    """A manual item's rule that cannot judge this report: the reviewer decides unaided."""
    return RuleOutcome(None, evidence, details)


Rule = Callable[[RuleContext], RuleOutcome]

_RULES: dict[str, Rule] = {}
RULES: Mapping[str, Rule] = MappingProxyType(_RULES)
"""Item code -> its rule, filled by `@rule` as the category modules are imported."""


def rule(code: str) -> Callable[[Rule], Rule]:
    """Register the decorated function as the rule of checklist item `code`."""

    def register(fn: Rule) -> Rule:
        if code in _RULES:
            raise ValueError(f"checklist item {code} already has a rule ({_RULES[code].__name__})")
        _RULES[code] = fn
        return fn

    return register


__all__ = ["RULES", "Rule", "RuleOutcome", "failed", "failed_on", "no_suggestion", "not_applicable", "passed", "rule"]
