"""Every error code is declared once, as a class, and docs/error-codes.md lists them all.

The list is what integrators get: regenerate it after adding a problem class with
``WENPING_WRITE_ERROR_CODES=1 .venv/bin/python -m pytest -q tests/foundation/test_error_codes.py``.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest

import wenping_shared
from wenping_shared import Conflict, NotFound, WenpingError, declared_problems

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "error-codes.md"
#: Where raise sites must name a problem class instead of spelling a code string.
CONVERTED = [ROOT / "shared" / "wenping_shared"] + [ROOT / "services" / name for name in ("intake", "review", "registry")]


def _load_every_service() -> list[type[WenpingError]]:
    for service in ("intake", "review", "registry"):
        importlib.import_module(f"wenping_{service}.main")
    return [cls for cls in declared_problems() if cls.__module__ != __name__]


def _origin(cls: type[WenpingError]) -> str:
    module = cls.__module__
    return "shared" if module.startswith("wenping_shared") else module.split(".")[0].removeprefix("wenping_")


def render() -> str:
    lines = [
        "# Error codes",
        "",
        "Every error is `application/problem+json` (RFC 9457) with a stable `code`, its HTTP `status`,",
        "a Chinese `title` and a Chinese `detail` for the person reading it. Codes never change meaning;",
        "new ones are added. Generated from the problem classes (`wenping_shared/_errors.py` and each",
        "service's `errors.py`) by `tests/foundation/test_error_codes.py`; do not edit by hand.",
        "",
        "| code | status | title | declared in | class |",
        "|---|---|---|---|---|",
    ]
    for cls in _load_every_service():
        lines.append(f"| `{cls.code}` | {cls.status} | {cls.title} | {_origin(cls)} | `{cls.__name__}` |")
    lines += [
        "",
        "Also possible: `http.<status>` for what the web framework itself refuses (e.g. `http.405`).",
        "",
    ]
    return "\n".join(lines)


def test_docs_list_every_declared_code_with_its_status() -> None:
    text = render()
    if os.environ.get("WENPING_WRITE_ERROR_CODES") == "1":
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text, "docs/error-codes.md is stale: regenerate it (see module docstring)"
    assert "| `project.not_found` | 404 |" in text
    assert "| `region.not_found` | 400 |" in text and "| `region.not_found` | 404 |" in text


def test_a_code_cannot_be_declared_twice() -> None:
    with pytest.raises(TypeError, match="declared twice"):
        type("AnotherProjectNotFound", (NotFound,), {"code": "project.not_found", "__module__": __name__})
    # Declaring a new code is fine (and listed).
    fresh = type("FreshProblem", (Conflict,), {"code": "test.fresh_problem", "__module__": __name__})
    assert fresh in declared_problems() and fresh.status == 409


def test_a_problem_class_carries_its_code_status_and_default_detail() -> None:
    problem = wenping_shared.ProjectNotFound().to_problem()
    assert problem == {
        "type": "https://wenping.gov.cn/problems/project.not_found",
        "title": "资源不存在",
        "status": 404,
        "detail": "项目不存在",
        "code": "project.not_found",
    }
    assert wenping_shared.UnknownRegion("行政区划 999999 不存在").to_problem()["status"] == 400


def test_raise_sites_name_a_class_instead_of_spelling_a_code() -> None:
    spelled = []
    for base in CONVERTED:
        for path in base.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                # The declaration (``class X(Conflict, code="x.y"): ...``) is the one place a code is spelled.
                if re.search(r'\bcode="[a-z_]+\.[a-z_.]+"', line) and not line.lstrip().startswith("class "):
                    spelled.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not spelled, "declare a problem class instead:\n" + "\n".join(spelled)
