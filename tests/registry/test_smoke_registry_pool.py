from __future__ import annotations


async def test_seeded_experts_and_agencies_are_listed(system) -> None:
    headers = await system.auth("zj.admin")
    r = await system.registry.get("/api/v1/experts", headers=headers, params={"limit": 200})
    assert r.status_code == 200, r.text
    assert len(r.json()["items"]) >= 24
    r = await system.registry.get("/api/v1/agencies", headers=headers)
    assert r.status_code == 200, r.text
    assert {a["name"] for a in r.json()["items"]} >= {"嘉兴和谐社会风险评估咨询有限公司"}
