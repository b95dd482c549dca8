"""Object-level authorization, generated from the three OpenAPI documents (issue 10, point 1).

A tenant (桐乡市自然资源和规划局, county 330483, user tx.filer) owns a project with a submitted
report round, its document, its review, a decision list, an expert draw; the integration client
owns a webhook subscription. Every route that names such an object (path or body) is called by
principals of other tenants; each must answer exactly as it answers for an id that does not exist
(404, or a 403 that does not depend on the object), 403 when the object is visible to them but
the act is not theirs, and nothing may change. Every list, export and statistic they read must not
contain the tenant's rows. A route of the OpenAPI documents that matrix.ROUTES does not classify
fails the test.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from typing import Any

import httpx
import pytest
from security_matrix import LIST, OPEN, READ, ROUTES, SERVICE, WRITE, Route, missing_line
from sqlalchemy import inspect, text

from wenping_shared.contracts.samples import complete_report
from wenping_shared.demo import INTEGRATION_CLIENT, org_id

OWNER = "tx.filer"
OWNER_ORG = "桐乡市自然资源和规划局"
REGION = "330483"

#: The intruders: principal key -> demo username (the other city's reviewer is created here).
INTRUDERS = {
    "sibling_county": "js.zjj.filer",
    "other_department": "jx.fgw.filer",
    "other_city": "other-city-reviewer",
    "other_province": "zy.reviewer",
    "other_province_filer": "zy.filer",
    "uncommissioned_agency": "agency.jx",
    "other_province_agency": "agency.zy",
    "expert": "expert.jx1",
    "province_admin": "zj.admin",
    "other_province_admin": "zy.admin",
    "integration_client": "client:demo-platform",
}

#: Which intruders may legitimately see which victim (domain.md): the integration client reads
#: the projects of its region (projects:read); admins of the subtree see its draws; everyone in
#: whose subtree 330483 lies reads its review configuration; agencies are public reference data.
SEES: dict[str, set[str]] = {
    "project": {"integration_client"},
    "file": {"integration_client"},  # the report document of a project it reads
    "list": {"integration_client"},  # the decision lists of its region
    "review": set(),
    "draw": {"province_admin"},
    "expert": {"other_department", "uncommissioned_agency", "expert", "province_admin", "integration_client"},
    "region": {"other_department", "uncommissioned_agency", "expert", "province_admin", "integration_client"},
    "agency": set(INTRUDERS),
    "organization": set(INTRUDERS),
    "subscription": {"integration_client"},  # its owner
    "warning": set(),  # the warning register: supervisors and reviewers of the subtree only
}

#: Acts that are theirs (domain.md), so not intrusions; the matrix does not make them, keeping the
#: data unchanged: the province's admin manages experts, agencies, users and review configuration
#: of its subtree and may draw experts for its projects; the client manages its own subscriptions.
LEGITIMATE: dict[str, set[str]] = {
    "province_admin": {"expert", "agency", "organization", "region", "draw"},
    "integration_client": {"subscription"},
}
LEGITIMATE_ROUTES = {("province_admin", ("registry", "POST", "/api/v1/expert-draws"))}

#: A row of one kind shows the ids of these (a project shows its list and review; a draw its project).
EMBEDS: dict[str, set[str]] = {"project": {"list", "review", "file"}, "draw": {"project"}, "list": {"project"}}

#: Tables whose rows may change while the matrix runs: deliveries, logs and rate-limit windows of the refused calls.
_NOISY = re.compile(r"outbox|idempot|login|alembic|audit|token|deliver|jti|rate_window")


async def _openapi_routes(system: Any) -> list[tuple[str, str, str]]:
    found = []
    for service in ("intake", "review", "registry"):
        document = (await system.client(service).get("/openapi.json")).json()
        for path, operations in document["paths"].items():
            for method in operations:
                if method in ("get", "post", "put", "patch", "delete"):
                    found.append((service, method.upper(), path))
    return found


async def test_every_route_is_classified(system: Any) -> None:
    missing = [key for key in await _openapi_routes(system) if key not in ROUTES]
    assert not missing, (
        "routes not classified for the authorization matrices; add to ROUTES in tests/security/security_matrix.py:\n"
        + "\n".join(missing_line(*key) for key in missing)
    )


async def _headers(system: Any, who: str) -> dict[str, str]:
    if who.startswith("client:"):
        client_id, secret, *_ = INTEGRATION_CLIENT
        token = await system.client_token(client_id, secret)
        return {"Authorization": f"Bearer {token}"}
    return await system.auth(who)


async def _other_city_reviewer(system: Any) -> str:
    """A reviewer of 绍兴市 (330600): the demo has no account in a second city of 浙江."""
    admin = await system.auth("zj.admin")
    suffix = uuid.uuid4().hex[:6]
    org = await system.registry.post(
        "/api/v1/organizations", json={"name": f"绍兴市委政法委{suffix}", "kind": "stability_office", "region_code": "330600"},
        headers=admin,
    )
    assert org.status_code == 201, org.text
    username = f"sx.reviewer.{suffix}"
    user = await system.registry.post(
        "/api/v1/users",
        json={"username": username, "display_name": "绍兴审查员", "password": "matrix-password-1",
              "roles": ["reviewer"], "org_id": org.json()["id"]},
        headers=admin,
    )
    assert user.status_code == 201, user.text
    await system.token(username, password="matrix-password-1")
    return username


async def _warning(system: Any, owner: dict[str, str]) -> dict[str, Any]:
    """An entry of the owner's warning register: a high-risk project of theirs, decided reject."""
    project = (await system.intake.post(
        "/api/v1/projects", json={"title": f"矩阵预警-{uuid.uuid4().hex[:8]}", "category": "policy"}, headers=owner
    )).json()
    async with system.apps["intake"].state.sessionmaker() as session:
        await session.exec(text("UPDATE project SET status = 'approved', risk_level = 'high', version = 1 WHERE id = :id")
                           .bindparams(id=project["id"]))
        await session.commit()
    decided = await system.intake.post(
        f"/api/v1/projects/{project['id']}/transitions", json={"action": "decide", "outcome": "reject"},
        headers={**owner, "If-Match": '"1"'},
    )
    assert decided.status_code == 200, decided.text
    register = await system.intake.get("/api/v1/risk-watch/warnings", params={"region_code": REGION, "limit": 200},
                                       headers=await system.auth("jx.supervisor"))
    return dict(next(e for e in register.json()["items"] if e["project_id"] == project["id"]))


