"""The images and the compose file: every Dockerfile passes hadolint and keeps the rules (pinned
slim Python base, multi-stage, non-root numeric user, only its service's lock-pinned packages, a
HEALTHCHECK, data only under a declared VOLUME); the compose file parses, names only images these
Dockerfiles build, and starts each service after its one-shot migration."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_kit import API_SERVICES, DEPLOY, ROOT, SERVICE_PORTS, once_per_suite, services_present, tool

DOCKER = DEPLOY / "docker"
DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))
#: Images the compose file may use that these Dockerfiles do not build (pinned by version).
THIRD_PARTY = {"postgres"}


@pytest.fixture(autouse=True)
def _once() -> None:
    once_per_suite()


def instructions(path: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def test_a_dockerfile_per_service_and_the_gateway() -> None:
    assert {p.name for p in DOCKERFILES} == {f"{s}.Dockerfile" for s in [*SERVICE_PORTS, "gateway"]}


def test_hadolint_passes() -> None:
    result = subprocess.run([tool("hadolint"), "--failure-threshold", "info", *map(str, DOCKERFILES)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", list(SERVICE_PORTS))
def test_service_image_rules(service: str) -> None:
    steps = instructions(DOCKER / f"{service}.Dockerfile")
    froms = [rest for keyword, rest in steps if keyword == "FROM"]
    assert len(froms) >= 2, "multi-stage"
    for base in froms:
        image = base.split()[0]
        assert re.fullmatch(r"python:3\.11\.\d+-slim(-[a-z]+)?", image), f"base must be a pinned slim 3.11: {image}"
    runtime = steps[max(i for i, (k, _) in enumerate(steps) if k == "FROM"):]
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users and re.fullmatch(r"[1-9]\d{3,}(:[1-9]\d{3,})?", users[-1]), "a numeric non-root USER"
    assert any(k == "HEALTHCHECK" and "/healthz" in rest for k, rest in runtime)
    volumes = [rest for keyword, rest in runtime if keyword == "VOLUME"]
    assert volumes == ['["/var/lib/wenping"]']
    env = " ".join(rest for keyword, rest in runtime if keyword == "ENV")
    assert f"WENPING_{service.upper()}_DATA_DIR=/var/lib/wenping" in env, "data goes to the volume"
    assert "PYTHONDONTWRITEBYTECODE=1" in env, "nothing written next to the code on a read-only root"
    runs = " ".join(rest for keyword, rest in steps if keyword == "RUN")
    for install in re.findall(r"pip install ([^&]*)", runs):
        assert "--no-deps" in install, f"every install is lock-pinned and --no-deps: {install}"
        assert "-r requirements-" in install or "-r build-tools.lock" in install or "/wheels/" in install, install
    copies = " ".join(rest for keyword, rest in steps if keyword == "COPY")
    assert f"deploy/docker/requirements-{service}.lock" in copies
    others = set(SERVICE_PORTS) - {service}
    assert not any(f"services/{o}" in copies for o in others), "only this service's code"


def read_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


@pytest.mark.parametrize("service", services_present())
def test_image_lock_is_a_subset_of_the_lock(service: str) -> None:
    lock = read_pins(ROOT / "requirements.lock")
    subset = read_pins(DOCKER / f"requirements-{service}.lock")
    assert subset, "empty lock subset"
    assert {name: lock.get(name) for name in subset} == subset, "pins differ from requirements.lock"
    assert not {"pytest", "pytest-asyncio", "asgi-lifespan"} & set(subset), "test tools in an image"


def test_image_locks_are_current() -> None:
    """A new import in a service or in shared changes what its image needs."""
    result = subprocess.run([sys.executable, str(DEPLOY / "scripts" / "image_locks.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_only_the_registry_image_carries_argon2_and_only_review_python_docx() -> None:
    locks = {s: read_pins(DOCKER / f"requirements-{s}.lock") for s in API_SERVICES}
    assert "argon2-cffi" in locks["registry"] and "argon2-cffi" not in locks["intake"]
    assert "python-docx" in locks["review"] and "python-docx" not in locks["registry"]


# --- compose -------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_names_only_images_the_dockerfiles_build() -> None:
    services = compose()["services"]
    built = {p.name.removesuffix(".Dockerfile") for p in DOCKERFILES}
    for name, spec in services.items():
        image = spec["image"]
        repository, _, tag = image.partition(":")
        assert tag and tag != "latest", f"{name}: pin the image tag"
        if repository.split("/")[0] == "wenping":
            dockerfile = spec["build"]["dockerfile"]
            assert (ROOT / dockerfile).exists(), f"{name}: {dockerfile}"
            assert Path(dockerfile).name.removesuffix(".Dockerfile") == repository.split("/")[1] in built
            assert (DEPLOY / spec["build"]["context"]).resolve() == ROOT
        else:
            assert repository in THIRD_PARTY, f"{name}: {image} is not built here"


def test_compose_runs_migrations_before_each_service() -> None:
    services = compose()["services"]
    for name in API_SERVICES:
        migration = services[f"migrate-{name}"]
        assert migration["command"] == ["python", "-m", f"wenping_{name}", "migrate"]
        assert migration["restart"] == "no"
        assert migration["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["depends_on"][f"migrate-{name}"]["condition"] == "service_completed_successfully"
        assert migration["image"] == services[name]["image"]
    for name, spec in services.items():
        for dependency in spec.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith("./") or source in compose()["volumes"], f"{name}: undeclared volume {source}"
    gateway = services["gateway"]
    assert gateway["ports"] == ["${WENPING_HTTP_PORT:-80}:8080"]
    assert sum(1 for spec in services.values() if "ports" in spec) == 1, "one public address: the gateway"


def test_compose_services_run_read_only_and_keep_no_secret() -> None:
    data = compose()
    for name in [*SERVICE_PORTS, "gateway"]:
        spec = data["services"][name]
        assert spec["read_only"] is True and "/tmp" in spec["tmpfs"], name
        assert "no-new-privileges:true" in spec["security_opt"], name
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert "wenping-dev-" not in text and "PRIVATE KEY" not in text
    assert re.findall(r"POSTGRES_PASSWORD: (.+)", text) == ["${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in deploy/.env}"]
    assert {"deploy/.env", "deploy/secrets/"} <= set((ROOT / ".gitignore").read_text().split())
