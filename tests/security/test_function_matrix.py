"""Function-level authorization (issue 10, point 2): role x write route, from security_matrix.ROUTES.

Every role domain.md does not allow on a write route is refused (401/403, or 404 where it cannot
see the object) and nothing changes; every role it allows passes the role gate: against an id
that names nothing it answers 404 (or another answer about the request), never a 401/403.
Service-only routes accept exactly their service's token.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from security_matrix import ROUTES, SERVICE, WRITE, Route
from test_object_matrix import _fill, _headers, _table_counts

from wenping_shared.demo import SERVICE_CLIENTS, org_id

#: One principal per role; services carry the audience of the service called.
ROLES = {
    "filer": "jx.fgw.filer",
    "agency": "agency.jx",
    "expert": "expert.jx1",
    "reviewer": "jx.reviewer",
    "supervisor": "jx.supervisor",
    "admin": "zj.admin",
    "client:webhooks:manage": "client:demo-platform",
    "service:intake": "service:intake",
    "service:review": "service:review",
    "service:registry": "service:registry",
}


async def _role_headers(system: Any, who: str, audience: str) -> dict[str, str] | None:
    """The role's headers for that service; None when the registry issues it no token for it at
    all (a service calling itself, or a peer it never calls): refused before any route."""
    if who.startswith("service:"):
        name = who.removeprefix("service:")
        response = await system.registry.post(
            "/api/v1/auth/token",
            data={"grant_type": "client_credentials", "client_id": f"{name}-service",
                  "client_secret": SERVICE_CLIENTS[name], "resource": audience},
        )
        if response.status_code == 400 and response.json().get("code") == "oauth.invalid_target":
            return None
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}
    return await _headers(system, who)


@pytest.fixture(scope="module")
async def own_ids(system: Any) -> dict[str, str]:
    """Objects of 嘉兴市发改委 (jx.fgw.filer, 330400), which the city's reviewer and supervisor see."""
    filer = await system.auth("jx.fgw.filer")
    project = await system.intake.post(
        "/api/v1/projects", json={"title": f"职能矩阵-{uuid.uuid4().hex[:8]}", "category": "policy"}, headers=filer
    )
    assert project.status_code == 201, project.text
    reviews = await system.review.get("/api/v1/reviews", params={"limit": 1}, headers=await system.auth("jx.reviewer"))
    agencies = await system.registry.get("/api/v1/agencies", params={"limit": 200}, headers=filer)
    experts = await system.registry.get("/api/v1/experts", params={"region_code": "330400", "limit": 1},
                                        headers=await system.auth("zj.admin"))
    upload = await system.intake.post(
        "/api/v1/files", files={"file": ("r.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")},
        headers=filer,
    )
    return {
        "project": project.json()["id"],
        "project_number": project.json()["number"],
        "review": reviews.json()["items"][0]["id"],
        "agency": next(a["id"] for a in agencies.json()["items"] if a["name"] == "嘉兴和谐社会风险评估咨询有限公司"),
        "expert": experts.json()["items"][0]["id"],
        "file": upload.json()["id"],
        "region": "330400",
        "organization": org_id("嘉兴市发展和改革委员会"),
        "subscription": str(uuid.uuid4()),
        "list": str(uuid.uuid4()),
        "draw": str(uuid.uuid4()),
    }


async def _request(system: Any, key: tuple[str, str, str], route: Route, ids: dict[str, str], headers: dict[str, str]) -> httpx.Response:
    service, method, path = key
    extra = {"If-Match": '"1"'} if route.if_match else {}
    body = route.body(ids) if route.body else None
    return await system.client(service).request(method, _fill(path, ids), json=body, headers={**headers, **extra})


def _writes() -> dict[tuple[str, str, str], Route]:
    return {k: r for k, r in ROUTES.items() if r.kind in (WRITE, SERVICE) and r.writers}


async def test_roles_outside_the_allowed_set_are_refused_and_change_nothing(system: Any, own_ids: dict[str, str]) -> None:
    await system.drain_outboxes()  # messages of earlier tests delivered now, not counted as a refused call's change
    before = (await _table_counts(system), await _views(system, own_ids))
    failures, cases = [], 0
    for key, route in _writes().items():
        for role, who in ROLES.items():
            if role in route.writers:
                continue
            headers = await _role_headers(system, who, key[0])
            cases += 1
            if headers is None:
                continue
            response = await _request(system, key, route, own_ids, headers)
            allowed = (401, 403) if route.kind == SERVICE else (401, 403, 404)
            if response.status_code not in allowed:
                failures.append(f"{key} as {role}: {response.status_code} {response.text[:160]}")
    after = (await _table_counts(system), await _views(system, own_ids))
    print(f"\nfunction matrix (refusals): {len(_writes())} write routes x {len(ROLES)} roles, {cases} refused cases")
    assert not failures, "\n".join(failures)
    changed = {t: (before[0][t], after[0].get(t)) for t in before[0] if before[0][t] != after[0].get(t)}
    assert not changed and before[1] == after[1], f"refused calls changed data: {changed}"


async def test_allowed_roles_pass_the_role_gate(system: Any, own_ids: dict[str, str]) -> None:
    """Against ids that name nothing, an allowed role hears about the object, not about its role."""
    missing = {k: (v if k in ("region", "organization") else str(uuid.uuid4())) for k, v in own_ids.items()}
    missing["project_number"] = "WP-330400-2026-99999"
    failures, cases = [], 0
    for key, route in _writes().items():
        if route.obj is None or route.obj in ("region", "organization"):
            continue  # creates and jurisdiction writes: proven by each area's own tests
        for role in route.writers:
            headers = await _role_headers(system, ROLES[role], key[0])
            assert headers is not None, f"{role} gets no token for {key[0]}"
            response = await _request(system, key, route, missing, headers)
            cases += 1
            if response.status_code in (401, 403) or response.status_code < 400:
                failures.append(f"{key} as allowed {role}: {response.status_code} {response.text[:160]}")
    print(f"\nfunction matrix (allowed roles on missing objects): {cases} cases")
    assert not failures, "\n".join(failures)


async def _views(system: Any, ids: dict[str, str]) -> list[tuple[int, str]]:
    reads = (
        (system.intake, f"/api/v1/projects/{ids['project']}", "jx.fgw.filer"),
        (system.intake, f"/api/v1/projects/{ids['project']}/ledger", "jx.fgw.filer"),
        (system.review, f"/api/v1/reviews/{ids['review']}", "jx.reviewer"),
        (system.registry, f"/api/v1/agencies/{ids['agency']}", "jx.fgw.filer"),
        (system.registry, f"/api/v1/experts/{ids['expert']}", "zj.admin"),
        (system.review, "/api/v1/region-configs/330400/versions", "jx.reviewer"),
    )
    return [((r := await client.get(url, headers=await system.auth(who))).status_code, r.text) for client, url, who in reads]