@pytest.fixture(scope="module")
async def world(system: Any) -> dict[str, Any]:
    owner = await system.auth(OWNER)
    project = (await system.intake.post(
        "/api/v1/projects", json={"title": f"矩阵项目-{uuid.uuid4().hex[:8]}", "category": "policy"}, headers=owner
    )).json()
    for action in ("file", "start_assessment"):
        current = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=owner)).json()
        moved = await system.intake.post(
            f"/api/v1/projects/{project['id']}/transitions", json={"action": action},
            headers={**owner, "If-Match": f'"{current["version"]}"'},
        )
        assert moved.status_code == 200, moved.text
    upload = await system.intake.post(
        "/api/v1/files", files={"file": ("报告.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")},
        headers=owner,
    )
    assert upload.status_code == 201, upload.text
    submitted = await system.intake.post(
        f"/api/v1/projects/{project['id']}/reports",
        json={"report": complete_report(), "document_file_id": upload.json()["id"]}, headers=owner,
    )
    assert submitted.status_code == 201, submitted.text
    await system.drain_outboxes()
    project = (await system.intake.get(f"/api/v1/projects/{project['id']}", headers=owner)).json()
    assert project["current_review_id"], project
    decision_list = await system.intake.post(
        "/api/v1/decision-lists",
        json={"batch": "mid_year", "year": 2026, "title": f"矩阵清单-{uuid.uuid4().hex[:6]}",
              "items": [{"title": f"矩阵清单事项-{uuid.uuid4().hex[:6]}", "category": "policy"}]},
        headers=owner,
    )
    assert decision_list.status_code == 201, decision_list.text
    # 嘉兴学院 avoided: the intruder expert.jx1 works there, and a drawn expert would see the project.
    draw = await system.registry.post(
        "/api/v1/expert-draws",
        json={"project_id": project["id"], "count": 1, "region_code": "330400", "avoid_org_ids": [org_id("嘉兴学院")]},
        headers=await system.auth("jx.reviewer"),
    )
    assert draw.status_code == 201, draw.text
    await system.drain_outboxes()  # intake hears of the draw now, not while the matrix counts rows
    experts = await system.registry.get("/api/v1/experts", params={"region_code": "330400", "limit": 1},
                                        headers=await system.auth("zj.admin"))
    agencies = await system.registry.get("/api/v1/agencies", params={"limit": 200}, headers=owner)
    agency = next(a for a in agencies.json()["items"] if a["name"] == "嘉兴和谐社会风险评估咨询有限公司")
    client = await _headers(system, INTRUDERS["integration_client"])
    subscription = await system.intake.post(
        "/api/v1/webhooks/subscriptions", json={"url": "https://example.org/matrix", "event_types": ["project.filed"]},
        headers=client,
    )
    warning = await _warning(system, owner)
    INTRUDERS["other_city"] = await _other_city_reviewer(system)
    ids = {
        "project": project["id"],
        "project_number": project["number"],
        "file": upload.json()["id"],
        "list": decision_list.json()["id"],
        "review": project["current_review_id"],
        "draw": draw.json()["id"],
        "expert": experts.json()["items"][0]["id"],
        "agency": agency["id"],
        "region": REGION,
        "organization": org_id(OWNER_ORG),
        "subscription": subscription.json()["id"] if subscription.status_code == 201 else str(uuid.uuid4()),
        "warning": warning["id"],
    }
    markers = {
        "project": [project["id"], project["number"], project["title"]],
        "file": [upload.json()["id"]],
        "list": [decision_list.json()["id"], decision_list.json()["title"]],
        "review": [project["current_review_id"]],
        "draw": [draw.json()["id"]],
        "subscription": [ids["subscription"], "example.org/matrix"],
        "warning": [warning["id"]],  # its title is the project's, which the client may read
    }
    return {"ids": ids, "markers": markers}


