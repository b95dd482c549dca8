"""The expert pool over HTTP: CRUD, filters, personal data per role, region scoping, audit."""

from __future__ import annotations

from typing import Any

import pytest
from registry_kit import unique
from sqlmodel import select
from system_kit import WenpingSystem

from wenping_registry.audit.models import AuditEntry
from wenping_registry.experts.xlsx import id_number_check_char
from wenping_shared.demo import demo_id, org_id

SEEDED = demo_id("expert", "330400-01")  # a Jiaxing expert (330402)
JX1 = demo_id("expert", "expert.jx1")


def id_number(seq: int, region: str = "330411") -> str:
    first17 = f"{region}19780512{seq % 1000:03d}"
    return first17 + id_number_check_char(first17)


_seq = iter(range(100, 1000))


def expert_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": unique("专家"),
        "fields": ["law_policy"],
        "title": "教授",
        "employer_name": "浙江禾城律师事务所",
        "region_code": "330411",
        "phone": "13800001111",
        "email": "someone@example.cn",
        "id_number": id_number(next(_seq)),
        "term_start": "2025-01-01",
        "term_end": "2027-12-31",
        **overrides,
    }


async def create_expert(system: WenpingSystem, admin: str = "zj.admin", **overrides: Any) -> dict[str, Any]:
    r = await system.registry.post("/api/v1/experts", json=expert_body(**overrides), headers=await system.auth(admin))
    assert r.status_code == 201, r.text
    return r.json()


async def audit_entries(system: WenpingSystem, object_id: str) -> list[AuditEntry]:
    async with system.apps["registry"].state.sessionmaker() as session:
        return list((await session.exec(select(AuditEntry).where(AuditEntry.object_id == object_id))).all())


@pytest.mark.parametrize(
    ("caller", "sees_contact"),
    [
        ("zj.admin", True),  # admin of the province (the expert's region is in the subtree)
        ("jx.reviewer", True),  # reviewer of the city
        ("jx.supervisor", False),
        ("jx.fgw.filer", False),
        ("agency.jx", False),
        ("expert.jx1", False),
    ],
)
async def test_personal_data_only_for_admins_and_reviewers_of_the_subtree(
    system: WenpingSystem, caller: str, sees_contact: bool
) -> None:
    headers = await system.auth(caller)
    one = await system.registry.get(f"/api/v1/experts/{SEEDED}", headers=headers)
    assert one.status_code == 200, one.text
    listed = await system.registry.get("/api/v1/experts", params={"ids": SEEDED}, headers=headers)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    for body in (one.json(), item):
        if sees_contact:
            assert body["contact"]["phone"].startswith("138") and len(body["contact"]["id_number"]) == 18
        else:
            assert body["contact"] is None
    if not sees_contact:
        # Not even anywhere else in the answer.
        async with system.apps["registry"].state.sessionmaker() as session:
            from wenping_registry.experts.models import Expert

            expert = await session.get(Expert, SEEDED)
        assert expert is not None and expert.phone not in one.text and expert.id_number not in one.text


async def test_services_and_other_provinces(system: WenpingSystem) -> None:
    service = await system.service_headers("intake", "registry")
    r = await system.registry.get("/api/v1/experts", params={"ids": f"{SEEDED},{JX1}"}, headers=service)
    assert r.status_code == 200
    assert {e["id"] for e in r.json()["items"]} == {SEEDED, JX1}
    assert all(e["contact"] is None for e in r.json()["items"])
    for caller in ("zy.admin", "zy.reviewer"):
        other = await system.registry.get(f"/api/v1/experts/{SEEDED}", headers=await system.auth(caller))
        assert other.status_code == 404 and other.json()["code"] == "expert.not_found"
        assert other.headers["content-type"].startswith("application/problem+json")
    zy_list = await system.registry.get("/api/v1/experts", params={"limit": 200}, headers=await system.auth("zy.admin"))
    assert zy_list.json()["items"] and all(e["region_code"].startswith("62") for e in zy_list.json()["items"])


async def test_expert_jx1_is_linked_to_its_account(system: WenpingSystem) -> None:
    r = await system.registry.get(f"/api/v1/experts/{JX1}", headers=await system.auth("jx.reviewer"))
    assert r.status_code == 200
    body = r.json()
    assert body["employer_name"] == "嘉兴学院" and body["user_id"] == demo_id("user", "expert.jx1")
    assert body["field_labels"] == ["法律政策", "社会管理"] and body["status_label"] == "在库"


