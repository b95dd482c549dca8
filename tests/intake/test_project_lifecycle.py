"""The state machine: transitions, roles, If-Match, PATCH, allowed actions, decisions."""

from __future__ import annotations

from typing import Any

import pytest
from intake_kit import Projects, Reports
from system_kit import WenpingSystem


async def _post_transition(system: WenpingSystem, project_id: str, user: str, body: dict[str, Any], etag: str | None) -> Any:
    headers = await system.auth(user)
    if etag is not None:
        headers["If-Match"] = etag
    return await system.intake.post(f"/api/v1/projects/{project_id}/transitions", json=body, headers=headers)


async def test_file_then_start_assessment_with_ledger_and_allowed_actions(system: WenpingSystem, projects: Projects) -> None:
    project = await projects.create()
    filed = await projects.act(project["id"], "file")
    assert filed["status"] == "filed" and filed["filed_at"] and filed["version"] == project["version"] + 1
    assert filed["allowed_actions"] == ["start_assessment", "withdraw"]
    assessing = await projects.act(project["id"], "start_assessment")
    assert assessing["status"] == "assessing" and assessing["allowed_actions"] == ["withdraw"]
    ledger = (await system.intake.get(f"/api/v1/projects/{project['id']}/ledger", headers=await system.auth("jx.fgw.filer"))).json()
    assert [(e["action"], e["from_status"], e["to_status"]) for e in ledger["items"]] == [
        ("create", None, "draft"), ("file", "draft", "filed"), ("start_assessment", "filed", "assessing")
    ]
    assert all(e["request_id"] for e in ledger["items"])


async def test_if_match_is_required_and_must_be_current(system: WenpingSystem, projects: Projects) -> None:
    project = await projects.create()
    missing = await _post_transition(system, project["id"], "jx.fgw.filer", {"action": "file"}, None)
    assert missing.status_code == 428 and missing.json()["code"] == "request.if_match_required"
    stale = await _post_transition(system, project["id"], "jx.fgw.filer", {"action": "file"}, '"999"')
    assert stale.status_code == 412
    ok = await _post_transition(system, project["id"], "jx.fgw.filer", {"action": "file"}, f'"{project["version"]}"')
    assert ok.status_code == 200 and ok.headers["etag"] == f'"{project["version"] + 1}"'
    again = await _post_transition(system, project["id"], "jx.fgw.filer", {"action": "start_assessment"}, f'"{project["version"]}"')
    assert again.status_code == 412
    assert (await projects.get(project["id"]))["status"] == "filed"


async def test_illegal_action_answers_409_with_the_actions_allowed_now(system: WenpingSystem, projects: Projects) -> None:
    project = await projects.create()
    for action, extra in (("close", {}), ("start_assessment", {}), ("resume", {}), ("decide", {"outcome": "implement"})):
        response = await _post_transition(
            system, project["id"], "jx.fgw.filer", {"action": action, **extra}, f'"{project["version"]}"'
        )
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["code"] == "project.invalid_transition"
        assert problem["allowed_actions"] == ["file", "withdraw"] and problem["current_status"] == "draft"
        assert "草稿" in problem["detail"]
    assert (await projects.get(project["id"]))["version"] == project["version"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"action": "withdraw"}, "理由"),
        ({"action": "withdraw", "reason": "   "}, "理由"),
        ({"action": "decide"}, "outcome"),
        ({"action": "file", "outcome": "implement"}, "只有 decide"),
        ({"action": "decide", "outcome": "maybe"}, "取值无效"),
        ({"action": "explode"}, "取值无效"),
        ({"action": "file", "status": "approved"}, "不允许的字段"),
    ],
)
async def test_malformed_transitions_answer_422(system: WenpingSystem, projects: Projects, body: dict[str, Any], fragment: str) -> None:
    project = await projects.create()
    response = await _post_transition(system, project["id"], "jx.fgw.filer", body, f'"{project["version"]}"')
    assert response.status_code == 422, response.text
    assert fragment in response.json()["detail"]
    assert (await projects.get(project["id"]))["status"] == "draft"


