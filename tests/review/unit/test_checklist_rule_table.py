"""The rule table is derived from the @rule registrations, and it matches checklist v1 item for
item: no item without a rule, no rule for an item the checklist does not have, no code twice."""

from __future__ import annotations

import pytest

from wenping_review.checklist import DEFAULT_CONFIG, ChecklistItem, load_checklist
from wenping_review.checklist.rules import RULES, RuleContext, RuleOutcome, rule
from wenping_review.checklist.rules.evidence import REVIEWER_DECIDES
from wenping_shared.contracts import samples
from wenping_shared.contracts.report import Report

CHECKLIST = load_checklist("v1")


def test_every_item_of_checklist_v1_has_exactly_one_rule() -> None:
    codes = [i.code for i in CHECKLIST.items]
    assert len(codes) == 45
    assert sorted(RULES) == sorted(codes)


def test_a_second_rule_for_a_code_is_refused_at_registration() -> None:
    before = RULES["C01.1"]

    def another(context: RuleContext) -> RuleOutcome:
        raise AssertionError("never called")

    with pytest.raises(ValueError, match=r"C01\.1"):
        rule("C01.1")(another)
    assert RULES["C01.1"] is before


@pytest.mark.parametrize("item", CHECKLIST.items, ids=lambda i: str(i.code))
def test_each_rule_lives_in_its_categorys_module(item: ChecklistItem) -> None:
    category = CHECKLIST.category_of[item.code].code.lower()
    assert RULES[item.code].__module__.rsplit(".", 1)[-1].startswith(category + "_")


def test_items_the_checklist_leaves_to_the_reviewer_get_no_suggestion() -> None:
    report = Report.model_validate(samples.complete_report())
    context = RuleContext(report, DEFAULT_CONFIG, samples.SUBMITTED_ON, None, None)
    without_rule = [i for i in CHECKLIST.items if not i.has_rule]
    assert [i.code for i in without_rule] == ["C07.5"]
    for item in without_rule:
        assert RULES[item.code](context) == RuleOutcome(None, REVIEWER_DECIDES, {})
