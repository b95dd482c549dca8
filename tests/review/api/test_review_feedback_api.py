"""The feedback letter: JSON, plain text and .docx, only after the decision."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from docx import Document
from docx.shared import Mm
from review_kit import RegistryFront, System, handoff, judge_all_pending, open_review, report


async def _returned_review(system: System) -> dict[str, Any]:
    data = report()
    data["procedure"]["public_notice"]["end"] = "2026-03-11"  # C05.2 (critical) fails
    data["filing_form"]["sealed"] = False  # C01.4 (general) fails
    review = await open_review(system, handoff(rep=data))
    reviewer = await system.auth("jx.reviewer")
    r = await system.review.put(
        f"/api/v1/reviews/{review['id']}/items/C07.5",
        json={"result": "fail", "comment": "未逐项分析被征收户诉求的合理性"},
        headers=reviewer,
    )
    assert r.status_code == 200
    review = await judge_all_pending(system, r.json())
    return review


async def test_letter_only_after_decision(system: System, registry_front: RegistryFront) -> None:
    review = await _returned_review(system)
    for suffix in ("feedback", "feedback.txt", "feedback.docx"):
        r = await system.review.get(f"/api/v1/reviews/{review['id']}/{suffix}", headers=await system.auth("jx.reviewer"))
        assert r.status_code == 409 and r.json()["code"] == "review.not_decided"


async def test_returned_letter_json_text_and_docx(system: System, registry_front: RegistryFront) -> None:
    review = await _returned_review(system)
    reviewer = await system.auth("jx.reviewer")
    r = await system.decide_review(review['id'], {}, reviewer)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["verdict"] == "returned_for_reassessment"
    # JSON, readable by the filer of the decision body.
    filer = await system.auth("jx.zjj.filer")
    r = await system.review.get(f"/api/v1/reviews/{review['id']}/feedback", headers=filer)
    assert r.status_code == 200, r.text
    letter = r.json()
    assert letter["title"] == f"关于《{decided['report_title']}》的审查反馈意见"
    assert letter["addressee"] == "嘉兴市住房和城乡建设局"
    assert letter["issuing_office"] == "嘉兴市委政法委"  # the reviewer's organisation, from the registry
    assert letter["document_number"] == decided["document_number"]
    assert re.fullmatch(r"嘉政法函〔\d{4}〕[1-9]\d*号", letter["document_number"])
    assert letter["rectification_deadline"] == decided["rectification_deadline"]
    sections = {s["code"]: [i["code"] for i in s["items"]] for s in letter["sections"]}
    assert sections == {"C01": ["C01.4"], "C05": ["C05.2"], "C07": ["C07.5"]}
    c075 = letter["sections"][2]["items"][0]
    assert c075["comment"] == "未逐项分析被征收户诉求的合理性"
    assert c075["requirement"] == "对利益相关者诉求的合理性、合法性逐项分析"
    # Plain text says the same.
    r = await system.review.get(f"/api/v1/reviews/{review['id']}/feedback.txt", headers=filer)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert text == letter["text"]
    assert "一、报备表规范性" in text and "二、评估程序" in text and "三、风险识别" in text
    assert "按规定对评估事项进行公示，公示期不少于7日后重新评估" in text
    # The Word document, opened and read.
    r = await system.review.get(f"/api/v1/reviews/{review['id']}/feedback.docx", headers=await system.auth("agency.jx"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in r.headers["content-disposition"]
    doc = Document(io.BytesIO(r.content))
    paragraphs = [p.text for p in doc.paragraphs]
    body = "\n".join(paragraphs)
    # 版头: the office's name in red, then the document number; the 版记 closes the letter.
    assert paragraphs[:2] == ["嘉兴市委政法委", letter["document_number"]]
    imprint = "\n".join(cell.text for row in doc.tables[-1].rows for cell in row.cells)
    assert "印发" in imprint
    assert letter["title"] in paragraphs
    assert "嘉兴市住房和城乡建设局：" in paragraphs
    assert "（一）依规公开公示（C05.2）" in body
    assert "审查意见：未逐项分析被征收户诉求的合理性。" in body
    assert "嘉兴市委政法委" in paragraphs
    issued = dt.datetime.fromisoformat(decided["decided_at"]).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert f"{issued.year}年{issued.month}月{issued.day}日" in paragraphs  # Arabic numerals, no leading zeros
    assert "退回重新评估" in body
    section = doc.sections[0]
    assert abs(section.top_margin - Mm(37)) < Mm(0.5) and abs(section.left_margin - Mm(28)) < Mm(0.5)
    # Other tenants: 404.
    r = await system.review.get(f"/api/v1/reviews/{review['id']}/feedback.docx", headers=await system.auth("jx.fgw.filer"))
    assert r.status_code == 404


async def test_document_numbers_are_sequential_per_region_and_year(system: System, registry_front: RegistryFront) -> None:
    reviewer = await system.auth("jx.reviewer")
    numbers = []
    for _ in range(2):
        review = await judge_all_pending(system, await open_review(system, handoff()))
        r = await system.decide_review(review['id'], {}, reviewer)
        numbers.append(r.json()["document_number"])
    seq = [int(n.rsplit("〕", 1)[1].removesuffix("号")) for n in numbers]
    assert seq[1] == seq[0] + 1
    r = await system.review.get(f"/api/v1/reviews/{review['id']}/feedback.txt", headers=reviewer)
    assert "审查通过，予以备案" in r.text
