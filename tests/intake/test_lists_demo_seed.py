"""The demo data after the decision: every list, reminder and statistic shows something on day one."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select
from system_kit import WenpingSystem

from wenping_intake.decision_lists.models import DecisionList
from wenping_intake.decision_lists.seed import seed_after_decision
from wenping_intake.tracking.models import TrackingRecord
from wenping_shared.demo import demo_id


async def test_demo_lists_tracking_and_reminders_are_seeded(system: WenpingSystem) -> None:
    jx = demo_id("decision-list", "jx-fgw-start")
    zy = demo_id("decision-list", "zy-zrzy-start")
    detail = (await system.intake.get(f"/api/v1/decision-lists/{jx}", headers=await system.auth("jx.fgw.filer"))).json()
    assert detail["close_out"] == {"closed_out": 1, "open": 1, "overdue": 1}
    closed = next(i for i in detail["items"] if i["close_out_state"] == "closed_out")
    assert closed["status"] == "closed"
    ledger = (await system.intake.get(
        f"/api/v1/projects/{closed['project_id']}/ledger", params={"verify": "true"}, headers=await system.auth("jx.fgw.filer")
    )).json()
    assert ledger["verified"] is True and [e["action"] for e in ledger["items"]][-2:] == ["evaluate", "close"]
    zy_detail = (await system.intake.get(f"/api/v1/decision-lists/{zy}", headers=await system.auth("zy.reviewer"))).json()
    assert zy_detail["close_out"] == {"closed_out": 1, "open": 1, "overdue": 1}
    assert any((i["close_out_reason"] or "").startswith("项目已撤回") for i in zy_detail["items"])
    assert (await system.intake.get(f"/api/v1/decision-lists/{zy}", headers=await system.auth("jx.reviewer"))).status_code == 404

    old_town = demo_id("project", "jx-old-town")
    tracking = (await system.intake.get(f"/api/v1/projects/{old_town}/tracking", headers=await system.auth("jx.supervisor"))).json()
    assert tracking["project_status"] == "tracking" and len(tracking["records"]) >= 3
    assert any(m["overdue"] for m in tracking["measures"])

    kinds = {r["kind"] for r in (await system.intake.get(
        "/api/v1/reminders", params={"limit": 200, "within_days": 30}, headers=await system.auth("jx.supervisor")
    )).json()["items"]}
    assert {"project_deadline", "decision_list_item", "measure_deadline"} <= kinds
    zy_reminders = (await system.intake.get("/api/v1/reminders", headers=await system.auth("zy.reviewer"))).json()
    assert zy_reminders["counts"]["overdue"] >= 1

    for user in ("jx.supervisor", "zy.reviewer"):
        stats = (await system.intake.get("/api/v1/stats/summary", headers=await system.auth(user))).json()
        assert stats["filed"] > 0 and stats["completed"] > 0 and stats["overdue"] > 0 and stats["return_reasons"]
        assert stats["review_rounds"]["projects_reviewed"] > 0 and stats["on_time"]["completed_with_deadline"] > 0


async def test_seeding_again_adds_nothing(system: WenpingSystem) -> None:
    async def counts() -> tuple[int, int]:
        async with system.apps["intake"].state.sessionmaker() as session:
            lists = (await session.exec(select(func.count()).select_from(DecisionList))).one()
            records = (await session.exec(select(func.count()).select_from(TrackingRecord))).one()
        return int(lists), int(records)

    before = await counts()
    await seed_after_decision(system.settings["intake"])
    assert await counts() == before
