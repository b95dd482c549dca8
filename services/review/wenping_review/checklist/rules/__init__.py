"""The rules of checklist v1, one module per category (c01_filing_form … c10_conclusion), each
rule registered under its item code with `@rule` and returning a `RuleOutcome`.

Reading the rules (checklist-v1.yaml, binding): one defect fails one item, so an item that
depends on a value another item requires (e.g. a conclusion level, C10.1) is not_applicable when
that value is missing, with evidence naming the item that catches it. Consistency items compare
STATED values; computation items (C08.2-C08.4) compare stated levels with computed ones. Day
counts are inclusive of both ends.

Facts about the project's nature (category, sub-kind, interests, participants) come from the
report's overview (the filing form's category when the overview has none), so a precheck
without a project judges them exactly as a review with one. Only C01.2, C02.1 and C02.2 use the
project record.

To add a rule: write it in its category's module under `@rule("Cnn.m")`; the test that every
checklist item has exactly one rule (tests/review/unit/test_checklist_rule_table.py) keeps the
table and the checklist in step.
"""

from . import (  # noqa: F401  (imported for their @rule registrations)
    c01_filing_form,
    c02_assessor,
    c03_overview,
    c04_basis,
    c05_procedure,
    c06_consultation,
    c07_risk_identification,
    c08_estimation,
    c09_measures,
    c10_conclusion,
)
from .context import RegistryNeeds, ReportReading, RuleContext, registry_needs
from .outcome import RULES, Rule, RuleOutcome, rule

__all__ = ["RULES", "RegistryNeeds", "ReportReading", "Rule", "RuleContext", "RuleOutcome", "registry_needs", "rule"]
