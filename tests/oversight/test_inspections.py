"""Inspections (督查): a supervisor records the four checks of a project in the subtree, problems
become rectifications the inspected unit reports and the supervisor accepts or returns, open
ones are reminded (overdue flagged); circulars gather a period's problems under consecutive
numbers and print as the official .docx."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document
from inspection_kit import inspect, inspection_body, ledger_actions, problem, tx_supervisor
from oversight_kit import Spec, year_of_projects
from sqlmodel import col, select
from system_kit import WenpingSystem

from wenping_intake.targets.models import OversightChange
from wenping_shared import local_today

YEAR = 2014


async def _post(system: WenpingSystem, path: str, user: str, body: dict[str, Any] | None = None) -> Any:
    return await system.intake.post(path, json=body or {}, headers=await system.auth(user))


async def _act(system: WenpingSystem, finding: dict[str, Any], action: str, user: str,
               body: dict[str, Any] | None = None) -> Any:
    """A rectification transition with If-Match: the finding's current version, as its inspection shows it."""
    shown = await system.intake.get(f"/api/v1/inspections/{finding['inspection_id']}", headers=await system.auth("jx.supervisor"))
    version = next(f["version"] for f in shown.json()["findings"] if f["id"] == finding["id"])
    headers = {**await system.auth(user), "If-Match": f'"{version}"'}
    return await system.intake.post(f"/api/v1/inspections/findings/{finding['id']}/{action}", json=body or {}, headers=headers)


async def _rectification_reminders(system: WenpingSystem, user: str, project_id: str) -> list[dict[str, Any]]:
    response = await system.intake.get("/api/v1/reminders", headers=await system.auth(user),
                                       params={"kind": "rectification_deadline", "within_days": 30, "limit": 200})
    assert response.status_code == 200, response.text
    return [r for r in response.json()["items"] if r["project_id"] == project_id]


async def test_who_may_record_an_inspection(system: WenpingSystem) -> None:
    [project] = await year_of_projects(system, "js.zjj.filer", YEAR, [Spec(status="tracking")])
    today = local_today()
    body = inspection_body(project["id"], today, {"procedure": today + dt.timedelta(days=10)})

    refused = await _post(system, "/api/v1/inspections", "js.zjj.filer", body)
    assert (refused.status_code, refused.json()["code"]) == (403, "inspection.supervisor_only")
    sibling = await system.intake.post("/api/v1/inspections", json=body, headers=await tx_supervisor(system))
    assert (sibling.status_code, sibling.json()["code"]) == (404, "project.not_found")

    three = {**body, "checks": body["checks"][:3]}
    assert (await _post(system, "/api/v1/inspections", "jx.supervisor", three)).status_code == 422
    twice = {**body, "checks": [body["checks"][0]] * 4}
    assert "各记录一条" in (await _post(system, "/api/v1/inspections", "jx.supervisor", twice)).json()["detail"]
    no_deadline = {**body, "checks": [{**body["checks"][0], "deadline": None}, *body["checks"][1:]]}
    assert (await _post(system, "/api/v1/inspections", "jx.supervisor", no_deadline)).status_code == 422
    future = {**body, "inspected_on": (today + dt.timedelta(days=1)).isoformat()}
    assert (await _post(system, "/api/v1/inspections", "jx.supervisor", future)).status_code == 422

    recorded = await inspect(system, body)
    assert recorded["org_id"] == recorded["findings"][0]["org_id"] and recorded["open_rectifications"] == 1
    path = f"/api/v1/inspections/{recorded['id']}"
    for user, status in (("js.zjj.filer", 200), ("jx.reviewer", 200), ("zj.admin", 200), ("tx.filer", 404),
                         ("jx.fgw.filer", 404)):
        assert (await system.intake.get(path, headers=await system.auth(user))).status_code == status, user
    assert (await system.intake.get(path, headers=await tx_supervisor(system))).status_code == 404
    listed = await system.intake.get("/api/v1/inspections", params={"project_id": project["id"]},
                                     headers=await tx_supervisor(system))
    assert listed.json()["items"] == []


