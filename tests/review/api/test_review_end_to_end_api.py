"""The whole way: intake submit -> review opened -> reviewer decides -> intake's project moves
and the registry records the agency's performance; exactly once, even with peers down."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from review_kit import (
    System,
    TakeDown,
    agency_report_for,
    intake_project_commissioned,
    items_by_code,
    judge_all_pending,
    submit_to_intake,
)
from sqlmodel import col, select

from wenping_review.database import OutboxMessage


async def _opened_review(system: System, project_id: str) -> dict[str, Any]:
    await system.drain_outboxes()
    filer = await system.auth("jx.fgw.filer")
    project = (await system.intake.get(f"/api/v1/projects/{project_id}", headers=filer)).json()
    assert project["status"] == "under_review", project
    r = await system.review.get(f"/api/v1/reviews/{project['current_review_id']}", headers=await system.auth("jx.reviewer"))
    assert r.status_code == 200, r.text
    return r.json()


async def _performance_records(system: System, review_id: str) -> list[Any]:
    from wenping_registry.agencies.models import AgencyPerformanceRecord

    async with system.apps["registry"].state.sessionmaker() as s:
        return list(
            (await s.exec(select(AgencyPerformanceRecord).where(col(AgencyPerformanceRecord.review_id) == review_id))).all()
        )


async def _messages(system: System, review_id: str) -> list[OutboxMessage]:
    async with system.apps["review"].state.sessionmaker() as s:
        rows = (await s.exec(select(OutboxMessage))).all()
    return [m for m in rows if m.payload.get("review_id") == review_id]


async def test_submit_review_decide_and_everyone_is_told(system: System) -> None:
    project = await intake_project_commissioned(system)
    await submit_to_intake(system, project, await agency_report_for(system, project))
    review = await _opened_review(system, project["id"])
    items = items_by_code(review)
    failing = {c: i["evidence"] for c, i in items.items() if i["result"] == "fail"}
    assert failing == {}, failing
    assert items["C02.2"]["result"] == "pass" and "B级" in items["C02.2"]["evidence"]
    assert review["agency_org_id"] and review["assessor_kind"] == "agency"
    # The agency that submitted reads its review (read-only).
    assert (await system.review.get(f"/api/v1/reviews/{review['id']}", headers=await system.auth("agency.jx"))).status_code == 200
    review = await judge_all_pending(system, review)
    reviewer = await system.auth("jx.reviewer")
    r = await system.decide_review(review['id'], {}, reviewer)
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "approved"
    await system.drain_outboxes()
    moved = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=await system.auth("jx.fgw.filer"))).json()
    assert moved["status"] == "approved"
    records = await _performance_records(system, review["id"])
    assert len(records) == 1 and records[0].verdict == "approved" and records[0].score == 100
    assert all(m.delivered_at is not None for m in await _messages(system, review["id"]))
    # The approved letter says it passed and is filed for record.
    r = await system.review.get(f"/api/v1/reviews/{review['id']}/feedback.docx", headers=await system.auth("jx.fgw.filer"))
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "审查通过" in text and "备案" in text and "嘉兴市发展和改革委员会：" in text


async def test_precheck_with_a_project(system: System) -> None:
    project = await intake_project_commissioned(system)
    data = await agency_report_for(system, project)
    r = await system.review.post(
        "/api/v1/precheck", json={"report": data, "project_id": project["id"]}, headers=await system.auth("agency.jx")
    )
    assert r.status_code == 200, r.text
    items = {i["code"]: i for i in r.json()["items"]}
    for code in ("C01.2", "C02.1", "C02.2"):
        assert items[code]["result"] == "pass", (code, items[code]["evidence"])
    assert r.json()["failed_items"] == [] and r.json()["provisional_verdict"] == "approved"
    # The project is the agency's and its filer's; another agency or city does not see it.
    for user, status in (("jx.fgw.filer", 200), ("jx.reviewer", 200), ("agency.zy", 404), ("jx.zjj.filer", 404), ("zy.reviewer", 404)):
        r = await system.review.post(
            "/api/v1/precheck", json={"report": data, "project_id": project["id"]}, headers=await system.auth(user)
        )
        assert r.status_code == status, (user, r.text)


async def test_decision_survives_peers_down_and_is_applied_once(system: System, peer_down: TakeDown) -> None:
    project = await intake_project_commissioned(system)
    data = await agency_report_for(system, project)
    data["filing_form"]["sealed"] = False  # C01.4 fails: returned for revision
    await submit_to_intake(system, project, data)
    review = await judge_all_pending(system, await _opened_review(system, project["id"]))
    reviewer = await system.auth("jx.reviewer")
    intake_service = await system.service_headers("review", "intake")
    registry_service = await system.service_headers("review", "registry")
    peer_down("intake")
    peer_down("registry")
    system.apps["review"].state.registry_source.organizations.clear()  # the office name is not known either
    r = await system.decide_review(review['id'], {"comment": "请补盖公章"}, reviewer)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["verdict"] == "returned_for_revision"
    await system.drain_outboxes()
    pending = [m for m in await _messages(system, review["id"]) if m.payload.get("verdict")]
    assert {(m.destination, m.delivered_at) for m in pending} == {("intake", None), ("registry", None)}
    assert all(m.attempts >= 1 and not m.dead for m in pending)
    # Peers back; the backoff is over.
    system.transport.down.clear()
    async with system.apps["review"].state.sessionmaker() as s:
        for m in pending:
            m.available_at = m.created_at
            s.add(m)
        await s.commit()
    await system.drain_outboxes()
    assert all(m.delivered_at is not None for m in await _messages(system, review["id"]))
    filer = await system.auth("jx.fgw.filer")
    moved = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=filer)).json()
    assert moved["status"] == "returned"
    records = await _performance_records(system, review["id"])
    assert len(records) == 1 and records[0].verdict == "returned_for_revision"
    # A re-delivery of both messages changes nothing.
    for m in pending:
        client, headers = (system.intake, intake_service) if m.destination == "intake" else (system.registry, registry_service)
        again = await client.post(m.path, json=m.payload, headers={**headers, "Idempotency-Key": f"outbox:{m.id}"})
        assert again.status_code == 200, again.text
    after = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=filer)).json()
    assert after["status"] == "returned" and after["version"] == moved["version"]
    assert len(await _performance_records(system, review["id"])) == 1
    # The issuing office, unknown at the decision, is asked when the letter is read.
    assert decided["issuing_office"] is None and decided["document_number"].startswith("稳评审查函〔")
    r = await system.review.get(f"/api/v1/reviews/{review['id']}/feedback", headers=filer)
    assert r.status_code == 200, r.text
    assert r.json()["issuing_office"] == "嘉兴市委政法委"
    assert "报备表须经决策主体负责人签署意见并加盖单位公章" in r.json()["text"]


async def test_reviewer_opens_a_round_intake_could_not_hand_over(system: System, peer_down: TakeDown) -> None:
    project = await intake_project_commissioned(system)
    data = await agency_report_for(system, project)
    await system.auth("jx.reviewer")
    peer_down("review")
    await submit_to_intake(system, project, data)
    await system.drain_outboxes()
    system.transport.down.clear()
    r = await system.review.post(
        "/api/v1/reviews", json={"project_id": project["id"], "round": 1}, headers=await system.auth("jx.reviewer")
    )
    assert r.status_code == 201, r.text
    review = r.json()
    assert review["opened_by"].startswith("user:") or review["opened_by"]
    assert review["report_title"] and len(review["items"]) == 45
    assert review["submitted_on"] and review["agency_org_id"]
    # Another city's reviewer cannot open it (404), the same reviewer again gets the same review.
    r = await system.review.post(
        "/api/v1/reviews", json={"project_id": project["id"], "round": 1}, headers=await system.auth("zy.reviewer")
    )
    assert r.status_code == 404
    r = await system.review.post(
        "/api/v1/reviews", json={"project_id": project["id"], "round": 1}, headers=await system.auth("jx.reviewer")
    )
    assert r.status_code == 200 and r.json()["id"] == review["id"]
    r = await system.review.post(
        "/api/v1/reviews", json={"project_id": project["id"], "round": 2}, headers=await system.auth("jx.reviewer")
    )
    assert r.status_code == 404 and r.json()["code"] == "report.not_found"
    # Intake's delayed hand-off lands on the same review; intake moves to under_review once.
    async with system.apps["intake"].state.sessionmaker() as s:
        from wenping_intake.database import OutboxMessage as IntakeOutbox

        rows = (await s.exec(select(IntakeOutbox).where(col(IntakeOutbox.path) == "/api/v1/reviews"))).all()
        for m in rows:
            if m.payload.get("project_id") == project["id"]:
                m.available_at = m.created_at
                s.add(m)
        await s.commit()
    await system.drain_outboxes()
    opened = await _opened_review(system, project["id"])
    assert opened["id"] == review["id"]
