"""Decision lists (决策清单): all-or-nothing filing, numbering, visibility, close-out state."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from system_kit import PeerDown, WenpingSystem
from test_tracking_kit import list_item

from wenping_intake.decision_lists.models import DecisionList
from wenping_intake.projects.models import Project


def item(**overrides: Any) -> dict[str, Any]:
    """A list item (test_tracking_kit's) with its planned decision date and deadline."""
    return list_item(**{"planned_decision_date": "2026-12-31", "deadline": "2026-12-01", **overrides})


def list_body(n: int = 3, **overrides: Any) -> dict[str, Any]:
    return {
        "batch": "start_of_year",
        "year": 2026,
        "title": f"年初决策清单-{uuid.uuid4().hex[:8]}",
        "items": [item() for _ in range(n)],
        **overrides,
    }


async def file_list(system: WenpingSystem, user: str = "tx.filer", **overrides: Any) -> dict[str, Any]:
    response = await system.intake.post("/api/v1/decision-lists", json=list_body(**overrides), headers=await system.auth(user))
    assert response.status_code == 201, response.text
    return response.json()


async def counts(system: WenpingSystem) -> tuple[int, int]:
    async with system.apps["intake"].state.sessionmaker() as session:
        lists = (await session.exec(select(func.count()).select_from(DecisionList))).one()
        projects = (await session.exec(select(func.count()).select_from(Project))).one()
    return int(lists), int(projects)


async def test_filing_a_list_creates_filed_numbered_projects_in_item_order(system: WenpingSystem) -> None:
    body = list_body(4)
    body["items"][2] = item(category="event", expected_participants=800, interests=["public_safety"])
    response = await system.intake.post("/api/v1/decision-lists", json=body, headers=await system.auth("tx.filer"))
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/api/v1/decision-lists/{created['id']}"
    assert created["region_code"] == "330483" and created["batch"] == "start_of_year" and created["batch_label"] == "年初"
    assert created["responsible_org_name"] == "桐乡市自然资源和规划局"
    assert created["item_count"] == 4 and created["close_out"] == {"closed_out": 0, "open": 4, "overdue": 0}
    items = created["items"]
    assert [i["title"] for i in items] == [i["title"] for i in body["items"]]
    assert [i["position"] for i in items] == [1, 2, 3, 4]
    seqs = [int(i["number"].rsplit("-", 1)[1]) for i in items]
    assert seqs == list(range(seqs[0], seqs[0] + 4)) and all(i["number"].startswith("WP-330483-") for i in items)
    assert all(i["status"] == "filed" and i["close_out_state"] == "open" for i in items)

    project = (
        await system.intake.get(f"/api/v1/projects/{items[2]['project_id']}", headers=await system.auth("tx.filer"))
    ).json()
    assert project["decision_list_id"] == created["id"] and project["filing_batch"] == "start_of_year"
    assert project["mandatory"] is True and project["status"] == "filed" and project["filed_at"]
    ledger = (
        await system.intake.get(f"/api/v1/projects/{items[0]['project_id']}/ledger", headers=await system.auth("tx.filer"))
    ).json()
    assert [(e["action"], e["from_status"], e["to_status"]) for e in ledger["items"]] == [("file_in_list", None, "filed")]
    assert ledger["items"][0]["details"]["decision_list_id"] == created["id"]


async def test_one_bad_item_creates_nothing_and_names_the_item(system: WenpingSystem) -> None:
    before = await counts(system)
    for bad, loc_tail in (
        ({"category": "project"}, None),  # sub_kind missing: a cross-field rule
        ({"title": ""}, "title"),
        ({"initiation": "designation"}, "initiation"),
        ({"interests": ["nonsense"]}, "interests"),
        ({"status": "approved"}, "status"),
        ({"filing_batch": "mid_year"}, "filing_batch"),
    ):
        body = list_body(4)
        body["items"][3] = item(**bad)
        response = await system.intake.post("/api/v1/decision-lists", json=body, headers=await system.auth("tx.filer"))
        assert response.status_code == 422, (bad, response.text)
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        loc = problem["errors"][0]["loc"]
        assert loc[:2] == ["items", 3], (bad, loc)
        if loc_tail:
            assert loc_tail in loc, (bad, loc)
        assert problem["detail"] and any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"])
    for bad_body in (
        list_body(0),
        list_body(1, batch="ad_hoc"),
        list_body(1, year=1990),
        list_body(1, year=2035),
        list_body(1, title="  "),
        {**list_body(1), "region_code": "620700"},
    ):
        response = await system.intake.post("/api/v1/decision-lists", json=bad_body, headers=await system.auth("tx.filer"))
        assert response.status_code == 422, response.text
    assert await counts(system) == before


async def test_only_filers_file_lists(system: WenpingSystem) -> None:
    before = await counts(system)
    for user in ("jx.reviewer", "jx.supervisor", "agency.jx", "zj.admin"):
        response = await system.intake.post("/api/v1/decision-lists", json=list_body(1), headers=await system.auth(user))
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "decision_list.filer_only"
    assert await counts(system) == before


async def test_idempotency_key_replays_and_refuses_another_body(system: WenpingSystem) -> None:
    key = f"lists-{uuid.uuid4().hex}"
    body = list_body(2)
    headers = {**await system.auth("tx.filer"), "Idempotency-Key": key}
    first = await system.intake.post("/api/v1/decision-lists", json=body, headers=headers)
    assert first.status_code == 201
    before = await counts(system)
    again = await system.intake.post("/api/v1/decision-lists", json=body, headers=headers)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.headers.get("idempotent-replayed") == "true"
    other = await system.intake.post("/api/v1/decision-lists", json=list_body(2), headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency.key_reused"
    assert await counts(system) == before


async def test_visibility_of_lists_follows_the_projects_rule(system: WenpingSystem) -> None:
    mine = await file_list(system, "tx.filer")
    theirs = await file_list(system, "zy.filer")

    async def ids(user: str, **params: Any) -> set[str]:
        listed = await system.every_item("intake", "/api/v1/decision-lists", await system.auth(user), **params)
        return {d["id"] for d in listed}

    tx = await ids("tx.filer")
    assert mine["id"] in tx and theirs["id"] not in tx
    jx = await ids("jx.reviewer")
    assert mine["id"] in jx and theirs["id"] not in jx
    zy = await ids("zy.reviewer")
    assert theirs["id"] in zy and mine["id"] not in zy
    assert mine["id"] not in await ids("jx.fgw.filer")  # another department of the same city
    assert mine["id"] not in await ids("agency.jx")
    assert mine["id"] not in await ids("jx.reviewer", region_code="330421")
    assert mine["id"] in await ids("jx.reviewer", region_code="330483", year=2026, batch="start_of_year")
    assert mine["id"] not in await ids("jx.reviewer", batch="mid_year")

    client = await system.client_token("demo-platform", "wenping-demo-secret")
    page = (await system.intake.get("/api/v1/decision-lists", params={"limit": 200}, headers={"Authorization": f"Bearer {client}"})).json()
    assert all(d["region_code"].startswith("3304") for d in page["items"])

    for user in ("zy.reviewer", "zy.filer", "jx.fgw.filer", "agency.jx", "expert.jx1"):
        response = await system.intake.get(f"/api/v1/decision-lists/{mine['id']}", headers=await system.auth(user))
        assert response.status_code == 404, (user, response.text)
        assert response.json()["code"] == "decision_list.not_found"
    for user in ("tx.filer", "jx.reviewer", "jx.supervisor"):
        response = await system.intake.get(f"/api/v1/decision-lists/{mine['id']}", headers=await system.auth(user))
        assert response.status_code == 200 and len(response.json()["items"]) == 3


async def test_close_out_state_follows_the_project(system: WenpingSystem) -> None:
    created = await file_list(system, "tx.filer", items=[item(deadline="2020-01-10", planned_decision_date="2020-02-01"), item(), item(), item()])
    overdue_id, withdrawn_id, closed_id, open_id = (i["project_id"] for i in created["items"])
    assert created["items"][0]["close_out_state"] == "overdue" and created["items"][0]["days_left"] < 0
    headers = await system.auth("tx.filer")
    project = (await system.intake.get(f"/api/v1/projects/{withdrawn_id}", headers=headers)).json()
    response = await system.intake.post(
        f"/api/v1/projects/{withdrawn_id}/transitions",
        json={"action": "withdraw", "reason": "上级政策调整，不再实施"},
        headers={**headers, "If-Match": f'"{project["version"]}"'},
    )
    assert response.status_code == 200, response.text
    async with system.apps["intake"].state.sessionmaker() as session:
        row = (await session.exec(select(Project).where(col(Project.id) == closed_id))).one()
        row.status = "closed"
        session.add(row)
        await session.commit()

    detail = (await system.intake.get(f"/api/v1/decision-lists/{created['id']}", headers=headers)).json()
    states = {i["project_id"]: i for i in detail["items"]}
    assert states[overdue_id]["close_out_state"] == "overdue" and states[overdue_id]["close_out_label"] == "逾期未销号"
    assert states[withdrawn_id]["close_out_state"] == "closed_out"
    assert states[withdrawn_id]["close_out_reason"] == "项目已撤回：上级政策调整，不再实施"
    assert states[closed_id]["close_out_state"] == "closed_out" and states[closed_id]["close_out_reason"] is None
    assert states[open_id]["close_out_state"] == "open" and states[open_id]["days_left"] is not None
    assert detail["close_out"] == {"closed_out": 2, "open": 1, "overdue": 1}
    page = (await system.intake.get("/api/v1/decision-lists", params={"limit": 200}, headers=headers)).json()
    summary = next(d for d in page["items"] if d["id"] == created["id"])
    assert summary["close_out"] == {"closed_out": 2, "open": 1, "overdue": 1}


async def test_registry_down_answers_503_and_creates_nothing(system: WenpingSystem, peer_down: PeerDown) -> None:
    headers = await system.auth("tx.filer")  # the token first: the registry issues it
    assert (await system.intake.get("/api/v1/decision-lists", headers=headers)).status_code == 200  # keys fetched
    before = await counts(system)
    peer_down("registry")
    response = await system.intake.post("/api/v1/decision-lists", json=list_body(2), headers=headers)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await counts(system) == before
