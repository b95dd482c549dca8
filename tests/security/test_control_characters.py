"""F1, F2: control characters are refused at input with a Chinese 422, and records stored before
that rule (legacy data) still export: the ledger workbook, the expert workbook and the feedback
letter strip what XML cannot hold instead of failing for good."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date
from typing import Any

import pytest
from docx import Document
from letter_kit import returned_letter
from openpyxl import load_workbook
from sqlmodel import col, select

from wenping_intake.exports.xlsx import LedgerWorkbook
from wenping_intake.projects.models import Project
from wenping_review.feedback.letter import FeedbackCategory, FeedbackItem, render_docx
from wenping_shared.contracts.samples import complete_report

HOSTILE = ("X\u0001\u001b", "A\u0000B", "tab\there", "line\nbreak", "del\u007f")


def _project_body(title: str) -> dict[str, Any]:
    return {"title": title, "category": "policy", "initiation": "initiation", "interests": ["social_security"]}


@pytest.mark.parametrize("title", HOSTILE)
async def test_project_title_with_a_control_character_is_refused(system: Any, title: str) -> None:
    filer = await system.auth("jx.fgw.filer")
    response = await system.intake.post("/api/v1/projects", json=_project_body(title), headers=filer)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "request.validation_failed"
    assert "title" in problem["detail"] and "控制字符" in problem["detail"]


async def test_multi_line_text_keeps_tab_and_newline_but_not_other_controls(system: Any) -> None:
    filer = await system.auth("jx.fgw.filer")
    body = {**_project_body(f"多行说明-{uuid.uuid4().hex[:6]}"), "description": "第一行\n第二行\t缩进"}
    response = await system.intake.post("/api/v1/projects", json=body, headers=filer)
    assert response.status_code == 201, response.text
    body["description"] = "第一行\u000b第二行"
    response = await system.intake.post("/api/v1/projects", json=body, headers=filer)
    assert response.status_code == 422 and "description" in response.json()["detail"]


async def test_report_title_with_a_control_character_is_refused(system: Any) -> None:
    data = complete_report()
    data["title"] = "评估报告\u0001"
    response = await system.review.post(
        "/api/v1/precheck", json={"report": data}, headers=await system.auth("jx.reviewer")
    )
    assert response.status_code == 422, response.text
    assert "控制字符" in response.json()["detail"]


async def test_export_of_a_legacy_title_with_control_characters_answers_200(system: Any) -> None:
    filer = await system.auth("tx.filer")
    created = await system.intake.post("/api/v1/projects", json=_project_body("占位标题"), headers=filer)
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    # A title stored before the input rule existed, written straight to the database.
    async with system.apps["intake"].state.sessionmaker() as session:
        project = (await session.exec(select(Project).where(col(Project.id) == project_id))).one()
        project.title = f"旧数据\u0001\u001b{project_id[:6]}"
        session.add(project)
        await session.commit()
    try:
        response = await system.intake.get("/api/v1/projects/export.xlsx", headers=filer)
        assert response.status_code == 200, response.text
        rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
        assert f"旧数据{project_id[:6]}" in {r[1] for r in rows[1:]}
    finally:
        async with system.apps["intake"].state.sessionmaker() as session:
            project = (await session.exec(select(Project).where(col(Project.id) == project_id))).one()
            project.title = f"已修复-{project_id[:6]}"
            session.add(project)
            await session.commit()


def test_ledger_workbook_keeps_a_formula_looking_title_as_text() -> None:
    workbook = LedgerWorkbook("台账")
    project = Project(
        id="p1", number="WP-1", title='=HYPERLINK("http://x","y")\u0002', category="policy", initiation="initiation",
        filing_batch="ad_hoc", region_code="330400", responsible_org_id="o", status="filed", year=2026, seq=1,
    )
    workbook.append([project], {}, date(2026, 1, 1))
    out = io.BytesIO()
    workbook.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_feedback_docx_of_a_legacy_report_title_with_control_characters() -> None:
    letter = returned_letter(
        report_title="旧报告\u0001\u001b名称",
        sections=[
            FeedbackCategory(
                code="C01", title="报备表",
                items=[FeedbackItem(code="C01.4", title="加盖公章", comment="缺\u0007章", requirement="加盖公章")],
            )
        ],
    )
    document = Document(io.BytesIO(render_docx(letter)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于《旧报告名称》的审查反馈意见" in text and "缺章" in text


async def test_a_lone_surrogate_is_refused_not_stored(system: Any) -> None:
    """A lone surrogate cannot be encoded as UTF-8 (nor stored by PostgreSQL): refused with a 422,
    and the organisations still list."""
    admin = await system.auth("zj.admin")
    body = json.dumps({"name": "单位\ud800名称", "kind": "department", "region_code": "330483"})  # "\ud800" escaped
    response = await system.registry.post(
        "/api/v1/organizations", content=body.encode(), headers={**admin, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert "UTF-8" in response.json()["detail"] or "Unicode" in response.json()["detail"]
    assert (await system.registry.get("/api/v1/organizations", headers=admin)).status_code == 200
