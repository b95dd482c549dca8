"""Documents, report rounds, the hand-off to review through the outbox, and review events."""

from __future__ import annotations

import hashlib

import pytest
from intake_kit import PDF_BYTES, Projects, Reports, docx_bytes
from sqlmodel import col, select
from system_kit import PeerDown, WenpingSystem

from wenping_intake.database import OutboxMessage
from wenping_intake.reports.models import ReturnReason
from wenping_shared.contracts.samples import complete_report


async def test_upload_checks_the_content_and_keeps_the_sha256(system: WenpingSystem, reports: Reports) -> None:
    content = docx_bytes("内容")
    stored = await reports.upload("jx.fgw.filer", content, "评估报告.docx")
    assert stored["kind"] == "docx" and stored["size"] == len(content)
    assert stored["sha256"] == hashlib.sha256(content).hexdigest()
    pdf = await reports.upload("agency.jx", PDF_BYTES, "report.PDF")
    assert pdf["kind"] == "pdf" and pdf["content_type"] == "application/pdf"
    download = await system.intake.get(f"/api/v1/files/{stored['id']}/content", headers=await system.auth("jx.fgw.filer"))
    assert download.status_code == 200 and download.content == content
    other = await system.intake.get(f"/api/v1/files/{stored['id']}", headers=await system.auth("zy.filer"))
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("filename", "content", "status", "code"),
    [
        ("report.docx", b"PK\x03\x04 not really a zip", 415, "file.content_mismatch"),
        ("report.docx", PDF_BYTES, 415, "file.content_mismatch"),
        ("report.pdf", docx_bytes(), 415, "file.content_mismatch"),
        ("report.exe", PDF_BYTES, 415, "file.unsupported_type"),
        ("report.docx", b"", 415, "file.empty"),
        ("renamed.pdf", b"<html>%PDF-</html>", 415, "file.content_mismatch"),
    ],
)
async def test_bad_documents_are_refused(
    system: WenpingSystem, filename: str, content: bytes, status: int, code: str
) -> None:
    response = await system.intake.post(
        "/api/v1/files", files={"file": (filename, content, "application/pdf")}, headers=await system.auth("jx.fgw.filer")
    )
    assert response.status_code == status, response.text
    assert response.json()["code"] == code and response.json()["detail"]


async def test_a_zip_without_word_document_is_not_a_docx(system: WenpingSystem) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    response = await system.intake.post(
        "/api/v1/files", files={"file": ("x.docx", buffer.getvalue(), "application/zip")},
        headers=await system.auth("jx.fgw.filer"),
    )
    assert response.status_code == 415


async def test_documents_over_the_cap_answer_413(system: WenpingSystem) -> None:
    settings = system.apps["intake"].state.settings
    original = settings.document_max_bytes
    settings.document_max_bytes = 1000
    try:
        response = await system.intake.post(
            "/api/v1/files", files={"file": ("big.pdf", PDF_BYTES + b"0" * 2000, "application/pdf")},
            headers=await system.auth("jx.fgw.filer"),
        )
    finally:
        settings.document_max_bytes = original
    assert response.status_code == 413 and response.json()["code"] == "file.too_large"


async def test_only_filers_and_agencies_upload(system: WenpingSystem) -> None:
    response = await system.intake.post(
        "/api/v1/files", files={"file": ("a.pdf", PDF_BYTES, "application/pdf")}, headers=await system.auth("jx.reviewer")
    )
    assert response.status_code == 403


async def test_submission_creates_a_round_and_hands_it_to_review(system: WenpingSystem, projects: Projects, reports: Reports) -> None:
    project = await projects.assessing()
    submitted = await reports.submit(project["id"])
    assert submitted["round"] == 1 and submitted["document_file"]["sha256"]
    assert submitted["report"]["title"] == complete_report()["title"]
    review_id = await reports.opened(project["id"])
    review = await system.review.get(f"/api/v1/reviews/{review_id}", headers=await system.auth("jx.reviewer"))
    assert review.status_code == 200, review.text
    assert review.json()["project_id"] == project["id"] and review.json()["round"] == 1
    rounds = await system.intake.get(f"/api/v1/projects/{project['id']}/reports", headers=await system.auth("jx.reviewer"))
    assert [r["round"] for r in rounds.json()] == [1] and rounds.json()[0]["review_id"] == review_id
    as_service = await system.intake.get(
        f"/api/v1/projects/{project['id']}/reports/1", headers=await system.service_headers("review", "intake")
    )
    assert as_service.status_code == 200 and as_service.json()["submitted_on"]


