"""The GB/T 9704 layout of ``official_document`` by python-docx, imported with the first document
(not at every start-up): the fonts, sizes and lines, the 版头, 版记, page numbers and footers."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.parfmt import ParagraphFormat
from docx.text.run import Run

from ._types import printable
from .official_document import Block, DocumentProperties, display_width, signature_indents

__all__ = ["render_docx"]

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING1 = "黑体"
FONT_HEADING2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"

SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_PAGE_NUMBER = Pt(14)  # 四号
SIZE_IMPRINT = Pt(14)  # 四号: the 版记 (GB/T 9704 7.4)
# The 发文机关标志 of a 信函格式 letter: red 小标宋, as large as fits the text block.
SIZE_MASTHEAD_MAX = Pt(30)
RED = RGBColor(0xE6, 0x00, 0x12)  # the usual 公文 red
TEXT_WIDTH_PT = 156 / 25.4 * 72

# 225 mm text block / 22 lines = 28.95 pt per line (the usual GB/T 9704 template value).
LINE_PITCH = Pt(28.95)
# A two-line title in 22 pt would be cramped on the 28.95 pt grid.
TITLE_LINE_PITCH = Pt(35)

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM = Mm(37), Mm(35)
MARGIN_LEFT, MARGIN_RIGHT = Mm(28), Mm(26)
# The page number sits about 7 mm below the text block: 35 mm - 7 mm - one 四号 line.
FOOTER_DISTANCE = Mm(22)

_BODY_CHAR_TWIPS = 16 * 20  # one 三号 character in twentieths of a point


def _set_fonts(rpr_owner: Run, face: str, size: Pt) -> None:
    """Name `face` for every script: python-docx's font.name sets only ascii/hAnsi."""
    rpr_owner.font.name = face
    rpr_owner.font.size = size
    rpr = rpr_owner._element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), face)


def _style_fonts(doc: DocxDocument) -> None:
    """Normal style and document defaults: 三号仿宋, fixed 28.95 pt, zh-CN."""
    # Theme font attributes outrank explicit names at the same level; drop them.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for rfonts in defaults.iter(qn("w:rFonts")):
            for attr in list(rfonts.attrib):
                rfonts.attrib.pop(attr)
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                rfonts.set(qn(attr), FONT_BODY)
        for lang in defaults.iter(qn("w:lang")):
            # Latin runs (numbers, codes) as English: with zh-CN there LibreOffice breaks
            # "5200" across two lines like Chinese characters.
            lang.set(qn("w:val"), "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    normal.font.name = FONT_BODY
    normal.font.size = SIZE_BODY
    normal_rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    normal_rfonts.set(qn("w:eastAsia"), FONT_BODY)
    normal_rfonts.set(qn("w:cs"), FONT_BODY)
    _exact_lines(normal.paragraph_format)


def _exact_lines(pf: ParagraphFormat, line_pitch: Pt = LINE_PITCH) -> None:
    """Lines exactly ``line_pitch`` apart (the type area's grid), no space before or after."""
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = line_pitch
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _set_page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(15)
    section.footer_distance = FOOTER_DISTANCE
    # Document grid: 22 lines a page, lines only. A lines-and-characters grid makes
    # LibreOffice and WPS snap every character to a cell of their own computing (about 14 a
    # line over an extra page); with a lines-only grid all three lay out 28 三号 characters
    # a line, since 156 mm holds 27.6 of them.
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))
    grid.attrib.pop(qn("w:charSpace"), None)


def _set_indent_chars(paragraph: Paragraph, *, first_line: int = 0, right: float = 0) -> None:
    """Indents in characters (firstLineChars / rightChars) with twips as fallback."""
    # get_or_add_ind keeps the schema order of pPr children (Word rejects ind after jc).
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    if first_line:
        ind.set(qn("w:firstLine"), str(first_line * _BODY_CHAR_TWIPS))
        ind.set(qn("w:firstLineChars"), str(first_line * 100))
    if right:
        ind.set(qn("w:right"), str(round(right * _BODY_CHAR_TWIPS)))
        ind.set(qn("w:rightChars"), str(round(right * 100)))


