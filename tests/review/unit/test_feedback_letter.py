"""The feedback letter (书面反馈意见): models, plain text and the GB/T 9704 .docx."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from letter_kit import (
    ADDRESSEE,
    NOTICE_COMMENT,
    NOTICE_REQUIRE,
    OFFICE,
    PLAN_EVIDENCE,
    PLAN_REQUIRE,
    REPORT,
    STAKEHOLDER_COMMENT,
    STAKEHOLDER_REQUIRE,
    returned_letter,
)
from pydantic import ValidationError

from wenping_review.feedback import (
    FeedbackLetter,
    document_number_for,
    format_cn_date,
    render_docx,
    render_text,
)


def _approved() -> FeedbackLetter:
    return returned_letter(
        verdict="approved", sections=[], rectification_deadline=None, score=96.5
    )


def _docx(letter: FeedbackLetter) -> DocxDocument:
    return Document(io.BytesIO(render_docx(letter)))


def _east_asia(run: Run) -> str | None:
    rpr = run._element.rPr
    assert rpr is not None and rpr.rFonts is not None
    return rpr.rFonts.get(qn("w:eastAsia"))


def _paragraph(doc: DocxDocument, startswith: str) -> Paragraph:
    matches = [p for p in doc.paragraphs if p.text.startswith(startswith)]
    assert len(matches) == 1, [p.text for p in doc.paragraphs]
    return matches[0]


def _text_paragraphs(doc: DocxDocument) -> list[Paragraph]:
    return [p for p in doc.paragraphs if p.text.strip()]


# ------------------------------------------------------------------ helpers and model


def test_document_number_and_date_formats() -> None:
    assert document_number_for("嘉政法函", 2026, 12) == "嘉政法函〔2026〕12号"
    assert document_number_for("嘉政法函", 2026, 1) == "嘉政法函〔2026〕1号"
    assert format_cn_date(date(2026, 11, 24)) == "2026年11月24日"
    # GB/T 9704: months and days without leading zeros (不编虚位).
    assert format_cn_date(date(2026, 1, 5)) == "2026年1月5日"
    with pytest.raises(ValueError):
        document_number_for("嘉政法函", 2026, 0)
    with pytest.raises(ValueError):
        document_number_for(" ", 2026, 3)


@pytest.mark.parametrize(
    "overrides",
    [
        {"document_number": "嘉政法函[2026]12号"},  # wrong brackets
        {"document_number": "嘉政法函〔2026〕012号"},  # leading zero
        {"verdict": "approved", "rectification_deadline": None},  # approved with items
        {"sections": []},  # returned without items
        {"rectification_deadline": date(2026, 11, 1)},  # deadline before issue date
        {"score": 100.5},
        {"round": 0},
    ],
)
def test_inconsistent_letters_are_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        returned_letter(**overrides)


def test_report_title_book_marks_are_not_doubled() -> None:
    text = render_text(returned_letter(report_title=f"《{REPORT}》"))
    assert "《《" not in text
    assert f"关于《{REPORT}》的审查反馈意见" in text


# ------------------------------------------------------------------ plain text


def test_text_of_a_returned_letter() -> None:
    text = render_text(returned_letter())
    lines = text.splitlines()

    assert lines[0] == "嘉政法函〔2026〕12号"
    assert f"关于《{REPORT}》的审查反馈意见" in lines
    # Addressee flush left with a full-width colon.
    assert f"{ADDRESSEE}：" in lines
    assert f"{ADDRESSEE}:" not in text
    assert f"你单位报送的《{REPORT}》（第2轮）已收悉。" in text
    assert "经对照《重大决策社会稳定风险评估报告及报备表审查标准》审查" in text

    stripped = [line.strip("\u3000") for line in lines]
    assert "一、评估程序" in stripped
    assert "二、意见征求（五必听）" in stripped
    assert "（一）制定评估方案（C05.1）" in stripped
    assert "（二）依规公开公示（C05.2）" in stripped
    # Numbering restarts under each category.
    assert "（一）涉利益群体意见必听（C06.1）" in stripped
    assert stripped.index("一、评估程序") < stripped.index(
        "（二）依规公开公示（C05.2）"
    )
    assert stripped.index("（二）依规公开公示（C05.2）") < stripped.index(
        "二、意见征求（五必听）"
    )

    assert f"审查意见：{NOTICE_COMMENT}。" in text
    assert f"审查意见：{STAKEHOLDER_COMMENT}。" in text
    # No reviewer comment: the automatic finding stands as the reason.
    assert f"审查意见：{PLAN_EVIDENCE}。" in text
    assert f"整改要求：{NOTICE_REQUIRE}。" in text
    assert f"整改要求：{PLAN_REQUIRE}。" in text
    assert f"整改要求：{STAKEHOLDER_REQUIRE}。" in text

    assert "审查结论为退回重新评估" in text
    assert "请重新组织开展社会稳定风险评估，并于2026年12月24日前重新报送。" in text
    assert "张明，0573-82012345" in text
    assert lines[-2:] == [OFFICE, "2026年11月24日"]


def test_text_of_a_letter_returned_for_revision() -> None:
    text = render_text(returned_letter(verdict="returned_for_revision"))
    assert "审查结论为退回修改" in text
    assert "请于2026年12月24日前修改完善后重新报送。" in text
    assert "重新组织开展社会稳定风险评估" not in text


def test_text_of_an_approved_letter() -> None:
    text = render_text(_approved())
    assert "审查通过" in text
    assert "予以备案" in text
    assert "96.5分" in text
    assert "整改要求" not in text
    assert "审查意见：" not in text
    assert "一、" not in text
    assert "（一）" not in text
    assert "重新报送" not in text
    assert text.splitlines()[-2:] == [OFFICE, "2026年11月24日"]


# ------------------------------------------------------------------ Word (.docx)


def test_docx_page_is_a4_with_gbt9704_margins() -> None:
    section = _docx(returned_letter()).sections[0]
    tolerance = Mm(0.1)
    for actual, expected in (
        (section.page_width, Mm(210)),
        (section.page_height, Mm(297)),
        (section.top_margin, Mm(37)),
        (section.left_margin, Mm(28)),
        (section.right_margin, Mm(26)),
        (section.bottom_margin, Mm(35)),
    ):
        assert actual is not None and abs(actual - expected) <= tolerance
    # Text block 156 x 225 mm.
    width = section.page_width - section.left_margin - section.right_margin
    height = section.page_height - section.top_margin - section.bottom_margin
    assert abs(width - Mm(156)) <= tolerance
    assert abs(height - Mm(225)) <= tolerance
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid is not None and grid.get(qn("w:linePitch")) == "579"


def test_docx_title_and_document_number() -> None:
    doc = _docx(returned_letter())
    number = _paragraph(doc, "嘉政法函〔2026〕12号")
    assert number.runs[0].font.size == Pt(16)

    title = _paragraph(doc, "关于《")
    assert title.text == f"关于《{REPORT}》的审查反馈意见"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    for run in title.runs:
        assert run.font.size == Pt(22)
        assert _east_asia(run) == "方正小标宋简体"
    # The document number comes before the title (GB/T 9704 版头 order).
    texts = [p.text for p in doc.paragraphs]
    assert texts.index(number.text) < texts.index(title.text)


def test_docx_addressee_and_body_face() -> None:
    doc = _docx(returned_letter())
    addressee = _paragraph(doc, ADDRESSEE)
    assert addressee.text == f"{ADDRESSEE}："
    assert addressee.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert not addressee.paragraph_format.first_line_indent

    body = _paragraph(doc, "你单位报送的")
    pf = body.paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert pf.line_spacing is not None
    assert abs(pf.line_spacing.pt - 28.95) < 0.05
    assert pf.first_line_indent == Pt(32)  # two 三号 characters
    for run in body.runs:
        assert run.font.size == Pt(16)
        assert _east_asia(run) == "仿宋_GB2312"


def test_docx_heading_faces() -> None:
    doc = _docx(returned_letter())
    heading1 = _paragraph(doc, "一、评估程序")
    assert [_east_asia(r) for r in heading1.runs] == ["黑体"]
    assert heading1.runs[0].font.size == Pt(16)
    assert _paragraph(doc, "二、意见征求").runs[0].font.name == "黑体"

    heading2 = _paragraph(doc, "（二）依规公开公示")
    assert [_east_asia(r) for r in heading2.runs] == ["楷体_GB2312"]

    requirement = _paragraph(doc, f"整改要求：{NOTICE_REQUIRE}")
    assert [_east_asia(r) for r in requirement.runs] == ["仿宋_GB2312"]


def test_docx_contains_every_failed_item() -> None:
    paragraphs = [p.text for p in _docx(returned_letter()).paragraphs]
    for expected in (
        f"审查意见：{NOTICE_COMMENT}。",
        f"审查意见：{STAKEHOLDER_COMMENT}。",
        f"审查意见：{PLAN_EVIDENCE}。",
        f"整改要求：{NOTICE_REQUIRE}。",
        f"整改要求：{PLAN_REQUIRE}。",
        f"整改要求：{STAKEHOLDER_REQUIRE}。",
    ):
        assert expected in paragraphs
    assert any("并于2026年12月24日前重新报送" in p for p in paragraphs)


def test_docx_footer_has_page_field_with_dashes() -> None:
    section = _docx(returned_letter()).sections[0]
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert 'w:fldCharType="begin"' in xml
        codes = "".join(t.text or "" for t in footer._element.iter(qn("w:instrText")))
        # The field code word itself, not NUMPAGES or SECTIONPAGES.
        assert codes.split()[0] == "PAGE"
        text = "".join(p.text for p in footer.paragraphs)
        assert text.startswith("— ") and text.endswith(" —")
        for run in footer.paragraphs[0].runs:
            assert run.font.size == Pt(14)
            assert _east_asia(run) == "宋体"
    # Odd pages right, even pages left.
    assert section.footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert section.even_page_footer.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT


def _signature(doc: DocxDocument) -> tuple[int, Paragraph, Paragraph]:
    """The office and date lines of the signature (the 版头 repeats the office's name)."""
    paragraphs = doc.paragraphs
    at = max(i for i, p in enumerate(paragraphs) if p.text == "2026年11月24日")
    return at - 1, paragraphs[at - 1], paragraphs[at]


def test_docx_ends_with_office_and_date_right_aligned() -> None:
    doc = _docx(returned_letter())
    at, office, issued = _signature(doc)
    assert office.text == OFFICE
    assert office.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert issued.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # Two empty lines between the body and the signature: the seal's place.
    assert [p.text for p in doc.paragraphs[at - 2 : at]] == ["", ""]
    assert doc.paragraphs[at - 3].text.strip()


def test_docx_signature_is_laid_out_for_the_seal() -> None:
    # GB/T 9704 7.3.5.1: the date 右空四字, the office centred above the date.
    doc = _docx(returned_letter(issuing_office="中共嘉兴市南湖区委政法委员会"))
    _, office, issued = _signature(doc)
    assert issued.paragraph_format.right_indent == Pt(4 * 16)
    # 14 chars office over a 7-char-wide date: 4 + (7 - 14) / 2 = half a character.
    assert office.paragraph_format.right_indent == Pt(8)
    doc = _docx(returned_letter(issuing_office="嘉兴市委政法委"))
    _, office, _ = _signature(doc)
    # 7 chars over 7 wide: the same right indent as the date.
    assert office.paragraph_format.right_indent == Pt(4 * 16)


def test_docx_of_an_approved_letter() -> None:
    doc = _docx(_approved())
    texts = [p.text for p in _text_paragraphs(doc)]
    body = "\n".join(texts)
    assert "审查通过" in body
    assert "备案" in body
    assert "整改要求" not in body
    assert not any(t.startswith(("一、", "（一）")) for t in texts)
    assert texts[-2:] == [OFFICE, "2026年11月24日"]


def test_docx_is_deterministic_and_carries_letter_metadata() -> None:
    letter = returned_letter()
    data = render_docx(letter)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        stamps = {info.date_time for info in package.infolist()}
        names = package.namelist()
    assert stamps == {(2026, 11, 24, 0, 0, 0)}
    assert not any("thumbnail" in name for name in names)
    assert render_docx(letter) == data

    props = Document(io.BytesIO(data)).core_properties
    assert props.author == OFFICE
    assert props.created is not None and props.created.date() == date(2026, 11, 24)
    assert props.modified == props.created
    assert props.title == f"关于《{REPORT}》的审查反馈意见"