async def test_create_read_update_with_etag_and_audit(system: WenpingSystem) -> None:
    created = await create_expert(system, fields=["water", "environment"], employer_org_id=org_id("嘉兴学院"),
                                  employer_name=None)
    assert created["fields"] == ["environment", "water"] and created["employer_name"] == "嘉兴学院"
    assert created["status"] == "active" and created["version"] == 1
    url = f"/api/v1/experts/{created['id']}"
    admin = await system.auth("zj.admin")

    got = await system.registry.get(url, headers=admin)
    assert got.headers["etag"] == '"1"' and got.json()["draws_this_year"] == 0 and got.json()["participation"] == []

    no_match = await system.registry.patch(url, json={"title": "研究员"}, headers=admin)
    assert no_match.status_code == 428
    stale = await system.registry.patch(url, json={"title": "研究员"}, headers={**admin, "If-Match": '"7"'})
    assert stale.status_code == 412
    no_reason = await system.registry.patch(url, json={"status": "suspended"}, headers={**admin, "If-Match": '"1"'})
    assert no_reason.status_code == 422 and "原因" in no_reason.json()["detail"]

    changed = await system.registry.patch(
        url, json={"status": "suspended", "status_reason": "年度考核", "fields": ["heritage"], "phone": "13900002222"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["status"] == "suspended" and changed.json()["fields"] == ["heritage"]
    assert changed.json()["contact"]["phone"] == "13900002222"
    by_field = await system.registry.get("/api/v1/experts", params={"field": "heritage", "region_code": "330411"},
                                         headers=admin)
    assert created["id"] in {e["id"] for e in by_field.json()["items"]}
    by_old_field = await system.registry.get("/api/v1/experts", params={"field": "water", "region_code": "330411"},
                                             headers=admin)
    assert created["id"] not in {e["id"] for e in by_old_field.json()["items"]}

    entries = await audit_entries(system, created["id"])
    # (The refused PATCHes above are in the trail too, as failed requests.)
    assert [e.action for e in sorted(entries, key=lambda e: e.seq) if e.result == "success"] == [
        "expert.create", "expert.update"]
    update = next(e for e in entries if e.action == "expert.update")
    assert update.actor == demo_id("user", "zj.admin") and update.result == "success"
    assert update.changes["status"] == {"from": "active", "to": "suspended"}
    # The trail records that personal data changed, never the data itself.
    assert "13900002222" not in str(update.changes) and "13800001111" not in str(entries[0].changes)


async def test_who_may_create_and_change(system: WenpingSystem) -> None:
    body = expert_body()
    for caller in ("jx.reviewer", "jx.fgw.filer"):
        r = await system.registry.post("/api/v1/experts", json=body, headers=await system.auth(caller))
        assert r.status_code == 403 and r.json()["code"] == "auth.role_required"
    outside = await system.registry.post("/api/v1/experts", json=body, headers=await system.auth("zy.admin"))
    assert outside.status_code == 403 and outside.json()["code"] == "expert.outside_region"
    async with system.apps["registry"].state.sessionmaker() as session:
        refused = (await session.exec(select(AuditEntry).where(AuditEntry.action == "expert.create",
                                                               AuditEntry.actor == demo_id("user", "zy.admin"),
                                                               AuditEntry.result == "denied"))).all()
    assert refused and refused[-1].changes["code"] == "expert.outside_region"
    created = await create_expert(system)
    url = f"/api/v1/experts/{created['id']}"
    other_province = await system.registry.patch(url, json={"title": "x"},
                                                 headers={**await system.auth("zy.admin"), "If-Match": '"1"'})
    assert other_province.status_code == 404
    moved_out = await system.registry.patch(url, json={"region_code": "620724"},
                                            headers={**await system.auth("zj.admin"), "If-Match": '"1"'})
    assert moved_out.status_code == 403
    assert (await system.registry.get(url, headers=await system.auth("zj.admin"))).json()["version"] == 1


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"id_number": "330424197805120002"}, "校验码"),
        ({"id_number": "33042419781"}, "18"),
        ({"fields": ["astrology"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"region_code": "3304"}, "region_code"),
        ({"term_start": "2027-01-01", "term_end": "2026-01-01"}, "聘期"),
        ({"employer_name": None}, "工作单位"),
        ({"status": "retired"}, "status"),  # never through a create body
        ({"phone": "call me"}, "电话"),
    ],
)
async def test_bad_expert_bodies_answer_422_in_chinese(
    system: WenpingSystem, change: dict[str, Any], where: str
) -> None:
    body = expert_body(**change)
    r = await system.registry.post("/api/v1/experts", json=body, headers=await system.auth("zj.admin"))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert where in problem["detail"] or any(where in str(e["loc"]) or where in e["msg"] for e in problem["errors"])
    listed = await system.registry.get("/api/v1/experts", params={"q": body["name"]}, headers=await system.auth("zj.admin"))
    assert listed.json()["items"] == []