async def test_review_down_submission_still_succeeds_and_is_delivered_once(
    system: WenpingSystem, projects: Projects, reports: Reports, peer_down: PeerDown
) -> None:
    project = await projects.assessing()
    headers = await system.auth("jx.fgw.filer")
    await system.auth("jx.reviewer")
    peer_down("review")
    submitted = await reports.submit(project["id"])
    assert submitted["round"] == 1
    await system.apps["intake"].state.outbox.drain()
    async with system.apps["intake"].state.sessionmaker() as session:
        messages = (await session.exec(
            select(OutboxMessage).where(col(OutboxMessage.path) == "/api/v1/reviews")
        )).all()
        mine = [m for m in messages if m.payload["project_id"] == project["id"]]
        assert len(mine) == 1 and mine[0].delivered_at is None and mine[0].attempts >= 1
        # Due again now, as if the backoff had passed.
        mine[0].available_at = mine[0].created_at
        session.add(mine[0])
        await session.commit()
    assert (await projects.get(project["id"]))["status"] == "report_submitted"
    system.transport.down.clear()
    await system.drain_outboxes()
    await system.drain_outboxes()
    body = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=headers)).json()
    assert body["status"] == "under_review"
    listed = await system.review.get("/api/v1/reviews", params={"limit": 200}, headers=await system.auth("jx.reviewer"))
    assert sum(1 for r in listed.json()["items"] if r["project_id"] == project["id"]) == 1


async def test_end_to_end_review_decision_moves_the_project(system: WenpingSystem, projects: Projects, reports: Reports) -> None:
    """Submit → review opens → reviewer fails a manual item and decides → intake is returned; resubmit."""
    project = await projects.assessing()
    await reports.submit(project["id"])
    review_id = await reports.opened(project["id"])
    reviewer = await system.auth("jx.reviewer")
    detail = (await system.review.get(f"/api/v1/reviews/{review_id}", headers=reviewer)).json()
    pending = detail["pending_items"]
    assert pending, "the complete sample leaves manual items to a reviewer"
    for i, code in enumerate(pending):
        result = "fail" if i == 0 else "pass"
        response = await system.review.put(
            f"/api/v1/reviews/{review_id}/items/{code}", json={"result": result, "comment": "测试判定"}, headers=reviewer
        )
        assert response.status_code == 200, response.text
    decision = await system.decide_review(review_id, {"comment": "请整改"}, reviewer)
    assert decision.status_code == 200, decision.text
    verdict = decision.json()["verdict"]
    assert verdict in ("returned_for_revision", "returned_for_reassessment")
    await system.drain_outboxes()
    returned = await projects.get(project["id"])
    assert returned["status"] == "returned"
    rounds = (await system.intake.get(f"/api/v1/projects/{project['id']}/reports/1", headers=reviewer)).json()
    assert rounds["verdict"] == verdict and rounds["rectification_deadline"]
    async with system.apps["intake"].state.sessionmaker() as session:
        reasons = (await session.exec(select(ReturnReason).where(col(ReturnReason.project_id) == project["id"]))).all()
    after = (await system.review.get(f"/api/v1/reviews/{review_id}", headers=reviewer)).json()
    failed = {i["code"]: i["category_code"] for i in after["items"] if i["result"] == "fail"}
    assert pending[0] in failed
    assert {r.item_code: r.category_code for r in reasons} == failed
    assert {r.region_code for r in reasons} == {"330400"} and {r.round for r in reasons} == {1}
    second = await reports.submit(project["id"])
    assert second["round"] == 2
    await reports.opened(project["id"])