def _nowhere(kind: str) -> str:
    """An id of the same shape that names nothing."""
    return {"region": "999999", "project_number": "WP-330483-2026-99999"}.get(kind, str(uuid.uuid4()))


_PARAMS = {
    "project_id": "project", "file_id": "file", "list_id": "list", "review_id": "review", "draw_id": "draw",
    "expert_id": "expert", "agency_id": "agency", "region_code": "region", "subscription_id": "subscription",
    "project_number": "project_number", "warning_id": "warning",
}
_FIXED = {**{k: "00000000-0000-4000-8000-000000000000" for k in ("inspection_id", "finding_id", "circular_id", "action_id", "opinion_id")}, "round_number": "1", "code": "C01.1", "version": "v1", "org_id": org_id(OWNER_ORG), "code_": REGION}


def _fill(path: str, ids: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _PARAMS:
            return ids[_PARAMS[name]]
        return _FIXED[name]

    return re.sub(r"\{(\w+)\}", one, path)


async def _call(system: Any, key: tuple[str, str, str], route: Route, ids: dict[str, str], headers: dict[str, str]) -> httpx.Response:
    service, method, path = key
    extra = {"If-Match": '"1"'} if route.if_match else {}
    body = route.body(ids) if route.body else None
    return await system.client(service).request(
        method, _fill(path, ids), json=body if method != "GET" else None, headers={**headers, **extra}
    )


async def _table_counts(system: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for service in ("intake", "review", "registry"):
        async with system.apps[service].state.sessionmaker() as session:
            connection = await session.connection()
            names = await connection.run_sync(lambda c: inspect(c).get_table_names())
            for name in names:
                if not _NOISY.search(name):
                    counts[f"{service}.{name}"] = (await connection.execute(text(f'SELECT count(*) FROM "{name}"'))).scalar_one()
            await session.rollback()
    return counts


async def _owner_views(system: Any, ids: dict[str, str]) -> dict[str, Any]:
    owner = await system.auth(OWNER)
    reviewer = await system.auth("jx.reviewer")
    views = {}
    for label, client, url, headers in (
        ("project", system.intake, f"/api/v1/projects/{ids['project']}", owner),
        ("ledger", system.intake, f"/api/v1/projects/{ids['project']}/ledger", owner),
        ("reports", system.intake, f"/api/v1/projects/{ids['project']}/reports", owner),
        ("list", system.intake, f"/api/v1/decision-lists/{ids['list']}", owner),
        ("review", system.review, f"/api/v1/reviews/{ids['review']}", reviewer),
        ("draw", system.registry, f"/api/v1/expert-draws/{ids['draw']}", owner),
        ("expert", system.registry, f"/api/v1/experts/{ids['expert']}", await system.auth("zj.admin")),
        ("agency", system.registry, f"/api/v1/agencies/{ids['agency']}", owner),
        ("region", system.review, f"/api/v1/region-configs/{REGION}/versions", reviewer),
    ):
        response = await client.get(url, headers=headers)
        views[label] = (response.status_code, response.text)
    return views


def _verdict(route: Route, who: str, victim: httpx.Response, nowhere: httpx.Response) -> str | None:
    """Why this answer breaks the rule, or None."""
    if route.kind == SERVICE:
        return None if victim.status_code in (401, 403) else "a service-only route answered a person or client"
    visible = who in SEES[route.obj or ""]
    if visible and route.kind == READ:
        return None if victim.status_code < 500 else "5xx"
    if visible:
        # Refused in any way (403, or 404/412/428 before the permission check): nothing to hide, and
        # the data checks below prove nothing changed.
        return None if 400 <= victim.status_code < 500 else "a visible object accepted a write that is not theirs"
    if victim.status_code not in (401, 403, 404):
        return "another tenant's object was not refused"
    same = (victim.status_code, _code(victim)) == (nowhere.status_code, _code(nowhere))
    return None if same else f"answers differ from a missing id ({nowhere.status_code} {_code(nowhere)}): existence revealed"


def _code(response: httpx.Response) -> str | None:
    try:
        return response.json().get("code")
    except ValueError:
        return None


async def test_other_tenants_objects_answer_as_if_missing_and_nothing_changes(system: Any, world: dict[str, Any]) -> None:
    ids = world["ids"]
    await system.drain_outboxes()  # messages of earlier tests delivered now, not counted as a refused call's change
    before_counts, before_views = await _table_counts(system), await _owner_views(system, ids)
    routes = {k: r for k, r in ROUTES.items() if r.kind in (READ, WRITE, SERVICE) and r.obj}
    failures, calls, refused_403 = [], 0, 0
    for who_key, who in INTRUDERS.items():
        headers = await _headers(system, who)
        for key, route in routes.items():
            assert route.obj is not None
            if route.obj in LEGITIMATE.get(who_key, set()) or (who_key, key) in LEGITIMATE_ROUTES:
                continue
            victim = await _call(system, key, route, ids, headers)
            missing = {**ids, route.obj: _nowhere(route.obj)}
            if route.obj == "project":
                missing["project_number"] = _nowhere("project_number")
            nowhere = await _call(system, key, route, missing, headers)
            calls += 1
            refused_403 += victim.status_code == 403
            if victim.status_code == 422:
                failures.append(f"{key} as {who_key}: 422, the matrix body does not reach authorization: {victim.text[:200]}")
                continue
            problem = _verdict(route, who_key, victim, nowhere)
            if problem:
                failures.append(f"{key} as {who_key} ({who}): {victim.status_code} {_code(victim)} — {problem}")
    after_counts, after_views = await _table_counts(system), await _owner_views(system, ids)
    changed = {t: (before_counts[t], after_counts.get(t)) for t in before_counts if before_counts[t] != after_counts.get(t)}
    changed_views = [label for label in before_views if before_views[label] != after_views[label]]
    print(f"\nobject matrix: {len(routes)} routes x {len(INTRUDERS)} principals = {calls} cases "
          f"(each also against a missing id); {refused_403} refused with 403")
    assert not failures, "\n".join(failures)
    assert not changed and not changed_views, f"the refused calls changed data: {changed} {changed_views}"


def _texts(response: httpx.Response) -> str:
    if response.content[:2] == b"PK":  # .xlsx / .docx: the XML parts
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml"))
    return response.text


async def test_lists_exports_and_statistics_never_contain_another_tenants_rows(system: Any, world: dict[str, Any]) -> None:
    lists = [k for k, r in ROUTES.items() if r.kind == LIST]
    failures, calls = [], 0
    for who_key, who in INTRUDERS.items():
        headers = await _headers(system, who)
        for service, _, path in lists:
            response = await system.client(service).get(path, params={"limit": 200} if "xlsx" not in path and "stats" not in path else {}, headers=headers)
            calls += 1
            if response.status_code >= 500:
                failures.append(f"{path} as {who_key}: {response.status_code}")
                continue
            body = _texts(response)
            seen = {k for k in SEES if who_key in SEES[k]}
            excused = seen | {e for k in seen for e in EMBEDS.get(k, set())}
            for kind, values in world["markers"].items():
                if kind in excused:
                    continue
                leaked = [v for v in values if v in body]
                if leaked:
                    failures.append(f"{service} {path} as {who_key} shows the tenant's {kind}: {leaked}")
    print(f"\nlist matrix: {len(lists)} lists x {len(INTRUDERS)} principals = {calls} reads")
    assert not failures, "\n".join(failures)


def test_open_routes_are_only_conventions_and_reference_data() -> None:
    """OPEN is the exception that needs a reason: keep the list short and reviewed."""
    open_routes = sorted(p for (_, _, p), r in ROUTES.items() if r.kind == OPEN)
    assert len(open_routes) <= 46, open_routes  # 40, and the admins' audit trail of each service (6)
    assert all(r.obj is None or r.kind in (READ, WRITE, SERVICE) for r in ROUTES.values())
    assert {r.kind for r in ROUTES.values()} <= {READ, WRITE, LIST, SERVICE, OPEN}
