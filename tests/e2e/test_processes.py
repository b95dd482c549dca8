"""The three services as real uvicorn processes on 127.0.0.1, talking over real HTTP.

Bounded: three processes, a handful of requests, everything stopped at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from process_kit import SERVICES as NAMES
from process_kit import embedded_database_only, running

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    embedded_database_only("the process-level test")
    with running(tmp_path_factory.mktemp("e2e")) as urls:
        yield urls


def test_token_from_registry_is_accepted_over_real_http(services: dict[str, str]) -> None:
    token = httpx.post(services["registry"] + "/api/v1/auth/token",
                       data={"grant_type": "password", "username": "jx.reviewer", "password": "wenping-demo"},
                       timeout=10).json()["access_token"]
    for name in NAMES:
        response = httpx.get(services[name] + "/api/v1/whoami", headers={"Authorization": f"Bearer {token}"},
                             timeout=10)
        assert response.status_code == 200, (name, response.text)
        assert response.json()["roles"] == ["reviewer"]


def test_bad_requests_over_real_http(services: dict[str, str]) -> None:
    assert httpx.get(services["intake"] + "/api/v1/whoami", timeout=10).status_code == 401
    refused = httpx.post(services["registry"] + "/api/v1/auth/token",
                         data={"grant_type": "password", "username": "jx.reviewer", "password": "nope"}, timeout=10)
    assert refused.status_code == 401 and refused.json()["detail"] == "用户名或密码错误"
    big = httpx.post(services["review"] + "/api/v1/whoami", content=b"x" * (2 * 1024 * 1024),
                     headers={"content-type": "application/json"}, timeout=10)
    assert big.status_code == 413


def test_filing_crosses_services_over_real_http(services: dict[str, str]) -> None:
    """Filing in intake asks the registry (service token, audience registry) for the organisation."""
    token = httpx.post(services["registry"] + "/api/v1/auth/token",
                       data={"grant_type": "password", "username": "jx.fgw.filer", "password": "wenping-demo"},
                       timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "e2e-filing-1"}
    body = {"title": "嘉兴市城区停车收费价格调整（端到端测试）", "category": "policy", "initiation": "initiation",
            "interests": ["pricing"], "affected_population": 120000, "planned_decision_date": "2027-03-01",
            "deadline": "2027-02-01", "filing_batch": "ad_hoc"}
    created = httpx.post(services["intake"] + "/api/v1/projects", json=body, headers=headers, timeout=20)
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["responsible_org_name"] == "嘉兴市发展和改革委员会"  # answered by the registry process
    assert project["number"].startswith("WP-330400-")
    assert created.headers["x-request-id"] == "e2e-filing-1"
    bad = httpx.post(services["intake"] + "/api/v1/projects", json={**body, "region_code": "110000"},
                     headers=headers, timeout=20)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["region_code"]
