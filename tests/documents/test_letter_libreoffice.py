"""The feedback letter as LibreOffice prints it: 28 characters a line, no extra page."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from letter_kit import returned_letter

from wenping_review.feedback import FeedbackCategory, FeedbackItem, FeedbackLetter, render_docx

from .conftest import pdf_pages, pdf_text

OFFICE = "中共嘉兴市委政法委员会"
LONG_COMMENT = (
    "评估报告未载明公示的起止日期和公示范围，公示期间收到的意见及其处理情况也未作说明，无法核实公示期是否满足规定要求"
)


def _letter() -> FeedbackLetter:
    item = FeedbackItem(
        code="C05.2",
        title="依规公开公示",
        comment=LONG_COMMENT,
        requirement="补充公示的起止日期、范围及公示期间收到的意见和处理情况",
    )
    sample = FeedbackItem(
        code="C06.6",
        title="意见征求范围",
        evidence="涉利益群体样本 100 人，少于 260 人（涉及 5200 人，按 5% 抽样应不少于 260 人）",
        requirement="扩大涉利益群体样本，补充征求意见",
    )
    return returned_letter(
        verdict="returned_for_revision",
        score=72.5,
        round=1,
        sections=[
            FeedbackCategory(code="C05", title="评估程序", items=[item]),
            FeedbackCategory(code="C06", title="意见征求", items=[sample]),
        ],
        issuing_office=OFFICE,
        copies_to=["浙江某某评估咨询有限公司"],
        contact=None,
    )


def _width(line: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in line.strip())


def test_libreoffice_lays_the_letter_out_at_28_characters_a_line(docx_to_pdf: Callable[[bytes, str], Path]) -> None:
    pdf = docx_to_pdf(render_docx(_letter()), "letter")
    # Masthead, title, two failed items, conclusion, seal and 版记 fit on two pages (a
    # lines-and-characters grid made LibreOffice spill this letter onto a third).
    assert pdf_pages(pdf) == 2
    text = pdf_text(pdf)
    lines = [line for line in text.splitlines() if line.strip()]
    # The long comment wraps into full lines of the 156 mm text block: 28 三号 characters
    # with the 2-character indent, 26 to 28 on continuation lines (LibreOffice measured
    # about 14 with the old grid).
    comment_lines = [line for line in lines if any(part in line for part in ("审查意见", "公示期间收到", "无法核实"))]
    widths = [_width(line) for line in comment_lines]
    assert widths and max(widths) <= 28.5, widths
    full = [w for w in widths if w >= 25]
    assert len(full) >= 2, widths
    # Numbers stay whole ("5200", not "52" at a line's end and "00" at the next one's start).
    split = [(a, b) for a, b in pairwise(lines) if a.rstrip()[-1:].isdigit() and b.lstrip()[:1].isdigit()]
    assert not split, split
    # Nothing an office would find missing: 版头, signature, 版记.
    assert lines[0].strip() == OFFICE
    assert "嘉政法函〔2026〕12号" in text.replace(" ", "")
    compact = text.replace(" ", "")
    assert "抄送：浙江某某评估咨询有限公司。" in compact
    assert "2026年11月24日印发" in compact
    assert "min(" not in compact


def test_the_signature_and_the_imprint_end_the_last_page(docx_to_pdf: Callable[[bytes, str], Path]) -> None:
    pdf = docx_to_pdf(render_docx(_letter()), "letter-tail")
    last_page = pdf_text(pdf).split("\f")[pdf_pages(pdf) - 1].replace(" ", "")
    order = [last_page.index(part) for part in (OFFICE, "2026年11月24日", "抄送", "印发")]
    assert order == sorted(order)
