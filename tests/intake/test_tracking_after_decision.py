"""Tracking (跟踪问效) and effect evaluation (效果评价), through to close-out (销号)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from system_kit import WenpingSystem
from test_tracking_kit import file_projects, force_state, measures

REPORT = measures(
    ("设立征收补偿咨询窗口", "桐乡市征收办", "2026-03-31"),
    ("开展入户走访，逐户解释补偿标准", "梧桐街道办事处", "2026-06-30"),
    ("建立舆情监测与应急处置机制", None, None),
)


async def implemented(system: WenpingSystem, user: str = "tx.filer", report: dict[str, Any] | None = None) -> str:
    (project_id,) = await file_projects(system, user, 1)
    await force_state(system, project_id, "implement_with_measures", rounds=1, risk_level="medium", report=report or REPORT)
    return project_id


async def post(system: WenpingSystem, project_id: str, user: str, body: dict[str, Any], **headers: str) -> Any:
    return await system.intake.post(
        f"/api/v1/projects/{project_id}/tracking", json=body, headers={**await system.auth(user), **headers}
    )


async def project(system: WenpingSystem, project_id: str, user: str = "tx.filer") -> dict[str, Any]:
    return (await system.intake.get(f"/api/v1/projects/{project_id}", headers=await system.auth(user))).json()


async def test_first_record_starts_tracking_with_the_reports_work_list(system: WenpingSystem) -> None:
    project_id = await implemented(system)
    response = await post(system, project_id, "tx.filer", {"measure": 1, "progress_percent": 40, "status": "in_progress", "note": "已走访 120 户"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["project_status"] == "tracking"
    assert body["measure"]["content"] == "开展入户走访，逐户解释补偿标准"
    assert body["measure"]["responsible_unit"] == "梧桐街道办事处" and body["measure"]["deadline"] == "2026-06-30"
    assert body["measure"]["progress_percent"] == 40 and body["record"]["note"] == "已走访 120 户"

    # The same measure by its text; a new measure outside the report.
    again = await post(system, project_id, "tx.filer", {"measure": "开展入户走访，逐户解释补偿标准", "progress_percent": 100, "status": "completed"})
    assert again.status_code == 201 and again.json()["measure"]["id"] == body["measure"]["id"]
    extra = await post(
        system, project_id, "tx.filer",
        {"measure": "增设夜间巡逻", "progress_percent": 10, "status": "in_progress", "responsible_unit": "桐乡市公安局", "deadline": "2026-09-30"},
    )
    assert extra.status_code == 201 and extra.json()["measure"]["measure_index"] is None

    overview = (await system.intake.get(f"/api/v1/projects/{project_id}/tracking", headers=await system.auth("jx.reviewer"))).json()
    assert overview["project_status"] == "tracking"
    assert [m["measure_index"] for m in overview["measures"]] == [0, 1, 2, None]
    by_index = {m["measure_index"]: m for m in overview["measures"]}
    assert by_index[0]["status"] == "not_started" and by_index[0]["id"] and by_index[0]["overdue"] is (dt.date(2026, 3, 31) < dt.date.today())
    assert by_index[1]["status"] == "completed" and by_index[1]["record_count"] == 2 and by_index[1]["days_left"] is None
    assert by_index[None]["responsible_unit"] == "桐乡市公安局"
    assert [r["progress_percent"] for r in overview["records"]] == [10, 100, 40]

    ledger = (await system.intake.get(f"/api/v1/projects/{project_id}/ledger", headers=await system.auth("tx.filer"))).json()
    actions = [(e["action"], e["from_status"], e["to_status"]) for e in ledger["items"]]
    assert actions[-4:] == [
        ("start_tracking", "implement_with_measures", "tracking"),
        ("tracking_progress", "tracking", "tracking"),
        ("tracking_progress", "tracking", "tracking"),
        ("tracking_progress", "tracking", "tracking"),
    ]
    verify = await system.intake.get(
        f"/api/v1/projects/{project_id}/ledger", params={"verify": "true"}, headers=await system.auth("tx.filer")
    )
    assert verify.json()["verified"] is True  # our rows continue the hash chain


async def test_bad_tracking_input_is_refused_and_changes_nothing(system: WenpingSystem) -> None:
    project_id = await implemented(system)
    before = await project(system, project_id)
    for body, status in (
        ({"measure": 3, "progress_percent": 10, "status": "in_progress"}, 422),  # the report has 3 measures
        ({"measure": -1, "progress_percent": 10, "status": "in_progress"}, 422),
        ({"measure": "报告外措施", "progress_percent": 10, "status": "in_progress"}, 422),  # no responsible unit
        ({"measure": 0, "progress_percent": 101, "status": "in_progress"}, 422),
        ({"measure": 0, "progress_percent": 50, "status": "completed"}, 422),
        ({"measure": 0, "progress_percent": 100, "status": "in_progress"}, 422),
        ({"measure": 0, "progress_percent": 5, "status": "not_started"}, 422),
        ({"measure": 0, "progress_percent": 5, "status": "done"}, 422),
        ({"measure": 1.5, "progress_percent": 5, "status": "in_progress"}, 422),
        ({"measure": "  ", "progress_percent": 5, "status": "in_progress"}, 422),
        ({"measure": 0, "progress_percent": 5, "status": "in_progress", "project_id": "x"}, 422),
    ):
        response = await post(system, project_id, "tx.filer", body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])
    after = await project(system, project_id)
    assert after["status"] == "implement_with_measures" and after["version"] == before["version"]
    overview = (await system.intake.get(f"/api/v1/projects/{project_id}/tracking", headers=await system.auth("tx.filer"))).json()
    assert overview["records"] == [] and all(m["id"] is None for m in overview["measures"])


async def test_who_may_track_and_in_which_state(system: WenpingSystem) -> None:
    project_id = await implemented(system)
    body = {"measure": 0, "progress_percent": 20, "status": "in_progress"}
    for user in ("jx.reviewer", "jx.supervisor"):
        response = await post(system, project_id, user, body)
        assert response.status_code == 403 and response.json()["code"] == "tracking.forbidden"
    for user in ("zy.filer", "zy.reviewer", "jx.fgw.filer", "agency.zy", "zj.admin"):
        for path in ("tracking", "evaluation"):
            response = await system.intake.post(
                f"/api/v1/projects/{project_id}/{path}", json=body if path == "tracking" else {
                    "disputes_arisen": 0, "measures_effective": True, "summary": "平稳"},
                headers={**await system.auth(user), "If-Match": '"1"'},
            )
            assert response.status_code == 404, (user, path, response.text)
            assert response.json()["code"] == "project.not_found"
        got = await system.intake.get(f"/api/v1/projects/{project_id}/tracking", headers=await system.auth(user))
        assert got.status_code == 404, user
    missing = await post(system, str(uuid.uuid4()), "tx.filer", body)
    assert missing.status_code == 404

    (filed_id,) = await file_projects(system, "tx.filer", 1)
    refused = await post(system, filed_id, "tx.filer", body)
    assert refused.status_code == 409 and refused.json()["code"] == "tracking.not_trackable"
    assert refused.json()["current_status"] == "filed"


async def test_evaluation_moves_tracking_to_evaluated_then_close_closes_the_list_item(system: WenpingSystem) -> None:
    project_id = await implemented(system)
    evaluation = {
        "disputes_arisen": 2,
        "disputes_description": "两户对补偿面积有异议，已调解",
        "measures_effective": True,
        "summary": "措施落实到位，未发生群体性事件",
        "petitions_count": 1,
        "satisfaction_rate": 0.93,
    }
    headers = await system.auth("tx.filer")
    current = await project(system, project_id)
    early = await system.intake.post(
        f"/api/v1/projects/{project_id}/evaluation", json=evaluation, headers={**headers, "If-Match": f'"{current["version"]}"'}
    )
    assert early.status_code == 409 and early.json()["code"] == "project.invalid_transition"

    assert (await post(system, project_id, "tx.filer", {"measure": 0, "progress_percent": 100, "status": "completed"})).status_code == 201
    current = await project(system, project_id)
    no_match = await system.intake.post(f"/api/v1/projects/{project_id}/evaluation", json=evaluation, headers=headers)
    assert no_match.status_code == 428
    stale = await system.intake.post(
        f"/api/v1/projects/{project_id}/evaluation", json=evaluation, headers={**headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    for bad in ({**evaluation, "disputes_arisen": -1}, {**evaluation, "disputes_description": None}, {**evaluation, "summary": " "},
                {**evaluation, "satisfaction_rate": 1.5}, {**evaluation, "status": "closed"}):
        response = await system.intake.post(
            f"/api/v1/projects/{project_id}/evaluation", json=bad, headers={**headers, "If-Match": f'"{current["version"]}"'}
        )
        assert response.status_code == 422, (bad, response.text)
    reviewer = await system.intake.post(
        f"/api/v1/projects/{project_id}/evaluation", json=evaluation,
        headers={**await system.auth("jx.reviewer"), "If-Match": f'"{current["version"]}"'},
    )
    assert reviewer.status_code == 403
    assert (await system.intake.get(f"/api/v1/projects/{project_id}/evaluation", headers=headers)).status_code == 404
    assert (await project(system, project_id))["status"] == "tracking"

    done = await system.intake.post(
        f"/api/v1/projects/{project_id}/evaluation", json=evaluation,
        headers={**headers, "If-Match": f'"{current["version"]}"', "Idempotency-Key": f"eval-{uuid.uuid4().hex}"},
    )
    assert done.status_code == 201, done.text
    body = done.json()
    assert body["project_status"] == "evaluated" and body["measures_total"] == 3 and body["measures_completed"] == 1
    assert done.headers["etag"] == f'"{body["project_version"]}"'
    read = await system.intake.get(f"/api/v1/projects/{project_id}/evaluation", headers=await system.auth("jx.supervisor"))
    assert read.status_code == 200 and read.json()["summary"] == evaluation["summary"]
    twice = await system.intake.post(
        f"/api/v1/projects/{project_id}/evaluation", json=evaluation, headers={**headers, "If-Match": done.headers["etag"]}
    )
    assert twice.status_code == 409

    closed = await system.intake.post(
        f"/api/v1/projects/{project_id}/transitions", json={"action": "close"}, headers={**headers, "If-Match": done.headers["etag"]}
    )
    assert closed.status_code == 200, closed.text
    final = await project(system, project_id)
    assert final["status"] == "closed"
    detail = (await system.intake.get(f"/api/v1/decision-lists/{final['decision_list_id']}", headers=headers)).json()
    assert detail["items"][0]["close_out_state"] == "closed_out" and detail["items"][0]["closed_at"]
    ledger = (await system.intake.get(f"/api/v1/projects/{project_id}/ledger", headers=headers)).json()
    assert [e["action"] for e in ledger["items"]][-2:] == ["evaluate", "close"]