def _paragraph(
    doc: DocxDocument,
    text: str,
    *,
    face: str = FONT_BODY,
    size: Pt = SIZE_BODY,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent_chars: int = 0,
    line_pitch: Pt = LINE_PITCH,
    color: RGBColor | None = None,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    _exact_lines(paragraph.paragraph_format, line_pitch)
    if indent_chars:
        _set_indent_chars(paragraph, first_line=indent_chars)
    if line_pitch != LINE_PITCH:
        # Off the line grid: LibreOffice would round a taller line up to two grid lines.
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        p_pr = paragraph._p.get_or_add_pPr()
        successor = next(
            (p_pr.find(qn(f"w:{tag}")) for tag in ("spacing", "ind", "jc") if p_pr.find(qn(f"w:{tag}")) is not None),
            None,
        )
        if successor is not None:
            successor.addprevious(snap)
        else:
            p_pr.append(snap)
    if text:
        # A title stored before input refused control characters must not make the
        # document fail for good: XML cannot hold them.
        run = paragraph.add_run(printable(text))
        _set_fonts(run, face, size)
        if color is not None:
            run.font.color.rgb = color
    return paragraph


def _border(kind: str, val: str, size_eighths: int, color: str) -> BaseOxmlElement:
    edge = OxmlElement(f"w:{kind}")
    edge.set(qn("w:val"), val)
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), "0")
    edge.set(qn("w:color"), color)
    return edge


def _add_masthead(doc: DocxDocument, office: str) -> None:
    """版头 of the 信函格式 (GB/T 9704 10.1): the office's name in red, a red double line."""
    size = Pt(min(SIZE_MASTHEAD_MAX.pt, TEXT_WIDTH_PT / max(display_width(office), 1)))
    paragraph = _paragraph(
        doc,
        office,
        face=FONT_TITLE,
        size=size,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line_pitch=Pt(max(size.pt * 1.5, LINE_PITCH.pt)),
        color=RED,
    )
    # 上粗下细 red double line under the masthead, drawn as the paragraph's bottom border
    # so it spans the text block in every word processor.
    p_bdr = OxmlElement("w:pBdr")
    p_bdr.append(_border("bottom", "thickThinSmallGap", 24, "E60012"))
    p_pr = paragraph._p.get_or_add_pPr()
    # pBdr comes before snapToGrid/spacing/ind/jc in CT_PPr's sequence.
    anchor = p_pr.find(qn("w:snapToGrid"))
    if anchor is None:
        anchor = p_pr.find(qn("w:spacing"))
    if anchor is not None:
        anchor.addprevious(p_bdr)
    else:
        p_pr.append(p_bdr)


def _add_imprint(doc: DocxDocument, rows: Sequence[tuple[str, str]]) -> None:
    """The 版记 as a table after the signature: its rules are the table's borders.

    The first and last rules are thick (0.35 mm), the one between 抄送 and 印发 thin
    (0.25 mm). It follows the signature rather than floating to the page foot: LibreOffice
    7.4 does not float a table, and an inline one lays out the same in every program.
    """
    table = doc.add_table(rows=len(rows), cols=2)
    tbl_pr = table._tbl.tblPr
    # CT_TblPr is a sequence: tblStyle, tblpPr, ..., tblW, jc, ..., tblBorders, ..., tblLook.
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:w"), str(round(TEXT_WIDTH_PT * 20)))
    width.set(qn("w:type"), "dxa")
    borders = OxmlElement("w:tblBorders")
    borders.append(_border("top", "single", 8, "000000"))
    borders.append(_border("left", "nil", 0, "auto"))
    borders.append(_border("bottom", "single", 8, "000000"))
    borders.append(_border("right", "nil", 0, "auto"))
    borders.append(_border("insideH", "single", 4, "000000"))
    borders.append(_border("insideV", "nil", 0, "auto"))
    later = [tbl_pr.find(qn(f"w:{tag}")) for tag in ("shd", "tblLayout", "tblCellMar", "tblLook")]
    following = next((el for el in later if el is not None), None)
    if following is not None:
        following.addprevious(borders)
    else:
        tbl_pr.append(borders)
    for row, (left, right) in zip(table.rows, rows, strict=True):
        cells = [row.cells[0].merge(row.cells[1])] if not right else list(row.cells)
        aligns = (WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT)
        # A row without a right part is one merged cell: zip stops at it.
        for cell, text, align in zip(cells, (left, right), aligns, strict=False):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = align
            pf = paragraph.paragraph_format
            _exact_lines(pf)
            # 左右各空一字 (the cell's own margin is small beside a 四号 character).
            pf.left_indent = SIZE_IMPRINT if align == WD_ALIGN_PARAGRAPH.LEFT else None
            pf.right_indent = SIZE_IMPRINT if align == WD_ALIGN_PARAGRAPH.RIGHT else None
            _set_fonts(paragraph.add_run(printable(text)), FONT_BODY, SIZE_IMPRINT)


