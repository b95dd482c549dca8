"""The printable clearance (.docx, and .pdf with its CJK font embedded) for paper files: the
statement, and the signed clearance itself as a QR code, so a scan verifies offline against the
published keys."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from wenping_shared import printable
from wenping_shared.pdf import FONT_FAMILY, cjk_pdf

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"
_FONT = "SimSun"


def _qr_png(data: str) -> bytes:
    # qrcode and Pillow (about 4 MB resident) are imported with the first printed clearance.
    import qrcode
    from qrcode.constants import ERROR_CORRECT_L

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_L, box_size=4, border=2)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def _cell(cell: Any, text: str) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    cell.text = text
    for paragraph in cell.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(11)
            run.font.name = _FONT
            run.element.rPr.rFonts.set(qn("w:eastAsia"), _FONT)


TITLE = "社会稳定风险评估备案证明"


def _rows(claims: dict[str, Any]) -> list[tuple[str, str]]:
    project = claims.get("project") or {}
    review = claims.get("review") or {}
    decision = claims.get("decision") or {}
    dates = claims.get("dates") or {}
    return [
        ("项目编号", str(project.get("number", ""))),
        ("事项名称", str(project.get("title", ""))),
        ("责任单位", str(project.get("responsible_org_name") or project.get("responsible_org_id") or "")),
        ("行政区划", str(project.get("region_code", ""))),
        ("风险等级", str(project.get("risk_level_label") or project.get("risk_level") or "")),
        ("审查结论", f"{review.get('verdict', '')}（审查编号 {review.get('review_id', '')}）"),
        ("决策结果", str(decision.get("outcome_label") or "尚未作出决策")),
        ("审查通过日期", str(dates.get("approved_on") or "")),
        ("签发时间", str(dates.get("issued_at") or "")),
        ("准予事项", str(claims.get("permits", ""))),
        ("核验码", str(claims.get("jti", ""))),
    ]


def _note(verify_url: str) -> str:
    return (
        "二维码内容为本证明的电子签名文本（JWS，ES256），可用公开密钥离线核验；"
        f"证明是否仍然有效（未被撤销）请以在线核验为准：{verify_url}"
    )


def clearance_pdf(claims: dict[str, Any], token: str, verify_url: str, font_path: str | Path) -> bytes:
    """The same form as a PDF (font embedded). Blocking: call in a thread."""
    # fpdf and python-docx are imported where a form is printed, not at every start-up (~60 MB).
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    pdf = cjk_pdf(font_path, FPDF)
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(TITLE)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=20)
    pdf.cell(0, 14, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=11)
    with pdf.table(col_widths=(30, 130), text_align="LEFT", line_height=7, first_row_as_headings=False) as table:
        for label, value in _rows(claims):
            row = table.row()
            row.cell(label)
            row.cell(printable(value))
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=9)
    pdf.multi_cell(0, 5, _note(verify_url), wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.image(io.BytesIO(_qr_png(token)), x=(pdf.w - 70) / 2, w=70)
    return bytes(pdf.output())


def clearance_docx(claims: dict[str, Any], token: str, verify_url: str) -> bytes:
    """Blocking (QR rendering, document building): call in a thread."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = _FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), _FONT)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run("社会稳定风险评估备案证明")
    run.bold = True
    run.font.size = Pt(20)
    rows = _rows(claims)
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for (label, value), row in zip(rows, table.rows, strict=True):
        _cell(row.cells[0], label)
        _cell(row.cells[1], value)
    document.add_paragraph()
    note = document.add_paragraph(_note(verify_url))
    note.runs[0].font.size = Pt(9)
    picture = document.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.add_run().add_picture(io.BytesIO(_qr_png(token)), width=Cm(7))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
