"""The official document layout (GB/T 9704-2012 《党政机关公文格式》, 信函格式) as a .docx: the
版头 (issuing office in red over a red double line), document number, title, addressee, body
headings, the signature with room for the seal, the 版记 and page numbers "— N —".

A document is a list of logical ``Block`` s (its writer decides the words; this module only lays
them out), so the review's feedback letter and intake's inspection circular (通报) print alike.
Fonts are only *named*; the reader's machine supplies them. Pure and blocking (python-docx):
async callers run ``render_docx`` in a thread or accept its few milliseconds. The layout itself
(``_official_docx``) is imported with the first document: python-docx and lxml are about 7 MB of
every service's resident memory and 20 ms of its start-up, and most processes never print one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

BlockKind = Literal["docnum", "title", "addressee", "body", "heading1", "heading2", "office", "date"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    space_before: bool = False  # one empty line before the block (空一行)


@dataclass(frozen=True)
class DocumentProperties:
    """The package's core properties, fixed from the document (not the clock): same input, same bytes."""

    author: str
    title: str
    subject: str
    category: str
    issued_on: date


def document_number_for(prefix: str, year: int, seq: int) -> str:
    """发文字号, e.g. ("嘉政法函", 2026, 12) -> "嘉政法函〔2026〕12号" (GB/T 9704 7.2.4)."""
    if not prefix.strip():
        raise ValueError("prefix is empty")
    if not 1000 <= year <= 9999:
        raise ValueError("year must have four digits")
    if seq < 1:
        raise ValueError("seq starts at 1")
    return f"{prefix.strip()}〔{year}〕{seq}号"


def format_cn_date(value: date) -> str:
    """成文日期 in Arabic numerals, no leading zeros: 2026年11月24日 (GB/T 9704 7.3.5.1)."""
    return f"{value.year}年{value.month}月{value.day}日"


_CN_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1..99 as Chinese numerals (一, 十, 十一, 二十一) for 一、 and （一） headings."""
    if not 1 <= n <= 99:
        raise ValueError(f"cannot number heading {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    head = "十" if tens == 1 else _CN_DIGITS[tens] + "十"
    return head + (_CN_DIGITS[ones] if ones else "")


def sentence(text: str) -> str:
    """Ensure a sentence ends with Chinese end punctuation (checklist texts have none)."""
    text = text.strip()
    if text and text[-1] not in "。！？；…":
        text = text.rstrip("，,.;；:：") + "。"
    return text


def display_width(text: str) -> float:
    """Width in full-width characters; half-width digits and Latin letters count 1/2."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def signature_indents(office: str, issued: str) -> tuple[float, float]:
    """Right indents (in characters) of the office and the date lines, for a sealed letter.

    GB/T 9704 7.3.5.1 (加盖印章): the date is 右空四字 and the office is centred above the
    date, so that the seal, pressed down on both, has them a little below its centre.
    """
    w_office, w_date = display_width(office), display_width(issued)
    date_right = 4.0
    office_right = max(0.0, date_right + (w_date - w_office) / 2)
    return office_right, date_right


def render_docx(
    masthead: str, blocks: Sequence[Block], imprint: Sequence[tuple[str, str]], properties: DocumentProperties
) -> bytes:
    """The document as a .docx (GB/T 9704-2012 信函格式), deterministic for given arguments.

    ``masthead`` is the issuing office of the 版头; ``imprint`` the 版记 rows (left, right);
    an "office" block and the "date" block after it make the signature the seal presses on."""
    from ._official_docx import render_docx as render

    return render(masthead, blocks, imprint, properties)
