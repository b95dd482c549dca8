"""GET /api/v1/reminders: projects, list items and measures near or past their deadline, per caller."""

from __future__ import annotations

import datetime as dt
from typing import Any

from system_kit import WenpingSystem
from test_tracking_kit import file_items, file_projects, force_state, list_item, measures

from wenping_shared import local_today


async def reminders(system: WenpingSystem, user: str | None = None, headers: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
    """Every reminder of the caller, walking the pages (small pages on purpose)."""
    headers = headers or await system.auth(user or "")
    return await system.every_item("intake", "/api/v1/reminders", headers, **{"limit": 50, **params})


def keys(items: list[dict[str, Any]]) -> set[tuple[str, str, str | None]]:
    # A project may owe several rectifications: each is told apart by its finding.
    return {(r["kind"], r["project_id"], r["measure_id"] or r.get("finding_id")) for r in items}


async def test_reminders_for_projects_list_items_and_measures(system: WenpingSystem) -> None:
    today = local_today()
    headers = await system.auth("tx.filer")
    # An ad-hoc project (not in a list) overdue by 3 days.
    body = list_item(deadline=(today - dt.timedelta(days=3)).isoformat(), planned_decision_date=(today + dt.timedelta(days=30)).isoformat())
    single = await system.intake.post("/api/v1/projects", json=body, headers=headers)
    assert single.status_code == 201, single.text
    single_id = single.json()["id"]
    # List items: due in 2 days, due in 10 days, overdue but closed, overdue but withdrawn.
    soon, later, closed, withdrawn = await file_items(
        system, "tx.filer",
        [list_item(deadline=(today + dt.timedelta(days=d)).isoformat()) for d in (2, 10, -5, -5)],
    )
    await force_state(system, closed, "closed")
    await force_state(system, withdrawn, "withdrawn")
    # Measures: one overdue and open, one overdue but completed, one without a deadline.
    (tracked,) = await file_projects(system, "tx.filer", 1)
    past = (today - dt.timedelta(days=1)).isoformat()
    await force_state(
        system, tracked, "implement", rounds=1,
        report=measures(("测量甲", "单位甲", past), ("测量乙", "单位乙", past), ("测量丙", "单位丙", None)),
    )
    response = await system.intake.post(
        f"/api/v1/projects/{tracked}/tracking", json={"measure": 1, "progress_percent": 100, "status": "completed"}, headers=headers
    )
    assert response.status_code == 201, response.text
    open_measure = next(
        m for m in (await system.intake.get(f"/api/v1/projects/{tracked}/tracking", headers=headers)).json()["measures"]
        if m["measure_index"] == 0
    )

    mine = await reminders(system, "tx.filer")
    by_key = {(r["kind"], r["project_id"], r["measure_id"]): r for r in mine}
    single_r = by_key[("project_deadline", single_id, None)]
    assert single_r["days_left"] == -3 and single_r["severity"] == "overdue" and single_r["severity_label"] == "已逾期"
    soon_r = by_key[("decision_list_item", soon, None)]
    assert soon_r["days_left"] == 2 and soon_r["severity"] == "urgent" and soon_r["decision_list_id"]
    measure_r = by_key[("measure_deadline", tracked, open_measure["id"])]
    assert measure_r["days_left"] == -1 and measure_r["due_date"] == past and "单位甲" in measure_r["title"]
    assert ("decision_list_item", later, None) not in by_key  # 10 days out, beyond the default 7
    for gone in (closed, withdrawn):
        assert not any(r["project_id"] == gone for r in mine)
    assert sum(1 for r in mine if r["project_id"] == tracked and r["kind"] == "measure_deadline") == 1
    assert not any(r["kind"] == "project_deadline" and r["project_id"] in (soon, later) for r in mine)  # no duplicates
    assert [(r["due_date"], r["kind"] == "measure_deadline") for r in mine] == sorted(
        (r["due_date"], r["kind"] == "measure_deadline") for r in mine
    )
    assert len(keys(mine)) == len(mine)

    wider = await reminders(system, "tx.filer", within_days=10)
    later_r = next(r for r in wider if r["project_id"] == later)
    assert later_r["days_left"] == 10 and later_r["severity"] == "upcoming"
    only_measures = await reminders(system, "tx.filer", kind="measure_deadline")
    assert only_measures and all(r["kind"] == "measure_deadline" for r in only_measures)

    ours = {single_id, soon, tracked}
    for user in ("jx.reviewer", "jx.supervisor"):
        assert ours <= {r["project_id"] for r in await reminders(system, user)}, user
    for user in ("zy.reviewer", "zy.filer", "jx.fgw.filer", "js.zjj.filer", "agency.jx", "zj.admin"):
        assert not ours & {r["project_id"] for r in await reminders(system, user, within_days=90)}, user
    client = await system.client_token("demo-platform", "wenping-demo-secret")
    seen = await reminders(system, headers={"Authorization": f"Bearer {client}"})
    assert ours <= {r["project_id"] for r in seen} and all(r["region_code"].startswith("3304") for r in seen)

    first = (await system.intake.get("/api/v1/reminders", headers=headers)).json()
    assert first["counts"]["total"] == len(mine)
    assert first["counts"]["overdue"] == sum(1 for r in mine if r["days_left"] < 0)


async def test_bad_reminder_parameters(system: WenpingSystem) -> None:
    headers = await system.auth("jx.reviewer")
    for params in ({"within_days": 91}, {"within_days": -1}, {"within_days": "x"}, {"kind": "nothing"}, {"limit": 0}):
        response = await system.intake.get("/api/v1/reminders", params=params, headers=headers)
        assert response.status_code == 422, (params, response.text)
    bad_cursor = await system.intake.get("/api/v1/reminders", params={"cursor": "not-a-cursor"}, headers=headers)
    assert bad_cursor.status_code == 400 and bad_cursor.json()["code"] == "pagination.invalid_cursor"
    assert (await system.intake.get("/api/v1/reminders")).status_code == 401