async def test_rectification_state_machine_reminders_ledger_and_audit(system: WenpingSystem) -> None:
    [project] = await year_of_projects(system, "js.zjj.filer", YEAR, [Spec(status="tracking")])
    today = local_today()
    body = inspection_body(project["id"], today - dt.timedelta(days=10), {
        "procedure": today - dt.timedelta(days=1), "closure": today + dt.timedelta(days=5)})
    inspection = await inspect(system, body)
    late, due = problem(inspection, "procedure"), problem(inspection, "closure")
    assert (late["state"], late["state_label"], late["overdue"], late["days_left"]) == ("required", "待整改", True, -1)
    assert problem(inspection, "quality")["state"] is None

    # Open rectifications are reminded to the inspected unit and the supervisor, the late one flagged.
    for user in ("js.zjj.filer", "jx.supervisor"):
        reminders = {r["finding_id"]: r for r in await _rectification_reminders(system, user, project["id"])}
        assert set(reminders) == {late["id"], due["id"]}, user
        assert (reminders[late["id"]]["severity"], reminders[due["id"]]["severity"]) == ("overdue", "upcoming")
    assert await _rectification_reminders(system, "tx.filer", project["id"]) == []

    early = await _act(system, late, "accept", "jx.supervisor")
    assert (early.status_code, early.json()["code"]) == (409, "inspection.invalid_transition")
    assert "待整改" in early.json()["detail"] and "已报告整改" in early.json()["detail"]
    assert (await _act(system, late, "report", "tx.filer", {"report": "x"})).status_code == 404
    not_unit = await _act(system, late, "report", "jx.supervisor", {"report": "x"})
    assert (not_unit.status_code, not_unit.json()["code"]) == (403, "inspection.rectification_forbidden")
    assert (await _act(system, late, "accept", "js.zjj.filer")).status_code == 403
    path = f"/api/v1/inspections/findings/{late['id']}/report"
    bare = await system.intake.post(path, json={"report": "x"}, headers=await system.auth("js.zjj.filer"))
    assert (bare.status_code, bare.json()["code"]) == (428, "request.if_match_required")
    stale = await system.intake.post(path, json={"report": "x"}, headers={**await system.auth("js.zjj.filer"), "If-Match": '"7"'})
    assert stale.status_code == 412

    reported = await _act(system, late, "report", "js.zjj.filer", {"report": "已补齐公示材料并重新公示 7 日"})
    assert reported.status_code == 200, reported.text
    assert (reported.json()["state"], reported.json()["overdue"]) == ("reported", False)
    assert reported.headers["etag"] == f'"{reported.json()["version"]}"'
    again = await _act(system, late, "report", "js.zjj.filer", {"report": "再报"})
    assert (again.status_code, again.json()["code"]) == (409, "inspection.invalid_transition")
    assert [r["finding_id"] for r in await _rectification_reminders(system, "js.zjj.filer", project["id"])] == [due["id"]]

    no_reason = await _act(system, late, "return", "jx.supervisor")
    assert no_reason.status_code == 422 and "理由" in no_reason.json()["detail"]
    new_deadline = today + dt.timedelta(days=7)
    returned = await _act(system, late, "return", "jx.supervisor", {"note": "公示照片不清晰", "deadline": new_deadline.isoformat()})
    assert (returned.json()["state"], returned.json()["deadline"]) == ("returned", new_deadline.isoformat())
    assert late["id"] in {r["finding_id"] for r in await _rectification_reminders(system, "js.zjj.filer", project["id"])}
    assert (await _act(system, late, "report", "js.zjj.filer", {"report": "已补拍照片"})).status_code == 200
    accepted = await _act(system, late, "accept", "jx.supervisor", {"note": "整改到位"})
    assert (accepted.json()["state"], accepted.json()["decided_by"] is not None) == ("accepted", True)
    assert (await _act(system, late, "return", "jx.supervisor", {"note": "x"})).status_code == 409

    shown = (await system.intake.get(f"/api/v1/inspections/{inspection['id']}", headers=await system.auth("js.zjj.filer"))).json()
    assert shown["open_rectifications"] == 1

    actions = [e["action"] for e in await ledger_actions(system, project["id"])]
    assert actions[-5:] == ["inspection_recorded", "rectification_reported", "rectification_returned",
                            "rectification_reported", "rectification_accepted"]
    async with system.apps["intake"].state.sessionmaker() as session:
        trail = (await session.exec(select(OversightChange).where(col(OversightChange.object_id) == late["id"])
                                    .order_by(col(OversightChange.at)))).all()
    assert [c.action for c in trail] == ["rectification_reported", "rectification_returned", "rectification_reported",
                                         "rectification_accepted"]


