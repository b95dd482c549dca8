"""The nginx gateway: every path of every service's OpenAPI reaches that service (the OpenAPI
documents are read from the apps), paths all services share are reachable per service, metrics
are not public, and `nginx -t` accepts the configuration (Debian's nginx)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from deploy_kit import (
    DEPLOY,
    SERVICE_PORTS,
    SHARED_PATHS,
    concrete,
    debian_binary,
    nginx_locations,
    nginx_route,
    once_per_suite,
    openapi_paths,
)

CONF = DEPLOY / "gateway" / "nginx.conf"


@pytest.fixture(autouse=True)
def _once() -> None:
    once_per_suite()


def locations():  # type: ignore[no-untyped-def]
    return nginx_locations(CONF.read_text(encoding="utf-8"))


def test_every_openapi_path_reaches_its_service() -> None:
    locs = locations()
    wrong = []
    for service, paths in openapi_paths().items():
        for path in sorted(paths - SHARED_PATHS):
            loc = nginx_route(locs, concrete(path))
            if loc is None or loc.upstream != service or loc.strip_prefix:
                wrong.append(f"{path} -> {loc and loc.upstream} (owner {service})")
    assert wrong == [], "route these in deploy/gateway/nginx.conf and deploy/k8s/base/ingress.yaml"


def test_shared_paths_reach_every_service_under_its_name() -> None:
    locs = locations()
    for service in openapi_paths():
        loc = nginx_route(locs, f"/svc/{service}/readyz")
        assert loc is not None and loc.upstream == service and loc.strip_prefix
    assert nginx_route(locs, "/api/v1/whoami").upstream == "registry"  # type: ignore[union-attr]
    assert nginx_route(locs, "/api/v1/meta/enums").upstream == "registry"  # type: ignore[union-attr]


def test_metrics_and_unknown_api_paths_are_not_forwarded() -> None:
    locs = locations()
    for path in ("/metrics", "/svc/intake/metrics", "/svc/registry/metrics"):
        assert nginx_route(locs, path).upstream is None, path  # type: ignore[union-attr]
    assert nginx_route(locs, "/api/v1/nothing-here").upstream is None  # type: ignore[union-attr]
    assert nginx_route(locs, "/").upstream == "portal"  # type: ignore[union-attr]


def test_upstreams_are_the_compose_services() -> None:
    text = (DEPLOY / "gateway" / "upstreams.conf").read_text(encoding="utf-8")
    for service, port in SERVICE_PORTS.items():
        assert f"upstream {service}" in text and f"server {service}:{port}" in text


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    nginx = debian_binary("nginx", "nginx")
    shutil.copy(CONF, tmp_path / "nginx.conf")
    # The compose service names resolve only inside compose: the same upstreams on loopback.
    upstreams = (DEPLOY / "gateway" / "upstreams.conf").read_text(encoding="utf-8")
    for service in SERVICE_PORTS:
        upstreams = upstreams.replace(f"server {service}:", "server 127.0.0.1:")
    (tmp_path / "upstreams.conf").write_text(upstreams, encoding="utf-8")
    (tmp_path / "mime.types").write_text("types { text/html html; }\n", encoding="utf-8")
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