def _add_page_number(paragraph: Paragraph) -> None:
    """The page number "— N —" with a PAGE field (fldChar runs), 四号宋体."""

    def text_run(text: str) -> None:
        _set_fonts(paragraph.add_run(text), FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER)

    def field_char(kind: str) -> None:
        run = paragraph.add_run()
        _set_fonts(run, FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER)
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run._r.append(fld)

    text_run("— ")
    field_char("begin")
    instr_run = paragraph.add_run()
    _set_fonts(instr_run, FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_run._r.append(instr)
    field_char("separate")
    text_run("1")  # cached result; Word recomputes it
    field_char("end")
    text_run(" —")


def _set_footers(doc: DocxDocument) -> None:
    """Page numbers: odd pages right 空一字, even pages left 空一字 (GB/T 9704 7.5)."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = align
        # 空一字 of the 四号 page number
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = SIZE_PAGE_NUMBER
        else:
            paragraph.paragraph_format.left_indent = SIZE_PAGE_NUMBER
        _add_page_number(paragraph)


def _set_core_properties(doc: DocxDocument, properties: DocumentProperties) -> None:
    issued = properties.issued_on
    stamp = datetime(issued.year, issued.month, issued.day, tzinfo=UTC)
    props = doc.core_properties
    props.author = properties.author
    props.last_modified_by = properties.author
    props.title = printable(properties.title)
    props.subject = properties.subject
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.comments = ""
    props.keywords = ""
    props.category = properties.category
    props.language = "zh-CN"


def _drop_template_thumbnail(doc: DocxDocument) -> None:
    # python-docx's default template carries a thumbnail of some other document; a file
    # browser would show it as the letter's preview.
    rels = doc.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            del rels[r_id]


def _normalise_zip(data: bytes, issued_on: date) -> bytes:
    """Rewrite the package with fixed member timestamps (zipfile stamps them with now())."""
    stamp = (issued_on.year, issued_on.month, issued_on.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


def render_docx(
    masthead: str, blocks: Sequence[Block], imprint: Sequence[tuple[str, str]], properties: DocumentProperties
) -> bytes:
    """``official_document.render_docx``: its arguments, laid out."""
    doc = Document()
    _style_fonts(doc)
    _set_page(doc)
    _set_footers(doc)
    _set_core_properties(doc, properties)
    _drop_template_thumbnail(doc)
    office = next((b.text for b in blocks if b.kind == "office"), "")
    issued = next((b.text for b in blocks if b.kind == "date"), "")
    office_right, date_right = signature_indents(office, issued)

    _add_masthead(doc, masthead)
    for block in blocks:
        if block.space_before:
            _paragraph(doc, "")
        if block.kind == "office":
            # Room for the seal: its top stands within one line of the body's last line,
            # and it presses down on the office and the date (GB/T 9704 7.3.5.1).
            _paragraph(doc, "")
        match block.kind:
            case "docnum":
                # 信函格式: the document number stands at the right edge of the text block.
                _paragraph(doc, block.text, align=WD_ALIGN_PARAGRAPH.RIGHT)
            case "title":
                _paragraph(
                    doc,
                    block.text,
                    face=FONT_TITLE,
                    size=SIZE_TITLE,
                    align=WD_ALIGN_PARAGRAPH.CENTER,
                    line_pitch=TITLE_LINE_PITCH,
                )
            case "addressee":
                _paragraph(doc, block.text, align=WD_ALIGN_PARAGRAPH.LEFT)
            case "heading1":
                _paragraph(doc, block.text, face=FONT_HEADING1, indent_chars=2)
            case "heading2":
                _paragraph(doc, block.text, face=FONT_HEADING2, indent_chars=2)
            case "body":
                _paragraph(doc, block.text, indent_chars=2)
            case "office" | "date":
                paragraph = _paragraph(doc, block.text, align=WD_ALIGN_PARAGRAPH.RIGHT)
                right = office_right if block.kind == "office" else date_right
                if right:
                    _set_indent_chars(paragraph, right=right)
    _paragraph(doc, "")
    _add_imprint(doc, imprint)
    # A body must end with a paragraph; a hairline one cannot spill onto a page of its own.
    _paragraph(doc, "", size=Pt(1), line_pitch=Pt(1))

    buffer = io.BytesIO()
    doc.save(buffer)
    return _normalise_zip(buffer.getvalue(), properties.issued_on)
