"""The three services as real uvicorn processes on 127.0.0.1, talking over real HTTP.

Bounded: three processes, a handful of requests, everything stopped at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

pytestmark = pytest.mark.e2e

NAMES = ("registry", "intake", "review")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    if os.environ.get("WENPING_TEST_DB", "sqlite") != "sqlite":
        pytest.skip("the process-level test runs once, on the embedded database")
    root = tmp_path_factory.mktemp("e2e")
    ports = {name: _free_port() for name in NAMES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {**os.environ}
    for name in NAMES:
        prefix = f"WENPING_{name.upper()}_"
        env[prefix + "DATA_DIR"] = str(root / name)
        env[prefix + "PORT"] = str(ports[name])
        env[prefix + "LOG_LEVEL"] = "WARNING"
        for peer in NAMES:
            env[prefix + f"{peer.upper()}_URL"] = urls[peer]
    for name in NAMES:
        for command in ("migrate", "seed"):
            subprocess.run([sys.executable, "-m", f"wenping_{name}", command], env=env, check=True,
                           capture_output=True, timeout=120)
    processes = [subprocess.Popen([sys.executable, "-m", f"wenping_{name}", "serve"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for name in NAMES]
    try:
        # Generous but bounded: on a loaded shared machine imports alone can take many seconds.
        deadline = time.monotonic() + 90
        for url in urls.values():
            while True:
                try:
                    if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not become ready within 90 s")
                time.sleep(0.2)
        yield urls
    finally:
        for p in processes:
            p.send_signal(signal.SIGINT)
        for p in processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        assert all(p.returncode is not None for p in processes)


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
