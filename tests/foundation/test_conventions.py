"""api.md conventions, the same on all three services."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

SERVICES = ("intake", "review", "registry")


@pytest.mark.parametrize("service", SERVICES)
async def test_health_and_openapi(system: Any, service: str) -> None:
    client = system.client(service)
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.") and "/api/v1/whoami" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


@pytest.mark.parametrize("service", SERVICES)
async def test_unknown_route_and_method_are_problems(system: Any, service: str) -> None:
    client = system.client(service)
    missing = await client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["code"] == "resource.not_found"
    wrong_method = await client.delete("/healthz")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["detail"] == "不支持该请求方法"


@pytest.mark.parametrize("service", SERVICES)
async def test_body_over_the_cap_is_413(system: Any, service: str) -> None:
    client = system.client(service)
    big = b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    response = await client.post("/api/v1/whoami", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"

    async def chunks():  # no Content-Length: the cap still holds
        for _ in range(20):
            yield b"a" * 65536

    streamed = await client.post("/api/v1/whoami", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413


async def test_validation_errors_are_chinese_422_with_locations(system: Any) -> None:
    headers = await system.auth("zj.admin")
    response = await system.registry.post(
        "/api/v1/users",
        headers=headers,
        json={"username": "A", "display_name": "", "password": "short", "roles": ["king"], "org_id": "x", "extra": 1},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "request.validation_failed"
    locs = {tuple(e["loc"]) for e in problem["errors"]}
    assert ("extra",) in locs and ("password",) in locs and ("roles", 0) in locs
    messages = " ".join(e["msg"] for e in problem["errors"])
    assert "不允许的字段" in messages and "不能少于 10 个字符" in messages
    assert "Traceback" not in response.text


async def test_malformed_json_is_400_not_500(system: Any) -> None:
    headers = await system.auth("zj.admin")
    response = await system.registry.post(
        "/api/v1/users", headers={**headers, "content-type": "application/json"}, content=b"{not json"
    )
    assert response.status_code == 400  # F6: not a field-level 422, the body is not JSON at all
    assert response.json()["code"] == "request.malformed_body"
    assert response.json()["errors"][0]["msg"] == "JSON 格式错误"


async def test_pagination_limits_and_cursor(system: Any) -> None:
    headers = await system.auth("zj.admin")
    too_many = await system.registry.get("/api/v1/organizations", params={"limit": 201}, headers=headers)
    assert too_many.status_code == 422
    bad_cursor = await system.registry.get("/api/v1/organizations", params={"cursor": "!!!"}, headers=headers)
    assert bad_cursor.status_code == 400 and bad_cursor.json()["code"] == "pagination.invalid_cursor"
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await system.registry.get("/api/v1/organizations", params=params, headers=headers)).json()
        assert len(page["items"]) <= 3
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    everything = (await system.registry.get("/api/v1/organizations", params={"limit": 200}, headers=headers)).json()
    # Paging by 3 yields every organisation of 330000 exactly once, in the same order.
    assert seen == [o["id"] for o in everything["items"]] and len(seen) >= 9 and len(set(seen)) == len(seen)
    default = (await system.registry.get("/api/v1/organizations", headers=headers)).json()
    assert len(default["items"]) <= 20


async def test_log_lines_are_json_with_the_request_id(system: Any, caplog: pytest.LogCaptureFixture) -> None:
    from wenping_shared._logging import JsonFormatter

    caplog.set_level(logging.INFO, logger="wenping.access")
    await system.intake.get("/healthz", headers={"X-Request-ID": "log-check-1"})
    records = [r for r in caplog.records if r.name == "wenping.access" and getattr(r, "request_id", None) == "log-check-1"]
    assert records, "access log line carries the request id"
    line = json.loads(JsonFormatter("intake").format(records[-1]))
    assert line["request_id"] == "log-check-1" and line["status"] == 200 and line["path"] == "/healthz"


@pytest.mark.parametrize("service", SERVICES)
async def test_enums_with_chinese_labels_on_every_service(system: Any, service: str) -> None:
    response = await system.client(service).get("/api/v1/meta/enums")
    assert response.status_code == 200
    catalog = response.json()
    categories = {e["value"]: e["label"] for e in catalog["project_category"]}
    assert categories == {"policy": "重大政策", "reform": "重大改革", "project": "重大工程项目", "event": "重大活动",
                          "other": "其他"}
    assert {"approved", "returned_for_revision", "returned_for_reassessment"} <= {
        e["value"] for e in catalog["review_verdict"]}