async def test_review_events_are_idempotent_and_checked(system: WenpingSystem, projects: Projects, reports: Reports) -> None:
    project = await projects.assessing()
    await reports.submit(project["id"])
    review_id = await reports.opened(project["id"])
    before = await projects.get(project["id"])
    repeat = await reports.event(project["id"], expect=200, event="opened", review_id=review_id, round=1)
    assert repeat["duplicate"] is True
    assert (await projects.get(project["id"]))["version"] == before["version"]
    wrong_round = await reports.event(project["id"], expect=409, event="decided", review_id=review_id, round=2,
                                      verdict="approved")
    assert wrong_round["code"] == "project.invalid_transition"
    failed = [{"code": "C06.6", "category_code": "C06"}, {"code": "C07.3", "category_code": "C07"}]
    decided = await reports.event(project["id"], event="decided", review_id=review_id, round=1,
                                  verdict="returned_for_revision", score=71.5, failed_items=failed,
                                  rectification_deadline="2026-12-31", decided_at="2026-11-01T09:00:00+08:00")
    assert decided["status"] == "returned" and decided["duplicate"] is False
    again = await reports.event(project["id"], expect=200, event="decided", review_id=review_id, round=1,
                                verdict="returned_for_revision", score=71.5, failed_items=failed)
    assert again["duplicate"] is True
    async with system.apps["intake"].state.sessionmaker() as session:
        reasons = (await session.exec(select(ReturnReason).where(col(ReturnReason.project_id) == project["id"]))).all()
    assert sorted((r.item_code, r.category_code) for r in reasons) == [("C06.6", "C06"), ("C07.3", "C07")]
    late = await reports.event(project["id"], expect=409, event="opened", review_id="another-review", round=1)
    assert late["code"] == "project.invalid_transition"
    ledger = (await system.intake.get(f"/api/v1/projects/{project['id']}/ledger", headers=await system.auth("jx.fgw.filer"))).json()
    actions = [(e["action"], e["actor_subject"]) for e in ledger["items"]][-3:]
    assert actions == [("submit_report", actions[0][1]), ("review_opened", "service:review"), ("review_decided", "service:review")]


async def test_review_events_only_from_the_review_service(system: WenpingSystem, projects: Projects) -> None:
    project = await projects.assessing()
    body = {"event": "opened", "review_id": "x", "round": 1}
    for headers in (await system.auth("jx.reviewer"), await system.service_headers("registry", "intake")):
        response = await system.intake.post(f"/api/v1/projects/{project['id']}/review-events", json=body, headers=headers)
        assert response.status_code == 403
    unknown = await system.intake.post(
        "/api/v1/projects/00000000-0000-0000-0000-000000000000/review-events", json=body,
        headers=await system.service_headers("review", "intake"),
    )
    assert unknown.status_code == 404
    bad = await system.intake.post(
        f"/api/v1/projects/{project['id']}/review-events", json={**body, "event": "decided"},
        headers=await system.service_headers("review", "intake"),
    )
    assert bad.status_code == 422


async def test_who_may_submit_and_when(system: WenpingSystem, projects: Projects, reports: Reports) -> None:
    draft = await projects.create()
    refused = await reports.submit(draft["id"], expect=409)
    assert refused["code"] == "report.not_accepted"
    project = await projects.assessing()
    for user in ("jx.reviewer", "jx.supervisor"):
        document = await reports.upload("jx.fgw.filer")
        response = await system.intake.post(
            f"/api/v1/projects/{project['id']}/reports",
            json={"report": complete_report(), "document_file_id": document["id"]}, headers=await system.auth(user),
        )
        assert response.status_code == 403, response.text
    foreign_document = await reports.upload("jx.zjj.filer")
    response = await system.intake.post(
        f"/api/v1/projects/{project['id']}/reports",
        json={"report": complete_report(), "document_file_id": foreign_document["id"]},
        headers=await system.auth("jx.fgw.filer"),
    )
    assert response.status_code == 400 and response.json()["code"] == "report.document_not_found"
    bad_report = await system.intake.post(
        f"/api/v1/projects/{project['id']}/reports",
        json={"report": {**complete_report(), "surprise": 1}, "document_file_id": foreign_document["id"]},
        headers=await system.auth("jx.fgw.filer"),
    )
    assert bad_report.status_code == 422
    out_of_range = complete_report()
    out_of_range["risks"][0]["probability"] = 1.5
    assert (await system.intake.post(
        f"/api/v1/projects/{project['id']}/reports",
        json={"report": out_of_range, "document_file_id": foreign_document["id"]},
        headers=await system.auth("jx.fgw.filer"),
    )).status_code == 422
    rounds = await system.intake.get(f"/api/v1/projects/{project['id']}/reports", headers=await system.auth("jx.fgw.filer"))
    assert rounds.json() == []
    assert (await projects.get(project["id"]))["status"] == "assessing"
    missing = await system.intake.get(f"/api/v1/projects/{project['id']}/reports/7", headers=await system.auth("jx.fgw.filer"))
    assert missing.status_code == 404 and missing.json()["code"] == "report.not_found"
