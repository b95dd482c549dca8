"""Under a failed item the letter quotes the engine's finding only where it found the failure."""

from __future__ import annotations

import datetime as dt

from wenping_review.reviews.letters import build_letter
from wenping_review.reviews.models import Review, ReviewItem

PASS_SOUNDING = "涉利益群体样本 300 人（涉及 5200 人，按 5% 抽样应不少于 260 人）；征求方式 3 种"


def _review() -> Review:
    return Review(
        id="r1",
        project_id="p1",
        opened_by="reviewer",
        submitted_on=dt.date(2026, 11, 1),
        region_code="330400",
        report_title="某项目社会稳定风险评估报告",
        responsible_org_name="嘉兴市住房和城乡建设局",
        checklist_version="v1",
        status="decided",
        verdict="returned_for_revision",
        score=80.0,
        round=1,
        document_number="嘉政法函〔2026〕3号",
        decided_at=dt.datetime(2026, 11, 24, 2, tzinfo=dt.UTC),
    )


def _item(
    code: str, *, auto_result: str | None, suggestion: str | None = None, evidence: str, comment: str
) -> ReviewItem:
    mode = "auto" if auto_result is not None else "manual"
    return ReviewItem(
        review_id="r1", code=code, position=0, category_code=code.split(".")[0], mode=mode, severity="major",
        auto_result=auto_result, suggestion=suggestion, result="fail", evidence=evidence, comment=comment,
    )  # fmt: skip


def _items_by_code(items: list[ReviewItem]) -> dict[str, tuple[str | None, str | None]]:
    letter = build_letter(_review(), items, "嘉兴市委政法委", copies_to=["某评估机构"])
    assert letter.copies_to == ["某评估机构"]
    return {i.code: (i.comment, i.evidence) for s in letter.sections for i in s.items}


def test_a_passing_finding_is_not_quoted_under_a_failed_item() -> None:
    by_code = _items_by_code(
        [_item("C06.6", auto_result="pass", evidence=PASS_SOUNDING, comment="样本中多为同一村民小组，代表性不足")]
    )
    assert by_code["C06.6"] == ("样本中多为同一村民小组，代表性不足", None)


def test_a_failing_finding_stands_beside_the_comment() -> None:
    failing = "涉利益群体样本 100 人，少于 260 人（涉及 5200 人，按 5% 抽样应不少于 260 人）"
    by_code = _items_by_code(
        [
            _item("C06.6", auto_result="fail", evidence=failing, comment="样本明显不足"),
            _item(
                "C05.2", auto_result=None, suggestion="fail", evidence="公示期 5 日，少于 7 日", comment="公示期不足"
            ),
        ]
    )
    assert by_code["C06.6"] == ("样本明显不足", failing)
    assert by_code["C05.2"] == ("公示期不足", "公示期 5 日，少于 7 日")