@pytest.mark.parametrize("user", ["jx.reviewer", "jx.supervisor"])
async def test_region_readers_see_but_may_not_move_projects(system: WenpingSystem, projects: Projects, user: str) -> None:
    project = await projects.create()
    seen = await projects.get(project["id"], user)
    assert seen["allowed_actions"] == []
    response = await _post_transition(system, project["id"], user, {"action": "file"}, f'"{project["version"]}"')
    assert response.status_code == 403 and response.json()["code"] == "project.transition_forbidden"
    patch = await system.intake.patch(
        f"/api/v1/projects/{project['id']}", json={"title": "改名"},
        headers={**await system.auth(user), "If-Match": f'"{project["version"]}"'},
    )
    assert patch.status_code == 403


async def test_withdraw_from_any_open_state_with_a_reason(system: WenpingSystem, projects: Projects) -> None:
    project = await projects.assessing()
    withdrawn = await projects.act(project["id"], "withdraw", reason="项目取消")
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_at"] and withdrawn["allowed_actions"] == []
    ledger = (await system.intake.get(f"/api/v1/projects/{project['id']}/ledger", headers=await system.auth("jx.fgw.filer"))).json()
    assert ledger["items"][-1]["details"] == {"reason": "项目取消"}
    closed_again = await projects.act(project["id"], "withdraw", expect=409, reason="再次撤回")
    assert closed_again["allowed_actions"] == []


async def test_patch_edits_drafts_recomputes_triggers_and_is_refused_later(system: WenpingSystem, projects: Projects) -> None:
    project = await projects.create(interests=["environment"])
    assert project["mandatory"] is False
    headers = {**await system.auth("jx.fgw.filer"), "If-Match": f'"{project["version"]}"'}
    url = f"/api/v1/projects/{project['id']}"
    assert (await system.intake.patch(url, json={"title": "x"}, headers=await system.auth("jx.fgw.filer"))).status_code == 428
    response = await system.intake.patch(url, json={"interests": ["soe_restructuring"], "title": "国企改制方案"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "国企改制方案" and body["mandatory_triggers"][0]["code"] == "soe_restructuring"
    assert response.headers["etag"] == f'"{project["version"] + 1}"'
    stale = await system.intake.patch(url, json={"title": "y"}, headers=headers)
    assert stale.status_code == 412
    fresh = {**headers, "If-Match": response.headers["etag"]}
    for bad in ({"status": "approved"}, {"region_code": "620700"}, {"category": "event"}, {"title": None}, {"agency_id": "a"}):
        refused = await system.intake.patch(url, json=bad, headers=fresh)
        assert refused.status_code == 422, (bad, refused.text)
    ledger = (await system.intake.get(f"{url}/ledger", headers=headers)).json()
    assert ledger["items"][-1]["action"] == "update"
    assert ledger["items"][-1]["details"]["changes"]["title"] == {"from": project["title"], "to": "国企改制方案"}
    await projects.act(project["id"], "file")
    await projects.act(project["id"], "start_assessment")
    current = await projects.get(project["id"])
    late = await system.intake.patch(url, json={"title": "z"}, headers={**headers, "If-Match": f'"{current["version"]}"'})
    assert late.status_code == 409 and late.json()["code"] == "project.not_editable"


async def _approved(projects: Projects, reports: Reports) -> dict[str, Any]:
    project = await projects.assessing()
    await reports.submit(project["id"])
    review_id = await reports.opened(project["id"])
    await reports.event(project["id"], event="decided", review_id=review_id, round=1, verdict="approved", score=96.0,
                        decided_at="2026-05-01T10:00:00+08:00")
    return await projects.get(project["id"])


@pytest.mark.parametrize(
    ("outcome", "status"),
    [("implement", "implement"), ("implement_with_measures", "implement_with_measures"),
     ("defer", "deferred"), ("reject", "rejected")],
)
async def test_decide_after_approval(projects: Projects, reports: Reports, outcome: str, status: str) -> None:
    project = await _approved(projects, reports)
    assert project["status"] == "approved" and project["risk_level"] == "low"
    assert project["allowed_actions"] == ["decide", "withdraw"]
    decided = await projects.act(project["id"], "decide", outcome=outcome)
    assert decided["status"] == status and decided["decision_outcome"] == outcome and decided["decided_at"]


async def test_deferred_project_resumes_assessment(projects: Projects, reports: Reports) -> None:
    project = await _approved(projects, reports)
    deferred = await projects.act(project["id"], "decide", outcome="defer")
    assert deferred["allowed_actions"] == ["withdraw", "resume"]
    resumed = await projects.act(project["id"], "resume")
    assert resumed["status"] == "assessing"
    second = await reports.submit(project["id"])
    assert second["round"] == 2
