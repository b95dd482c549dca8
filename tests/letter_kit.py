"""A feedback letter for the tests of the letter and of what it prints: returned for
reassessment with failures in two categories (C05 and C06), changed where a test needs."""

from __future__ import annotations

from datetime import date

from wenping_review.feedback import FeedbackCategory, FeedbackItem, FeedbackLetter, document_number_for

REPORT = "嘉兴市南湖区老旧小区改造项目社会稳定风险评估报告"
ADDRESSEE = "嘉兴市住房和城乡建设局"
OFFICE = "嘉兴市委政法委"

NOTICE_COMMENT = "公示期自9月1日至9月5日，仅5日，不足7日"
NOTICE_REQUIRE = "按规定对评估事项进行公示，公示期不少于7日后重新评估"
PLAN_EVIDENCE = "评估方案未明确评估时限"
PLAN_REQUIRE = "制定评估方案，明确评估内容、方法、程序和时限"
STAKEHOLDER_COMMENT = "未听取拆迁户代表意见"
STAKEHOLDER_REQUIRE = "补充征求涉利益群体意见并如实记录"


def returned_letter(**overrides: object) -> FeedbackLetter:
    """A returned letter with failures in two categories (C05 and C06)."""
    fields: dict[str, object] = {
        "document_number": document_number_for("嘉政法函", 2026, 12),
        "report_title": REPORT,
        "addressee": ADDRESSEE,
        "verdict": "returned_for_reassessment",
        "score": 71.25,
        "round": 2,
        "sections": [
            FeedbackCategory(
                code="C05",
                title="评估程序",
                items=[
                    FeedbackItem(
                        code="C05.1",
                        title="制定评估方案",
                        evidence=PLAN_EVIDENCE,
                        requirement=PLAN_REQUIRE,
                    ),
                    FeedbackItem(
                        code="C05.2",
                        title="依规公开公示",
                        comment=NOTICE_COMMENT,
                        evidence="public notice ran 5 days",
                        requirement=NOTICE_REQUIRE,
                    ),
                ],
            ),
            FeedbackCategory(
                code="C06",
                title="意见征求（五必听）",
                items=[
                    FeedbackItem(
                        code="C06.1",
                        title="涉利益群体意见必听",
                        comment=STAKEHOLDER_COMMENT,
                        requirement=STAKEHOLDER_REQUIRE,
                    )
                ],
            ),
        ],
        "rectification_deadline": date(2026, 12, 24),
        "issuing_office": OFFICE,
        "issued_on": date(2026, 11, 24),
        "contact": "张明，0573-82012345",
    }
    fields.update(overrides)
    return FeedbackLetter.model_validate(fields)
