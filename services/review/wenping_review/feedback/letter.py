"""The written feedback letter (书面反馈意见) of a review, as a pure renderer.

No database and no HTTP: the review service builds a `FeedbackLetter` and asks for plain
text (`render_text`) or a Word document (`render_docx`). Both renderers share one list of
logical blocks (`letter_blocks`), so the two forms always say the same thing.

The .docx follows GB/T 9704-2012 《党政机关公文格式》 as far as a letter needs it; the layout itself is
the platform's one official-document builder (``wenping_shared.official_document``).
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wenping_shared import official_document
from wenping_shared.contracts.vocab import ReviewVerdict, label
from wenping_shared.official_document import (
    Block,
    DocumentProperties,
    cn_numeral,
    display_width,
    document_number_for,
    format_cn_date,
    sentence,
    signature_indents,
)

STANDARD_TITLE = "《重大决策社会稳定风险评估报告及报备表审查标准》"

# GB/T 9704 7.2.4: brackets are 〔〕 and the sequence number has no leading zeros (不编虚位).
_DOC_NUMBER_RE = re.compile(r"^\S+〔\d{4}〕[1-9]\d*号$")


class FeedbackItem(BaseModel):
    """One failed checklist item as it appears in the letter."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, examples=["C05.2"])
    title: str = Field(min_length=1, examples=["依规公开公示"])
    comment: str | None = Field(default=None, description="the reviewer's comment")
    evidence: str | None = Field(default=None, description="the automatic finding")
    requirement: str = Field(min_length=1, description="the rectification sentence (checklist `require`)")


