"""PDF documents in Chinese: an A4 fpdf2 document with an open CJK font embedded.

The font is a file on the server, named by a service setting (``DOCUMENT_FONT``); Debian's
fonts-noto-cjk is the default. fpdf2 embeds its CFF outlines as a subset, so a printed
letter looks the same on a machine without any Chinese font. A missing font is a 503 problem
(``DocumentFontMissing``), never a PDF of empty boxes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ._errors import DocumentFontMissing

if TYPE_CHECKING:  # fpdf (with fontTools and Pillow) is imported where a PDF is made: ~50 MB and ~1 s of start-up
    from fpdf import FPDF

__all__ = ["DEFAULT_DOCUMENT_FONT", "FONT_FAMILY", "DocumentFontMissing", "cjk_pdf", "kinsoku_lines"]

DEFAULT_DOCUMENT_FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
FONT_FAMILY = "cjk"

D = TypeVar("D", bound="FPDF")


@lru_cache(maxsize=8)
def _face_index(path: str) -> int:
    """In a font collection (.ttc), the Simplified Chinese face (Noto's JP face comes first and
    draws some characters with Japanese shapes)."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        name = str(font["name"].getDebugName(4) or "")
        if name.endswith((" SC", "SC")) or "简" in name:
            return index
    return 0


def cjk_pdf(font_path: str | Path, document: type[D]) -> D:
    """A new A4 ``document`` (millimetres) with the CJK font registered as ``FONT_FAMILY``.

    ``document`` is FPDF or a subclass with its own header/footer. Blocking (reads the font
    file): call in a worker thread.
    """
    path = Path(font_path)
    if not path.is_file():
        raise DocumentFontMissing()
    pdf = document(orientation="portrait", unit="mm", format="A4")
    try:
        pdf.add_font(FONT_FAMILY, "", str(path), collection_font_number=_face_index(str(path)))
    except Exception as exc:  # a file that is not a usable font is as good as none
        raise DocumentFontMissing() from exc
    pdf.set_font(FONT_FAMILY, size=12)
    return pdf


#: Punctuation a line may not begin with, and brackets a line may not end with (禁则, 避头尾;
#: GB/T 15834 and the usual Chinese typesetting rule). fpdf2 breaks anywhere.
NOT_AT_LINE_START = frozenset("，。、；：！？）》」』】〉〕”’…—·%,.;:!?)]}")
NOT_AT_LINE_END = frozenset("（《「『【〈〔“‘([{")


def kinsoku_lines(pdf: FPDF, text: str, width: float) -> str:
    """``text`` broken into lines no wider than ``width`` in the current font, joined by newlines,
    so that no line begins with closing punctuation nor ends with an opening bracket: the
    character before such a break goes down to the next line with it (a slightly shorter line
    rather than a stray "，" at the start of one). Existing newlines are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0  # the line's width so far, added up char by char (no kerning in CJK text)
        for char in paragraph:
            advance = pdf.get_string_width(char)
            if not line or used + advance <= width:
                line, used = line + char, used + advance
                continue
            carry = ""
            if char in NOT_AT_LINE_START:  # take down characters until the new line starts with a word
                while len(line) > 1 and (not carry or carry[0] in NOT_AT_LINE_START):
                    carry, line = line[-1] + carry, line[:-1]
            while len(line) > 1 and line[-1] in NOT_AT_LINE_END:  # never leave an opening bracket behind
                carry, line = line[-1] + carry, line[:-1]
            lines.append(line)
            line = carry + char
            used = pdf.get_string_width(line)
        lines.append(line)
    return "\n".join(lines)
