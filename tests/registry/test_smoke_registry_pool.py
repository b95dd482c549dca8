from __future__ import annotations


async def test_seeded_experts_and_agencies_are_listed(system) -> None:
    headers = await system.auth("zj.admin")
    r = await system.registry.get("/api/v1/experts", headers=headers, params={"limit": 200})
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) >= 24
    r = await system.registry.get("/api/v1/agencies", headers=headers)
    assert r.status_code == 200, r.text
    assert {a["name"] for a in r.json()["items"]} >= {"嘉兴和谐社会风险评估咨询有限公司"}


async def test_demo_draws_are_recorded_and_verify(system) -> None:
    from wenping_shared.demo import demo_id

    headers = await system.auth("jx.reviewer")
    listed = await system.registry.get("/api/v1/expert-draws", params={"project_id": demo_id("project", "jx-old-town")},
                                       headers=headers)
    assert listed.status_code == 200
    [listed_draw] = listed.json()["items"]
    assert listed_draw["pool"] is None
    draw = (await system.registry.get(f"/api/v1/expert-draws/{listed_draw['id']}", headers=headers)).json()
    assert len(draw["chosen"]) == 3 and draw["fields"] == ["construction", "environment", "land_requisition",
                                                            "social_governance"]
    verified = await system.registry.get(f"/api/v1/expert-draws/{draw['id']}/verify", headers=headers)
    assert verified.json()["verified"] is True
    # The decision body's own staff (住建局) are never drawn for its project.
    assert all(p["expert_id"] not in {c["expert_id"] for c in draw["chosen"]}
               for p in draw["pool"] if "employer_is_decision_body" in p["excluded_for"])
    assert any("employer_is_decision_body" in p["excluded_for"] for p in draw["pool"])
