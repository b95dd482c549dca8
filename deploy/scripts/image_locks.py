"""Write deploy/docker/requirements-<service>.lock: the pins of requirements.lock that one service's
image needs, and no others.

What a service needs is found from its code, not kept by hand: every top-level import of the
service's package and of ``wenping_shared`` is mapped to its distribution, and the closure of their
requirements (as the installed metadata declares them, extras the lock pins included) is taken.
Drivers and server extras that are loaded by name rather than imported are added explicitly.

    .venv/bin/python deploy/scripts/image_locks.py          # rewrite the files
    .venv/bin/python deploy/scripts/image_locks.py --check  # exit 1 when a file is stale
"""

from __future__ import annotations

import argparse
import ast
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
OUT = ROOT / "deploy" / "docker"

#: Loaded by name (SQLAlchemy dialects, uvicorn's HTTP parser, FastAPI's form parser): no import shows them.
ALWAYS = ("asyncpg", "aiosqlite", "httptools", "greenlet", "python-multipart")
#: Build tools, needed in the build stage only (installing the project's own packages).
BUILD_ONLY = frozenset({"setuptools", "wheel", "pip"})


def services() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))


def read_lock() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.strip()
    return pins


def imported_modules(package_dir: Path) -> set[str]:
    """Top-level names imported anywhere in a package folder (or one file)."""
    names: set[str] = set()
    for path in [package_dir] if package_dir.is_file() else package_dir.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def closure(roots: set[str], pins: dict[str, str]) -> set[str]:
    """Distributions reachable from ``roots`` through requirements the lock pins."""
    seen: set[str] = set()
    todo = [(r, frozenset[str]()) for r in roots]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key not in pins:
            continue
        first = key not in seen
        seen.add(key)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for spec in requires:
            req = Requirement(spec)
            if req.marker is not None:
                envs = [{"extra": e} for e in (extras or {""})]
                if not any(req.marker.evaluate({**env, "python_version": "3.11", "sys_platform": "linux",
                                                 "platform_system": "Linux", "implementation_name": "cpython",
                                                 "platform_python_implementation": "CPython"}) for env in envs):
                    continue
            dep = canonicalize_name(req.name)
            if dep not in seen or req.extras:
                todo.append((req.name, frozenset(req.extras)))
        if first and key == "python-jose":
            todo.append(("cryptography", frozenset()))  # python-jose[cryptography]
    return seen


#: Modules of the shared library that only some services import (their libraries are not needed by
#: the others: the registry's image carries no python-docx or fpdf), each with the public module
#: whose name in a service's code means the service needs it (``_official_docx`` is the layout
#: ``official_document`` imports when it renders).
ON_DEMAND = {"official_document": "official_document", "_official_docx": "official_document", "pdf": "pdf"}


def shared_modules(service_dir: Path) -> set[str]:
    """The shared library's imports a service needs: every module but the on-demand ones, and an
    on-demand one only where the service's code names it."""
    shared = ROOT / "shared" / "wenping_shared"
    source = "\n".join(p.read_text(encoding="utf-8") for p in service_dir.rglob("*.py"))
    names: set[str] = set()
    for path in shared.rglob("*.py"):
        if path.parent == shared and path.stem in ON_DEMAND and f"wenping_shared.{ON_DEMAND[path.stem]}" not in source:
            continue
        names |= imported_modules(path)
    return names


def subset(service: str, pins: dict[str, str]) -> list[str]:
    service_dir = ROOT / "services" / service / f"wenping_{service}"
    modules = imported_modules(service_dir) | shared_modules(service_dir)
    by_module = metadata.packages_distributions()
    roots = {dist for m in modules for dist in by_module.get(m, [])} | set(ALWAYS)
    roots = {r for r in roots if not canonicalize_name(r).startswith("wenping")}
    wanted = closure(roots, pins) - BUILD_ONLY
    test_only = {"pytest", "pytest-asyncio", "iniconfig", "pluggy", "asgi-lifespan"}
    return sorted(f"{name}=={pins[name]}" for name in wanted - test_only)


def render(service: str, pins: dict[str, str]) -> str:
    header = (
        f"# The pins of requirements.lock that the {service} image installs (--no-deps).\n"
        "# Generated by deploy/scripts/image_locks.py from the imports of the code; do not edit.\n"
    )
    return header + "\n".join(subset(service, pins)) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    pins = read_lock()
    stale = []
    for service in services():
        path = OUT / f"requirements-{service}.lock"
        text = render(service, pins)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("stale: " + ", ".join(stale) + " (run deploy/scripts/image_locks.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
