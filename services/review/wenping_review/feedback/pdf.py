"""The feedback letter as a PDF, for offices that cannot open .docx: the same blocks as the
text and the Word letter (letter.py), laid out on the GB/T 9704 page with the CJK font embedded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode

from wenping_shared import printable
from wenping_shared.pdf import FONT_FAMILY, cjk_pdf, kinsoku_lines

from .letter import (
    FeedbackLetter,
    display_width,
    format_cn_date,
    imprint_lines,
    letter_blocks,
    letter_title,
    signature_indents,
)

PT = 25.4 / 72  # millimetres per point
LEFT, RIGHT, TOP, BOTTOM = 28.0, 26.0, 37.0, 35.0
TEXT_WIDTH = 210.0 - LEFT - RIGHT  # 156 mm
LINE = 28.95 * PT  # 22 lines in the 225 mm text block
BODY, TITLE, IMPRINT, PAGE_NUMBER = 16.0, 22.0, 14.0, 14.0
RED = (230, 0, 18)


class _LetterPdf(FPDF):
    def footer(self) -> None:
        # "— N —" 四号, odd pages right 空一字, even pages left 空一字 (GB/T 9704 7.5).
        self.set_y(-(BOTTOM - 7))
        self.set_font(FONT_FAMILY, size=PAGE_NUMBER)
        self.set_text_color(0, 0, 0)
        odd = self.page_no() % 2 == 1
        self.set_x(LEFT + (0 if odd else PAGE_NUMBER * PT))
        self.cell(TEXT_WIDTH - PAGE_NUMBER * PT, 7, f"— {self.page_no()} —", align="R" if odd else "L")


def _paragraph(
    pdf: FPDF, text: str, *, size: float = BODY, align: str = "L", indent: bool = False, right_chars: float = 0
) -> None:
    pdf.set_font(FONT_FAMILY, size=size)
    width = TEXT_WIDTH - right_chars * size * PT
    pdf.set_x(LEFT)
    text = ("\u3000\u3000" if indent else "") + printable(text)
    pdf.multi_cell(
        width,
        LINE,
        kinsoku_lines(pdf, text, width - 2 * pdf.c_margin),
        align=align,
        wrapmode=WrapMode.CHAR,
        new_x="LMARGIN",
        new_y="NEXT",
    )


def render_pdf(letter: FeedbackLetter, font_path: str | Path) -> bytes:
    """Blocking (font loading, layout): call in a worker thread."""
    pdf = cjk_pdf(font_path, _LetterPdf)
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=BOTTOM)
    pdf.set_title(letter_title(letter))
    pdf.set_author(letter.issuing_office)
    pdf.set_subject(letter.document_number)
    pdf.set_creation_date(
        dt.datetime(letter.issued_on.year, letter.issued_on.month, letter.issued_on.day, tzinfo=dt.UTC)
    )
    pdf.add_page()

    # 版头: the office in red 小标宋 as large as fits, a red double line (上粗下细) under it.
    size = min(30.0, TEXT_WIDTH / PT / max(display_width(letter.issuing_office), 1))
    pdf.set_text_color(*RED)
    _paragraph(pdf, letter.issuing_office, size=size, align="C")
    pdf.set_text_color(0, 0, 0)
    y = pdf.get_y() + 1
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.9)
    pdf.line(LEFT, y, LEFT + TEXT_WIDTH, y)
    pdf.set_line_width(0.3)
    pdf.line(LEFT, y + 1.3, LEFT + TEXT_WIDTH, y + 1.3)
    pdf.set_y(y + 2)

    office_right, date_right = signature_indents(letter.issuing_office, format_cn_date(letter.issued_on))
    for block in letter_blocks(letter):
        if block.space_before:
            pdf.ln(LINE)
        match block.kind:
            case "docnum":
                _paragraph(pdf, block.text, align="R")
            case "title":
                pdf.set_font(FONT_FAMILY, size=TITLE)
                pdf.multi_cell(TEXT_WIDTH, 35 * PT, printable(block.text), align="C", wrapmode=WrapMode.CHAR,
                               new_x="LMARGIN", new_y="NEXT")  # fmt: skip
            case "addressee":
                _paragraph(pdf, block.text)
            case "heading1" | "heading2" | "body":
                _paragraph(pdf, block.text, indent=True)
            case "office":
                # Room for the seal, pressed down on the office and the date (GB/T 9704 7.3.5.1);
                # kept on one page with the signature.
                if pdf.get_y() + 4 * LINE > pdf.h - BOTTOM:
                    pdf.add_page()
                pdf.ln(LINE)
                _paragraph(pdf, block.text, align="R", right_chars=office_right)
            case "date":
                _paragraph(pdf, block.text, align="R", right_chars=date_right)

    # 版记: thick rules above and below, a thin one between 抄送 and 印发.
    rows = imprint_lines(letter)
    pdf.ln(LINE)
    if pdf.get_y() + len(rows) * LINE > pdf.h - BOTTOM:
        pdf.add_page()
    pdf.set_draw_color(0, 0, 0)
    pdf.set_font(FONT_FAMILY, size=IMPRINT)
    char = IMPRINT * PT
    for index, (left, right) in enumerate(rows):
        pdf.set_line_width(0.35 if index == 0 else 0.25)
        pdf.line(LEFT, pdf.get_y(), LEFT + TEXT_WIDTH, pdf.get_y())
        y = pdf.get_y()
        pdf.set_xy(LEFT + char, y)
        pdf.cell(TEXT_WIDTH - 2 * char, LINE, printable(left), align="L")
        if right:
            pdf.set_xy(LEFT + char, y)
            pdf.cell(TEXT_WIDTH - 2 * char, LINE, right, align="R")
        pdf.set_xy(LEFT, y + LINE)
    pdf.set_line_width(0.35)
    pdf.line(LEFT, pdf.get_y(), LEFT + TEXT_WIDTH, pdf.get_y())
    return bytes(pdf.output())