class FeedbackCategory(BaseModel):
    """A checklist category holding at least one failed item."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, examples=["C05"])
    title: str = Field(min_length=1, examples=["评估程序"])
    items: list[FeedbackItem] = Field(min_length=1)


class FeedbackLetter(BaseModel):
    """The formal feedback letter sent to the decision body."""

    model_config = ConfigDict(extra="forbid")

    document_number: str = Field(examples=["嘉政法函〔2026〕12号"])
    report_title: str = Field(min_length=1)
    addressee: str = Field(min_length=1, description="the decision body")
    verdict: ReviewVerdict
    score: float = Field(ge=0, le=100)
    round: int = Field(ge=1, description="review round (第N轮)")
    sections: list[FeedbackCategory] = Field(default_factory=list)
    rectification_deadline: date | None = None
    issuing_office: str = Field(min_length=1, examples=["嘉兴市委政法委"])
    issued_on: date
    contact: str | None = Field(default=None, examples=["张明，0573-82012345"])
    copies_to: list[str] = Field(default_factory=list, description="抄送机关 of the 版记", examples=[["某评估机构"]])
    printed_by: str | None = Field(default=None, description="印发机关 of the 版记; the issuing office when absent")

    @field_validator("document_number")
    @classmethod
    def _check_document_number(cls, value: str) -> str:
        if not _DOC_NUMBER_RE.match(value):
            raise ValueError("document_number must look like 嘉政法函〔2026〕12号")
        return value

    @field_validator("report_title")
    @classmethod
    def _strip_book_marks(cls, value: str) -> str:
        # The renderer adds 《》 itself; a title that already has them would print 《《…》》.
        stripped = value.strip()
        if stripped.startswith("《") and stripped.endswith("》"):
            stripped = stripped[1:-1]
        if not stripped:
            raise ValueError("report_title is empty")
        return stripped

    @model_validator(mode="after")
    def _check_consistency(self) -> FeedbackLetter:
        # An approved review has no failed items, a returned one has at least one: a letter
        # that contradicts its own verdict is a bug in the caller, refuse it early.
        if self.verdict == "approved":
            if self.sections:
                raise ValueError("an approved letter lists no failed items")
            if self.rectification_deadline is not None:
                raise ValueError("an approved letter has no rectification deadline")
        elif not self.sections:
            raise ValueError("a returned letter lists at least one failed item")
        if self.rectification_deadline is not None and self.rectification_deadline < self.issued_on:
            raise ValueError("rectification_deadline is before issued_on")
        return self


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def letter_title(letter: FeedbackLetter) -> str:
    return f"关于《{letter.report_title}》的审查反馈意见"


def _format_score(score: float) -> str:
    # 80.0 -> "80", 82.5 -> "82.5", 82.456 -> "82.46": a letter shows no float noise.
    return f"{score:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------
# Logical content shared by both renderers
# ---------------------------------------------------------------------------------------


def _item_blocks(item: FeedbackItem) -> list[Block]:
    blocks: list[Block] = []
    comment = item.comment.strip() if item.comment else ""
    evidence = item.evidence.strip() if item.evidence else ""
    if comment:
        blocks.append(Block("body", "审查意见：" + sentence(comment)))
        if evidence and evidence != comment:
            blocks.append(Block("body", "核查情况：" + sentence(evidence)))
    elif evidence:
        # No reviewer comment (an auto item): the automatic finding is the reason.
        blocks.append(Block("body", "审查意见：" + sentence(evidence)))
    else:
        blocks.append(Block("body", "审查意见：该项未达到审查标准要求。"))
    blocks.append(Block("body", "整改要求：" + sentence(item.requirement)))
    return blocks


def _verdictsentence(letter: FeedbackLetter) -> str:
    deadline = letter.rectification_deadline
    if letter.verdict == "returned_for_revision":
        if deadline is None:
            return "请修改完善后重新报送。"
        return f"请于{format_cn_date(deadline)}前修改完善后重新报送。"
    if deadline is None:
        return "请重新组织开展社会稳定风险评估后重新报送。"
    return f"请重新组织开展社会稳定风险评估，并于{format_cn_date(deadline)}前重新报送。"


def letter_blocks(letter: FeedbackLetter) -> list[Block]:
    score = _format_score(letter.score)
    blocks = [
        Block("docnum", letter.document_number),
        Block("title", letter_title(letter), space_before=True),
        Block("addressee", f"{letter.addressee}：", space_before=True),
        Block(
            "body",
            f"你单位报送的《{letter.report_title}》（第{letter.round}轮）已收悉。"
            f"经对照{STANDARD_TITLE}审查，现将审查意见反馈如下：",
        ),
    ]
    if letter.verdict == "approved":
        blocks.append(
            Block(
                "body",
                f"该报告审查得分{score}分，符合审查标准要求，审查通过，予以备案。"
                "请严格按照评估结论和风险防范化解措施组织实施，切实做好社会稳定风险防控工作。",
            )
        )
    else:
        for i, section in enumerate(letter.sections, start=1):
            blocks.append(Block("heading1", f"{cn_numeral(i)}、{section.title}"))
            for j, item in enumerate(section.items, start=1):
                blocks.append(Block("heading2", f"（{cn_numeral(j)}）{item.title}（{item.code}）"))
                blocks.extend(_item_blocks(item))
        n_items = sum(len(s.items) for s in letter.sections)
        blocks.append(
            Block(
                "body",
                f"综上，该报告共有{n_items}项不符合审查标准要求，审查得分{score}分，"
                f"审查结论为{label(letter.verdict)}。{_verdictsentence(letter)}",
            )
        )
    if letter.contact:
        blocks.append(Block("body", f"联系人及电话：{letter.contact.strip()}"))
    blocks.append(Block("office", letter.issuing_office, space_before=True))
    blocks.append(Block("date", format_cn_date(letter.issued_on)))
    return blocks


# ---------------------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------------------

_INDENT = "\u3000\u3000"  # two full-width spaces: the 首行缩进2字 of a printed letter


def render_text(letter: FeedbackLetter) -> str:
    """The letter as plain text (UTF-8, '\\n' line ends, trailing newline)."""
    lines: list[str] = []
    for block in letter_blocks(letter):
        if block.space_before:
            lines.append("")
        if block.kind in ("body", "heading1", "heading2"):
            lines.append(_INDENT + block.text)
        else:
            lines.append(block.text)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# Word (.docx), GB/T 9704-2012
# ---------------------------------------------------------------------------------------


def imprint_lines(letter: FeedbackLetter) -> list[tuple[str, str]]:
    """版记 rows (GB/T 9704 7.4): 抄送 and 印发机关/印发日期, left and right parts."""
    rows: list[tuple[str, str]] = []
    if letter.copies_to:
        rows.append(("抄送：" + "，".join(c.strip() for c in letter.copies_to) + "。", ""))
    printer = (letter.printed_by or letter.issuing_office).strip()
    rows.append((printer, f"{format_cn_date(letter.issued_on)}印发"))
    return rows


def render_docx(letter: FeedbackLetter) -> bytes:
    """The letter as a .docx (GB/T 9704-2012 layout), deterministic for a given letter."""
    properties = DocumentProperties(
        author=letter.issuing_office,
        title=letter_title(letter),
        subject=letter.document_number,
        category="审查反馈意见",
        issued_on=letter.issued_on,
    )
    return official_document.render_docx(
        letter.issuing_office, letter_blocks(letter), imprint_lines(letter), properties
    )


__all__ = [
    "Block",
    "display_width",
    "document_number_for",
    "format_cn_date",
    "signature_indents",
]