async def test_unknown_region_duplicate_id_number_and_foreign_employer(system: WenpingSystem) -> None:
    admin = await system.auth("zj.admin")
    unknown = await system.registry.post("/api/v1/experts", json=expert_body(region_code="330499"), headers=admin)
    assert unknown.status_code == 400 and unknown.json()["code"] == "region.not_found"
    first = await create_expert(system)
    async with system.apps["registry"].state.sessionmaker() as session:
        from wenping_registry.experts.models import Expert

        stored = await session.get(Expert, first["id"])
    assert stored is not None
    dup = await system.registry.post("/api/v1/experts", json=expert_body(id_number=stored.id_number), headers=admin)
    assert dup.status_code == 409 and dup.json()["code"] == "expert.duplicate_id_number"
    foreign = await system.registry.post(
        "/api/v1/experts", json=expert_body(employer_org_id=org_id("张掖市自然资源局")), headers=admin
    )
    assert foreign.status_code == 400 and foreign.json()["code"] == "expert.employer_not_found"


async def test_list_filters_and_keyset_pages(system: WenpingSystem) -> None:
    tag = unique("筛选")
    made = [
        await create_expert(system, name=f"{tag}{i}", region_code="330411", fields=[field],
                            employer_org_id=org_id("嘉兴学院") if i % 2 else None,
                            employer_name=None if i % 2 else "某研究院")
        for i, field in enumerate(["transport", "transport", "finance", "transport", "water"])
    ]
    admin = await system.auth("zj.admin")

    async def ids(**params: Any) -> list[str]:
        r = await system.registry.get("/api/v1/experts", params={"q": tag, **params}, headers=admin)
        assert r.status_code == 200, r.text
        return [e["id"] for e in r.json()["items"]]

    assert len(await ids()) == 5
    assert set(await ids(field="transport")) == {made[i]["id"] for i in (0, 1, 3)}
    assert set(await ids(org_id=org_id("嘉兴学院"))) == {made[1]["id"], made[3]["id"]}
    assert set(await ids(region_code="330400")) == {m["id"] for m in made}
    assert await ids(region_code="330421") == []
    assert await ids(status="retired") == []

    seen = [e["id"] for e in await system.every_item("registry", "/api/v1/experts", admin, q=tag, limit=2)]
    assert seen == await ids() and len(set(seen)) == 5

    bad_cursor = await system.registry.get("/api/v1/experts", params={"cursor": "!!"}, headers=admin)
    assert bad_cursor.status_code == 400
    bad_field = await system.registry.get("/api/v1/experts", params={"field": "magic"}, headers=admin)
    assert bad_field.status_code == 422
    too_many = await system.registry.get("/api/v1/experts", params={"ids": ",".join(["x"] * 201)}, headers=admin)
    assert too_many.status_code == 400 and too_many.json()["code"] == "expert.too_many_ids"


async def test_idempotent_create(system: WenpingSystem) -> None:
    body = expert_body()
    headers = {**await system.auth("zj.admin"), "Idempotency-Key": unique("k")}
    first = await system.registry.post("/api/v1/experts", json=body, headers=headers)
    again = await system.registry.post("/api/v1/experts", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    other = await system.registry.post("/api/v1/experts", json={**body, "name": "别人"}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency.key_reused"


async def test_field_vocabulary_with_chinese_labels(system: WenpingSystem) -> None:
    r = await system.registry.get("/api/v1/experts/fields", headers=await system.auth("jx.fgw.filer"))
    assert r.status_code == 200
    labels = {f["value"]: f["label"] for f in r.json()}
    assert len(labels) == 11 and labels["petition_stability"] == "信访维稳" and labels["water"] == "水利"


async def test_integration_clients_never_see_personal_data(system: WenpingSystem) -> None:
    from wenping_shared.demo import INTEGRATION_CLIENT

    client_id, secret, _region, _scopes = INTEGRATION_CLIENT
    # The demo platform's scope (projects:read) does not cover the registry: no token, no experts.
    response = await system.registry.post("/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "resource": "registry"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_target"
    # With a token for another service the registry refuses outright.
    intake_token = await system.client_token(client_id, secret, resource="intake")
    r = await system.registry.get(f"/api/v1/experts/{SEEDED}", headers={"Authorization": f"Bearer {intake_token}"})
    assert r.status_code == 401
