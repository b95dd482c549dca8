"""GET /api/v1/stats/summary: exact figures for data this test creates (as deltas: the database
is shared), per scope, on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from system_kit import WenpingSystem
from test_tracking_kit import file_items, force_state, list_item

from wenping_shared import local_today

Summary = dict[str, Any]


async def summary(system: WenpingSystem, user: str, **params: Any) -> Summary:
    # "service:review": the review service's token, which reads any region (the demo has no
    # province-level reviewer; admins read no project statistics).
    service = user.removeprefix("service:") if user.startswith("service:") else None
    headers = await system.service_headers(service, "intake") if service else await system.auth(user)
    response = await system.intake.get("/api/v1/stats/summary", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def flat(s: Summary) -> dict[str, Any]:
    """Every figure of a summary as {name: number}, so two summaries subtract."""
    out: dict[str, Any] = {k: s[k] for k in ("total", "filed", "completed", "deferred", "rejected", "withdrawn", "overdue")}
    for facet in ("by_status", "by_category", "by_initiation", "by_risk_level"):
        out |= {f"{facet}.{b['value']}": b["count"] for b in s[facet]}
    out |= {f"region.{r['region_code']}.{k}": r[k] for r in s["by_region"] for k in ("total", "filed", "completed", "deferred", "rejected", "overdue")}
    out |= {f"year.{y['year']}.{k}": y[k] for y in s["by_year"] for k in ("total", "filed", "completed")}
    out |= {f"on_time.{k}": s["on_time"][k] for k in ("completed_with_deadline", "on_time")}
    out |= {f"rounds.{k}": s["review_rounds"][k] for k in ("projects_reviewed", "rounds_total")}
    out |= {f"returns.{r['category_code']}.{k}": r[k] for r in s["return_reasons"] for k in ("failed_items", "returned_reviews")}
    return out


def delta(before: Summary, after: Summary) -> dict[str, Any]:
    a, b = flat(after), flat(before)
    return {k: a[k] - b.get(k, 0) for k in a if a[k] - b.get(k, 0)}


async def create_known_projects(system: WenpingSystem) -> None:
    """Seven projects of 桐乡市 (330483) in known states (see the expected deltas below)."""
    ids = await file_items(
        system, "tx.filer",
        [list_item(), list_item(), list_item(), list_item(), list_item(), list_item(category="event", expected_participants=300, interests=["public_safety"])],
    )
    deadline = dt.date(2026, 5, 20)
    # Approved 23:00 Beijing time on the deadline day: on time.
    on_the_day = dt.datetime(2026, 5, 20, 15, 0, tzinfo=dt.UTC)
    # Approved 00:30 Beijing time the day after: late, although still the 20th in UTC.
    next_day = dt.datetime(2026, 5, 20, 16, 30, tzinfo=dt.UTC)
    await force_state(system, ids[0], "approved", rounds=1, risk_level="low", approved_at=on_the_day, deadline=deadline)
    await force_state(
        system, ids[1], "implement", rounds=2, risk_level="medium", approved_at=next_day, deadline=deadline,
        returns=["C06.1", "C06.3", "C07.2"],
    )
    await force_state(system, ids[2], "deferred", rounds=1, risk_level="high", approved_at=on_the_day, deadline=deadline)
    await force_state(system, ids[3], "rejected", rounds=3, risk_level="high", approved_at=on_the_day, returns=["C09.1"])
    await force_state(system, ids[4], "assessing", deadline=dt.date(2020, 1, 1))  # overdue
    # ids[5] stays filed (an event). One more: a draft withdrawn before it was ever filed.
    headers = await system.auth("tx.filer")
    draft = await system.intake.post("/api/v1/projects", json=list_item(), headers=headers)
    assert draft.status_code == 201, draft.text
    withdrawn = await system.intake.post(
        f"/api/v1/projects/{draft.json()['id']}/transitions", json={"action": "withdraw", "reason": "重复报备"},
        headers={**headers, "If-Match": f'"{draft.json()["version"]}"'},
    )
    assert withdrawn.status_code == 200, withdrawn.text


EXPECTED = {
    "total": 7, "filed": 6, "completed": 4, "deferred": 1, "rejected": 1, "withdrawn": 1,
    # Past the deadline and not finished: the approved, implement, deferred and assessing ones.
    "overdue": 4,
    "by_status.approved": 1, "by_status.implement": 1, "by_status.deferred": 1, "by_status.rejected": 1,
    "by_status.assessing": 1, "by_status.filed": 1, "by_status.withdrawn": 1,
    "by_category.policy": 6, "by_category.event": 1, "by_initiation.initiation": 7,
    "by_risk_level.low": 1, "by_risk_level.medium": 1, "by_risk_level.high": 2, "by_risk_level.None": 3,
    "on_time.completed_with_deadline": 3, "on_time.on_time": 2,
    "rounds.projects_reviewed": 4, "rounds.rounds_total": 7,
    "returns.C06.failed_items": 2, "returns.C06.returned_reviews": 1,
    "returns.C07.failed_items": 1, "returns.C07.returned_reviews": 1,
    "returns.C09.failed_items": 1, "returns.C09.returned_reviews": 1,
}


def with_region(region: str) -> dict[str, int]:
    year = local_today().year
    return {
        **EXPECTED,
        f"region.{region}.total": 7, f"region.{region}.filed": 6, f"region.{region}.completed": 4,
        f"region.{region}.deferred": 1, f"region.{region}.rejected": 1, f"region.{region}.overdue": 4,
        f"year.{year}.total": 7, f"year.{year}.filed": 6, f"year.{year}.completed": 4,
    }


async def test_figures_per_scope_are_exact(system: WenpingSystem) -> None:
    year = local_today().year
    scopes = {
        "county": ("jx.reviewer", {"region_code": "330483"}),
        "city": ("jx.supervisor", {}),
        "province": ("service:review", {"year": year, "region_code": "330000"}),
        "filer": ("tx.filer", {}),
        "other_city_filer": ("jx.fgw.filer", {}),
        "other_province": ("zy.reviewer", {}),
        "past_year": ("jx.reviewer", {"year": 2001}),
    }
    await system.drain_outboxes()  # no review hand-over still moving a seeded project meanwhile
    before = {name: await summary(system, user, **params) for name, (user, params) in scopes.items()}
    await create_known_projects(system)
    after = {name: await summary(system, user, **params) for name, (user, params) in scopes.items()}

    assert delta(before["county"], after["county"]) == with_region("330483")
    assert delta(before["city"], after["city"]) == with_region("330483")
    assert delta(before["province"], after["province"]) == with_region("330400")
    assert delta(before["filer"], after["filer"]) == with_region("330483")
    for untouched in ("other_city_filer", "other_province", "past_year"):
        assert delta(before[untouched], after[untouched]) == {}, untouched

    county = after["county"]
    assert county["region_code"] == "330483" and [r["own_level"] for r in county["by_region"]] == [True]
    city = after["city"]
    assert city["region_code"] == "330400" and all(r["region_code"].startswith("3304") for r in city["by_region"])
    assert after["province"]["region_code"] == "330000"
    assert all(r["region_code"].endswith("00") for r in after["province"]["by_region"])
    rate = county["on_time"]["rate"]
    assert rate == round(county["on_time"]["on_time"] / county["on_time"]["completed_with_deadline"], 4)
    labels = {b["value"]: b["label"] for b in county["by_status"]}
    assert labels["deferred"] == "暂缓实施" and labels["rejected"] == "不予实施"
    assert {r["category_code"]: r["title"] for r in county["return_reasons"]}.get("C06") == "意见征求（五必听）"


async def test_scope_rules_and_bad_input(system: WenpingSystem) -> None:
    for user, params, status, code in (
        ("jx.reviewer", {"region_code": "620700"}, 403, "stats.region_out_of_scope"),
        ("jx.reviewer", {"region_code": "330000"}, 403, "stats.region_out_of_scope"),
        ("js.zjj.filer", {}, 200, None),
        ("expert.jx1", {}, 403, "stats.forbidden"),
        ("zj.admin", {}, 403, "stats.forbidden"),  # admins see no projects, so no project statistics
        ("jx.reviewer", {"region_code": "3304"}, 422, None),
        ("jx.reviewer", {"year": "abc"}, 422, None),
        ("jx.reviewer", {"year": 1999}, 422, None),
    ):
        response = await system.intake.get("/api/v1/stats/summary", params=params, headers=await system.auth(user))
        assert response.status_code == status, (user, params, response.text)
        if code:
            assert response.json()["code"] == code
    client = await system.client_token("demo-platform", "wenping-demo-secret")
    headers = {"Authorization": f"Bearer {client}"}
    ok = await system.intake.get("/api/v1/stats/summary", headers=headers)
    assert ok.status_code == 200 and ok.json()["region_code"] == "330400"
    assert (await system.intake.get("/api/v1/stats/summary", params={"region_code": "620000"}, headers=headers)).status_code == 403
    assert (await system.intake.get("/api/v1/stats/summary")).status_code == 401


async def test_query_count_is_constant(system: WenpingSystem) -> None:
    """The summary issues the same number of statements whatever the number of projects."""
    from sqlalchemy import event

    # GET requests read through the read engine (on SQLite a separate, deferred-transaction engine).
    engine = system.apps["intake"].state.runtime.read_engine.sync_engine
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The outbox relay polls the same engine in the background: count the summary's reads only.
        if statement.lstrip().upper().startswith("SELECT") and "outbox_message" not in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        await summary(system, "jx.supervisor")
        small = len(statements)
        await file_items(system, "tx.filer", [list_item() for _ in range(30)])
        statements.clear()
        await summary(system, "jx.supervisor")
        assert len(statements) == small == 3  # facets (on-time folded in), kinds, return reasons
    finally:
        event.remove(engine, "before_cursor_execute", count)
