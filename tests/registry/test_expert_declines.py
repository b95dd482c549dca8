"""A drawn expert sees the project, may decline with a reason; the replacement is drawn by the
same versioned algorithm, recorded with the original draw and verifiable on its own; a declined
draw no longer counts towards the expert's load; the pool names every candidate's employer."""

from __future__ import annotations

from typing import Any

from expert_kit import ACCOUNTS, DRAWER, draw, expert_accounts
from registry_kit import make_project
from system_kit import WenpingSystem

FIELD = "finance"


async def _decline(system: WenpingSystem, draw_id: str, who: str, reason: str = "与项目单位有合作关系，申请回避") -> Any:
    return await system.registry.post(
        f"/api/v1/expert-draws/{draw_id}/declines", json={"reason": reason}, headers=await system.auth(who)
    )


async def test_drawn_expert_sees_the_project_declines_and_is_replaced(system: WenpingSystem) -> None:
    accounts = await expert_accounts(system, 4, FIELD)
    project = await make_project(system, "jx.fgw.filer")
    other = await make_project(system, "jx.fgw.filer")
    original = await draw(system, project["id"], FIELD, 2, seed=20261129)
    chosen_ids = [c["expert_id"] for c in original["chosen"]]
    decliner, stayer = (ACCOUNTS[i] for i in chosen_ids)
    left_out = next(a for a in accounts if a.expert_id not in chosen_ids)

    # The pool names every candidate's employer, also when it is no registry organisation.
    full = (await system.registry.get(f"/api/v1/expert-draws/{original['id']}", headers=await system.auth(DRAWER))).json()
    mine = {a.expert_id: a for a in accounts}
    recorded = {e["expert_id"]: e for e in full["pool"] if e["expert_id"] in mine}
    assert {i: (e["employer_org_id"], e["employer_name"]) for i, e in recorded.items()} == {
        i: (None, a.employer_name) for i, a in mine.items()
    }
    assert all(c["employer_name"] == ACCOUNTS[c["expert_id"]].employer_name for c in original["chosen"])

    # A drawn expert sees exactly the projects they were drawn for: the one, in the list too.
    as_decliner = await system.auth(decliner.username)
    assert (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=as_decliner)).status_code == 200
    assert (await system.intake.get(f"/api/v1/projects/{other['id']}", headers=as_decliner)).status_code == 404
    listed = (await system.intake.get("/api/v1/projects", params={"limit": 200}, headers=as_decliner)).json()
    assert [p["id"] for p in listed["items"]] == [project["id"]]
    as_left_out = await system.auth(left_out.username)
    assert (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=as_left_out)).status_code == 404
    assert (await system.registry.get(f"/api/v1/expert-draws/{original['id']}", headers=as_left_out)).status_code == 404

    # The expert sees their own draw (not the whole pool); only they may decline it.
    own = await system.registry.get(f"/api/v1/expert-draws/{original['id']}", headers=as_decliner)
    assert own.status_code == 200 and own.json()["pool"] is None
    assert (await _decline(system, original["id"], left_out.username)).status_code == 404
    refused = await _decline(system, original["id"], DRAWER)
    assert refused.status_code == 403 and refused.json()["code"] == "expert_draw.decline_forbidden"
    assert (await system.registry.post(f"/api/v1/expert-draws/{original['id']}/declines", json={"reason": "理由\x07"},
                                       headers=as_decliner)).status_code == 422

    declined = await _decline(system, original["id"], decliner.username)
    assert declined.status_code == 201, declined.text
    [record] = declined.json()["declines"]
    assert record["expert_id"] == decliner.expert_id and record["reason"] == "与项目单位有合作关系，申请回避"
    assert [c["declined"] for c in declined.json()["chosen"]] == [c == decliner.expert_id for c in chosen_ids]
    again = await _decline(system, original["id"], decliner.username)
    assert again.status_code == 409 and again.json()["code"] == "expert_draw.already_declined"

    # The replacement: its own record (one expert, neither of the first two), verifiable; the
    # original still verifies as drawn.
    headers = await system.auth(DRAWER)
    replacement = (await system.registry.get(f"/api/v1/expert-draws/{record['replacement_draw_id']}", headers=headers)).json()
    assert replacement["replaces_draw_id"] == original["id"] and replacement["replaces_expert_id"] == decliner.expert_id
    assert replacement["algorithm_version"] == original["algorithm_version"] and replacement["count"] == 1
    [substitute] = [c["expert_id"] for c in replacement["chosen"]]
    assert substitute == record["replacement_expert_id"] and substitute not in chosen_ids
    avoided = {e["expert_id"]: e["excluded_for"] for e in replacement["pool"]}
    assert all("already_drawn_for_project" in avoided[i] for i in chosen_ids)
    for draw_id in (original["id"], replacement["id"]):
        verified = (await system.registry.get(f"/api/v1/expert-draws/{draw_id}/verify", headers=headers)).json()
        assert verified["verified"] is True, verified

    # Intake hears of it: the decliner no longer sees the project, the substitute does.
    await system.drain_outboxes()
    assert (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=as_decliner)).status_code == 404
    assert (await system.intake.get("/api/v1/projects", headers=as_decliner)).json()["items"] == []
    if substitute in ACCOUNTS:
        as_substitute = await system.auth(ACCOUNTS[substitute].username)
        assert (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=as_substitute)).status_code == 200
    as_stayer = await system.auth(stayer.username)
    assert (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=as_stayer)).status_code == 200
    ledger = (await system.intake.get(f"/api/v1/projects/{project['id']}/ledger", headers=await system.auth("jx.fgw.filer"))).json()
    actions = [e["action"] for e in ledger["items"]]
    assert actions.count("expert_drawn") == 3 and actions.count("expert_declined") == 1

    # Load: the declined draw no longer counts, the accepted one does.
    admin = await system.auth("zj.admin")
    declined_detail = (await system.registry.get(f"/api/v1/experts/{decliner.expert_id}", headers=admin)).json()
    stayer_detail = (await system.registry.get(f"/api/v1/experts/{stayer.expert_id}", headers=admin)).json()
    assert (declined_detail["draws_this_year"], stayer_detail["draws_this_year"]) == (0, 1)
    assert declined_detail["participation"][0]["declined_at"] is not None


async def test_no_decline_once_the_assessment_has_ended(system: WenpingSystem) -> None:
    await expert_accounts(system, 2, FIELD)
    project = await make_project(system, "jx.fgw.filer")
    drawn = await draw(system, project["id"], FIELD, 1)
    expert = ACCOUNTS[drawn["chosen"][0]["expert_id"]]
    filer = await system.auth("jx.fgw.filer")
    version = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=filer)).json()["version"]
    withdrawn = await system.intake.post(f"/api/v1/projects/{project['id']}/transitions",
                                         json={"action": "withdraw", "reason": "决策事项取消"},
                                         headers={**filer, "If-Match": f'"{version}"'})
    assert withdrawn.status_code == 200, withdrawn.text
    refused = await _decline(system, drawn["id"], expert.username)
    assert refused.status_code == 409 and refused.json()["code"] == "expert_draw.assessment_ended"
    assert "撤回" in refused.json()["detail"]

