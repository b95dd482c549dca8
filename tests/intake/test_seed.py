"""The demo seed: projects in various states in both provinces, with intact ledgers; idempotent."""

from __future__ import annotations

from intake_kit import Projects
from system_kit import WenpingSystem

from wenping_intake.seed import demo_projects, seed_demo
from wenping_shared.demo import demo_id


async def test_demo_projects_are_seeded_with_verified_ledgers(system: WenpingSystem, projects: Projects) -> None:
    await system.drain_outboxes()
    statuses: dict[str, str] = {}
    outcomes: dict[str, str | None] = {}
    for spec in demo_projects():
        project_id = demo_id("project", spec.key)
        reader = "zy.reviewer" if spec.filer.startswith("zy") else "jx.reviewer"
        body = await projects.get(project_id, reader)
        statuses[spec.key] = body["status"]
        outcomes[spec.key] = body["decision_outcome"]
        assert body["number"].startswith(f"WP-{body['region_code']}-")
        ledger = await system.intake.get(
            f"/api/v1/projects/{project_id}/ledger", params={"verify": "true"}, headers=await system.auth(reader)
        )
        assert ledger.json()["verified"] is True, (spec.key, ledger.json())
    # Decided to implement with measures; the tracking seed may already have moved it on.
    assert outcomes["jx-old-town"] == "implement_with_measures"
    assert statuses["jx-old-town"] in ("implement_with_measures", "tracking", "evaluated", "closed")
    assert statuses["jx-marathon"] == "returned"
    assert statuses["zy-forest-reform"] == "deferred"
    assert statuses["tx-land"] == "draft"
    assert statuses["jx-industrial-park"] == "under_review"  # handed to review through the outbox at start-up
    overdue = await system.intake.get("/api/v1/projects", params={"overdue": "true", "limit": 200},
                                      headers=await system.auth("zy.reviewer"))
    assert demo_id("project", "zy-land-comp") in {p["id"] for p in overdue.json()["items"]}


async def test_seeding_again_changes_nothing(system: WenpingSystem, projects: Projects) -> None:
    before = await projects.count()
    await seed_demo(system.settings["intake"])
    assert await projects.count() == before