async def test_circulars_are_numbered_consecutively_and_print_as_the_official_letter(system: WenpingSystem) -> None:
    a, b = (await year_of_projects(system, "js.zjj.filer", YEAR, [Spec(status="tracking")]))[0], None
    [b] = await year_of_projects(system, "tx.filer", YEAR, [Spec(status="tracking")])
    # A past month of its own (the database is shared by the run): March 2013.
    start, end = dt.date(2013, 3, 1), dt.date(2013, 3, 31)
    await inspect(system, inspection_body(a["id"], dt.date(2013, 3, 5), {"procedure": dt.date(2013, 4, 5)}, "甲"))
    await inspect(system, inspection_body(b["id"], dt.date(2013, 3, 9), {"quality": dt.date(2013, 4, 9),
                                                                          "closure": dt.date(2013, 4, 9)}, "乙"))
    await inspect(system, inspection_body(b["id"], dt.date(2013, 4, 2), {"quality": dt.date(2013, 5, 2)}, "丙"))
    body = {"period_start": start.isoformat(), "period_end": end.isoformat(), "issuing_office": "嘉兴市委政法委",
            "number_prefix": "嘉政法通"}

    assert (await _post(system, "/api/v1/inspections/circulars", "js.zjj.filer", body)).status_code == 403
    outside = await system.intake.post("/api/v1/inspections/circulars", json={**body, "region_code": "330421"},
                                       headers=await tx_supervisor(system))
    assert (outside.status_code, outside.json()["code"]) == (403, "oversight.outside_subtree")
    empty = await _post(system, "/api/v1/inspections/circulars", "jx.supervisor",
                        {**body, "period_start": "2012-01-01", "period_end": "2012-01-31"})
    assert (empty.status_code, empty.json()["code"]) == (422, "circular.no_findings")

    first = (await _post(system, "/api/v1/inspections/circulars", "jx.supervisor", body)).json()
    second = (await _post(system, "/api/v1/inspections/circulars", "jx.supervisor", body)).json()
    year = local_today().year
    assert second["seq"] == first["seq"] + 1
    assert second["document_number"] == f"嘉政法通〔{year}〕{second['seq']}号"
    assert [f["finding"][:1] for f in first["findings"]] == ["甲", "乙", "乙"]  # April's 丙 is outside the period
    assert [a["org_name"] for a in first["addressees"]] == ["嘉善县住房和城乡建设局", "桐乡市自然资源和规划局"]

    response = await system.intake.get(f"/api/v1/inspections/circulars/{first['id']}/circular.docx",
                                       headers=await system.auth("js.zjj.filer"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vnd.openxml")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "嘉兴市委政法委"  # the 版头, in red
    assert document.paragraphs[0].runs[0].font.color.rgb is not None
    assert first["document_number"] in text and first["title"] in text
    assert "嘉善县住房和城乡建设局、桐乡市自然资源和规划局：" in text
    for finding in first["findings"]:
        assert finding["finding"] in text and finding["project_number"] in text
    assert "整改时限：2013年4月5日。" in text and "丙" not in text
    assert "印发" in document.tables[0].rows[-1].cells[-1].text  # the 版记

    for user, status in (("tx.filer", 200), ("jx.reviewer", 200), ("jx.fgw.filer", 404)):
        got = await system.intake.get(f"/api/v1/inspections/circulars/{first['id']}", headers=await system.auth(user))
        assert got.status_code == status, user
    mine = await system.intake.get("/api/v1/inspections/circulars", headers=await system.auth("tx.filer"))
    assert first["id"] in {c["id"] for c in mine.json()["items"]}
    assert "circular_issued" in [e["action"] for e in await ledger_actions(system, b["id"])]
