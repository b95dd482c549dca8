"""PDF prints of the feedback letter and the clearance: CJK font embedded, text extractable,
a clear 503 problem when the server lacks the font."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from system_kit import WenpingSystem

from wenping_intake.clearances.form import clearance_pdf
from wenping_shared.demo import INTEGRATION_CLIENT, demo_id
from wenping_shared.pdf import DEFAULT_DOCUMENT_FONT

from .conftest import pdf_pages, pdf_text, require_file, require_tool

REVIEW_ID = demo_id("review", f"{demo_id('project', 'jx-marathon')}-1")


def _fonts(pdf: Path) -> list[list[str]]:
    listing = subprocess.run([require_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in listing.splitlines()[2:] if line.strip()]


def _assert_fonts_embedded(pdf: Path) -> None:
    fonts = _fonts(pdf)
    assert fonts, "no font at all"
    # Columns end with: emb sub uni object-id generation.
    assert all(row[-5] == "yes" for row in fonts), fonts
    assert any("CJK" in row[0] for row in fonts), fonts


def _require_font() -> None:
    require_file(DEFAULT_DOCUMENT_FONT, "fonts-noto-cjk")


async def test_the_feedback_letter_prints_as_a_pdf_with_its_font_embedded(
    system: WenpingSystem, tmp_path: Path
) -> None:
    _require_font()
    reviewer = await system.auth("jx.reviewer")
    response = await system.review.get(f"/api/v1/reviews/{REVIEW_ID}/feedback.pdf", headers=reviewer)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "feedback.pdf" in response.headers["content-disposition"]
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(response.content)
    _assert_fonts_embedded(pdf)
    text = pdf_text(pdf).replace(" ", "")
    letter = (await system.review.get(f"/api/v1/reviews/{REVIEW_ID}/feedback", headers=reviewer)).json()
    for part in (letter["document_number"], letter["addressee"] + "：", "征求意见范围不广", "印发", "—1—"):
        assert part in text, part
    # The title wraps over two lines of the PDF; its words are all there.
    assert letter["report_title"][:10] in text
    assert pdf_pages(pdf) >= 1
    # Another province's reviewer sees no letter.
    other = await system.review.get(
        f"/api/v1/reviews/{REVIEW_ID}/feedback.pdf", headers=await system.auth("zy.reviewer")
    )
    assert other.status_code == 404


async def test_a_missing_font_is_a_clear_503_problem(system: WenpingSystem, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system.apps["review"].state.settings, "document_font", Path("/nonexistent/font.ttc"))
    response = await system.review.get(
        f"/api/v1/reviews/{REVIEW_ID}/feedback.pdf", headers=await system.auth("jx.reviewer")
    )
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "document.font_missing" and "字体" in problem["detail"]
    # The Word letter does not need the font and still downloads.
    docx = await system.review.get(
        f"/api/v1/reviews/{REVIEW_ID}/feedback.docx", headers=await system.auth("jx.reviewer")
    )
    assert docx.status_code == 200


def test_the_clearance_prints_as_a_pdf_with_its_font_and_qr_code(tmp_path: Path) -> None:
    _require_font()
    claims: dict[str, Any] = {
        "project": {"number": "WP-330400-2026-000123", "title": "嘉兴马拉松赛事活动", "region_code": "330400",
                    "responsible_org_name": "嘉兴市体育局", "risk_level_label": "低风险"},
        "review": {"verdict": "审查通过", "review_id": "r-1"},
        "decision": {"outcome_label": "准予实施"},
        "dates": {"approved_on": "2026-11-24", "issued_at": "2026-11-24T10:00:00+08:00"},
        "permits": "提交决策会议研究",
        "jti": "c-123",
    }  # fmt: skip
    pdf = tmp_path / "clearance.pdf"
    pdf.write_bytes(
        clearance_pdf(
            claims, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln", "http://intake.test/api/v1/clearances/x", DEFAULT_DOCUMENT_FONT
        )
    )
    _assert_fonts_embedded(pdf)
    text = pdf_text(pdf).replace(" ", "")
    for part in (
        "社会稳定风险评估备案证明",
        "WP-330400-2026-000123",
        "嘉兴马拉松赛事活动",
        "嘉兴市体育局",
        "核验码",
        "c-123",
    ):
        assert part in text, part
    images = subprocess.run(
        [require_tool("pdfimages"), "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.splitlines()) == 3  # two header lines and the QR code


async def test_the_clearance_pdf_endpoint_answers_like_the_docx(system: WenpingSystem) -> None:
    client_id, secret, _region, _scopes = INTEGRATION_CLIENT
    gate = {"Authorization": f"Bearer {await system.client_token(client_id, secret)}"}
    fresh = f"WP-330400-2026-{999999:06d}"
    for form in ("form.docx", "form.pdf"):
        response = await system.intake.get(f"/api/v1/clearances/{fresh}/{form}", headers=gate)
        assert response.status_code == 404 and response.json()["code"] == "clearance.project_not_found", response.text


def test_no_printed_line_starts_with_closing_punctuation_or_ends_with_an_opening_bracket() -> None:
    _require_font()
    from fpdf import FPDF

    from wenping_shared.pdf import NOT_AT_LINE_END, NOT_AT_LINE_START, cjk_pdf, kinsoku_lines

    pdf = cjk_pdf(DEFAULT_DOCUMENT_FONT, FPDF)
    pdf.set_font("cjk", size=16)
    width = pdf.get_string_width("字" * 10)
    # Every offset puts a comma, a closing quote or an opening bracket at each possible break.
    for shift in range(12):
        text = "审" * shift + "你单位报送的《报告》（第1轮）已收悉，现将审查意见“反馈”如下：请于期限前修改完善后重新报送。"
        lines = kinsoku_lines(pdf, text, width).split("\n")
        assert "".join(lines) == text
        assert all(pdf.get_string_width(line) <= width for line in lines), lines
        assert all(line[0] not in NOT_AT_LINE_START for line in lines[1:]), lines
        assert all(line[-1] not in NOT_AT_LINE_END for line in lines[:-1]), lines
