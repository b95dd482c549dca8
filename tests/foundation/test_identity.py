"""Registry identity: regions, organisations, users, login throttling."""

from __future__ import annotations

import uuid
from typing import Any

from wenping_shared.demo import org_id


async def test_regions_tree(system: Any) -> None:
    headers = await system.auth("jx.reviewer")
    jiaxing = await system.registry.get("/api/v1/regions/330400", headers=headers)
    assert jiaxing.status_code == 200
    assert {c["code"] for c in jiaxing.json()["children"]} == {"330402", "330411", "330421", "330483"}
    provinces = await system.registry.get("/api/v1/regions", params={"parent_code": "330000"}, headers=headers)
    assert {r["code"] for r in provinces.json()} >= {"330400", "330600"}
    assert (await system.registry.get("/api/v1/regions/999999", headers=headers)).status_code == 404


async def test_users_me(system: Any) -> None:
    me = await system.registry.get("/api/v1/users/me", headers=await system.auth("js.zjj.filer"))
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "js.zjj.filer" and body["roles"] == ["filer"] and body["region_code"] == "330421"
    assert body["org_name"] == "嘉善县住房和城乡建设局" and "password_hash" not in body


async def test_organisations_are_scoped_to_the_region_subtree(system: Any) -> None:
    county = await system.registry.get("/api/v1/organizations", headers=await system.auth("js.zjj.filer"))
    assert [o["name"] for o in county.json()["items"]] == ["嘉善县住房和城乡建设局"]
    zhangye_org = org_id("张掖市自然资源局")
    other = await system.registry.get(f"/api/v1/organizations/{zhangye_org}", headers=await system.auth("jx.reviewer"))
    assert other.status_code == 404
    own = await system.registry.get(f"/api/v1/organizations/{zhangye_org}", headers=await system.auth("zy.reviewer"))
    assert own.status_code == 200


async def test_admin_creates_users_only_in_their_subtree(system: Any) -> None:
    name = f"t.{uuid.uuid4().hex[:8]}"
    body = {"username": name, "display_name": "测试报备员", "password": "a-long-password-1", "roles": ["filer"],
            "org_id": org_id("嘉善县住房和城乡建设局")}
    created = await system.registry.post("/api/v1/users", json=body, headers=await system.auth("zj.admin"))
    assert created.status_code == 201, created.text
    assert created.json()["region_code"] == "330421"  # from the organisation, not the body
    login = await system.registry.post("/api/v1/auth/token",
                                       data={"grant_type": "password", "username": name, "password": "a-long-password-1"})
    assert login.status_code == 200

    other_province = await system.registry.post("/api/v1/users", json={**body, "username": name + "x"},
                                                headers=await system.auth("zy.admin"))
    assert other_province.status_code == 400
    assert other_province.json()["code"] == "user.organization_not_found"

    not_admin = await system.registry.post("/api/v1/users", json={**body, "username": name + "y"},
                                           headers=await system.auth("jx.reviewer"))
    assert not_admin.status_code == 403

    duplicate = await system.registry.post("/api/v1/users", json=body, headers=await system.auth("zj.admin"))
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "user.duplicate_username"


async def test_admin_creates_organisations_in_subtree(system: Any) -> None:
    name = f"嘉兴市测试局{uuid.uuid4().hex[:6]}"
    ok = await system.registry.post("/api/v1/organizations", json={"name": name, "kind": "department",
                                    "region_code": "330400"}, headers=await system.auth("zj.admin"))
    assert ok.status_code == 201 and ok.json()["kind_label"] == "决策部门"
    outside = await system.registry.post("/api/v1/organizations", json={"name": name + "2", "kind": "department",
                                         "region_code": "330400"}, headers=await system.auth("zy.admin"))
    assert outside.status_code == 403


async def test_repeated_failed_logins_are_throttled(system: Any) -> None:
    admin = await system.auth("zj.admin")
    name = f"t.{uuid.uuid4().hex[:8]}"
    await system.registry.post("/api/v1/users", headers=admin, json={
        "username": name, "display_name": "限流测试", "password": "correct-password-1", "roles": ["filer"],
        "org_id": org_id("嘉兴市发展和改革委员会")})
    for _ in range(5):
        bad = await system.registry.post("/api/v1/auth/token",
                                         data={"grant_type": "password", "username": name, "password": "wrong"})
        assert bad.status_code == 401 and bad.json()["detail"] == "用户名或密码错误"
    locked = await system.registry.post("/api/v1/auth/token",
                                        data={"grant_type": "password", "username": name, "password": "correct-password-1"})
    assert locked.status_code == 429
    assert locked.json()["code"] == "auth.too_many_failures" and int(locked.headers["retry-after"]) > 0
    # Another account from the same address is not yet locked (the address limit is higher).
    other = await system.registry.post("/api/v1/auth/token",
                                       data={"grant_type": "password", "username": "jx.supervisor", "password": "wenping-demo"})
    assert other.status_code == 200


async def test_unknown_grant_type(system: Any) -> None:
    response = await system.registry.post("/api/v1/auth/token", data={"grant_type": "implicit"})
    assert response.status_code == 400 and response.json()["code"] == "oauth.unsupported_grant_type"
