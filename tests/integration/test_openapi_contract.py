"""The OpenAPI contract as an integrator's generator reads it (issue 9 point 1, issue 10 F7).

The documents are built by the real apps; the checks are about the whole document, so a route
added later is held to the same rules without anyone listing it here.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from wenping_shared.contracts.vocab import LABELS, LabelledEnum, enum_catalog

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("openapi_snapshots", ROOT / "deploy" / "scripts" / "openapi_snapshots.py")
assert _spec and _spec.loader
snapshots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(snapshots)

SERVICES = ("intake", "review", "registry")
CJK = re.compile(r"[\u4e00-\u9fff]")
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _labelled(cls: type[LabelledEnum] = LabelledEnum) -> list[type[LabelledEnum]]:
    return [c for sub in cls.__subclasses__() for c in (sub, *_labelled(sub))]


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return snapshots.documents()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]


def _header_params(spec: dict[str, Any], op: dict[str, Any]) -> set[str]:
    names = set()
    for param in op.get("parameters", []):
        if "$ref" in param:
            param = spec["components"]["parameters"][param["$ref"].rsplit("/", 1)[1]]
        if param["in"] == "header":
            names.add(param["name"])
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_document_matches_the_committed_snapshot(documents: dict[str, dict[str, Any]], service: str) -> None:
    committed = (ROOT / "tests" / "openapi" / f"{service}.json").read_text(encoding="utf-8")
    assert snapshots.render(documents[service]) == committed, (
        f"{service} 的 OpenAPI 与 tests/openapi/{service}.json 不一致：若是有意修改接口契约，"
        "请运行 make openapi-snapshots 并与修改一并提交"
    )


def test_operation_ids_are_readable_and_unique(documents: dict[str, dict[str, Any]]) -> None:
    for service, spec in documents.items():
        ids = [op["operationId"] for _, _, op in _operations(spec)]
        assert len(ids) == len(set(ids)), service
        for op_id in ids:
            assert re.fullmatch(r"[a-z][a-zA-Z0-9]*", op_id), (service, op_id)
    intake = {op["operationId"] for _, _, op in _operations(documents["intake"])}
    assert {"createProject", "listProjects", "getProject", "uploadFile"} <= intake


def test_every_error_answer_is_a_problem(documents: dict[str, dict[str, Any]]) -> None:
    for service, spec in documents.items():
        schemas = spec["components"]["schemas"]
        assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
        items = schemas["Problem"]["properties"]["errors"]["items"]
        assert {"$ref": "#/components/schemas/ProblemFieldError"} in items.get("anyOf", [items])
        for path, method, op in _operations(spec):
            for status, response in op["responses"].items():
                assert CJK.search(response["description"]), (service, method, path, status)
                if status[0] in "45":
                    assert response["content"] == PROBLEM, (service, method, path, status)


def test_statuses_the_services_answer_are_declared(documents: dict[str, dict[str, Any]]) -> None:
    """F7: 400 (invalid cursor, malformed body), 401/403 where a token is needed, 404 on ids,
    409 on writes, 412/428 where If-Match applies."""
    for service, spec in documents.items():
        for path, method, op in _operations(spec):
            declared = set(op["responses"])
            where = (service, method, path)
            if op.get("security"):
                assert {"401", "403"} <= declared, where
            if "{" in path:
                assert "404" in declared, where
            if any(p.get("name") == "cursor" for p in op.get("parameters", [])):
                assert "400" in declared, where
            if "requestBody" in op:
                assert {"400", "422"} <= declared, where
            if "If-Match" in _header_params(spec, op):
                assert {"412", "428"} <= declared, where
    token = documents["registry"]["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"400", "401", "429"} <= set(token) and "Retry-After" in token["429"]["headers"]
    projects = documents["intake"]["paths"]
    assert "Idempotency-Key" in _header_params(documents["intake"], projects["/api/v1/projects"]["post"])
    transition = next(op for path, _, op in _operations(documents["intake"]) if path.endswith("/transitions"))
    assert "If-Match" in _header_params(documents["intake"], transition)
    etag = projects["/api/v1/projects/{project_id}"]["get"]["responses"]["200"]["headers"]
    assert "ETag" in etag and "X-Request-ID" in etag


def test_security_schemes_name_both_grants_at_the_registry(documents: dict[str, dict[str, Any]]) -> None:
    for service, spec in documents.items():
        schemes = spec["components"]["securitySchemes"]
        assert schemes["bearer"]["scheme"] == "bearer"
        flows = schemes["oauth2"]["flows"]
        assert set(flows) == {"password", "clientCredentials"}
        expected = "/api/v1/auth/token" if service == "registry" else "http://127.0.0.1:8003/api/v1/auth/token"
        assert flows["password"]["tokenUrl"] == flows["clientCredentials"]["tokenUrl"] == expected
        assert "projects:read" in flows["clientCredentials"]["scopes"]
        whoami = spec["paths"]["/api/v1/whoami"]["get"]
        assert whoami["security"] == [{"bearer": []}, {"oauth2": []}]
        assert "security" not in spec["paths"]["/healthz"]["get"]


def test_uploads_and_downloads_are_binary_with_their_media_types(documents: dict[str, dict[str, Any]]) -> None:
    intake = documents["intake"]
    upload = intake["paths"]["/api/v1/files"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    form = intake["components"]["schemas"][upload["$ref"].rsplit("/", 1)[1]]
    assert form["properties"]["file"]["format"] == "binary" and "contentMediaType" not in form["properties"]["file"]
    downloads = {
        ("intake", "/api/v1/projects/export.xlsx"): "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("registry", "/api/v1/experts/export.xlsx"): "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("review", "/api/v1/reviews/{review_id}/feedback.docx"):
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("review", "/api/v1/reviews/{review_id}/feedback.txt"): "text/plain",
        ("review", "/api/v1/reviews/{review_id}/feedback.pdf"): "application/pdf",
        ("intake", "/api/v1/clearances/{project_number}/form.pdf"): "application/pdf",
    }
    files = documents["intake"]["paths"]["/api/v1/files/{file_id}/content"]["get"]["responses"]["200"]["content"]
    assert set(files) == {"application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    for (service, path), media in downloads.items():
        content = documents[service]["paths"][path]["get"]["responses"]["200"]["content"]
        assert list(content) == [media], (service, path, content)
        assert content[media]["schema"] == {"type": "string", "format": "binary"}


def test_names_descriptions_and_labels_are_for_people(documents: dict[str, dict[str, Any]]) -> None:
    catalog = {name: {e["value"]: e["label"] for e in entries} for name, entries in enum_catalog().items()}
    all_labels = {tuple(sorted(v.items())) for v in catalog.values()}
    vocabularies = {cls.__name__ for cls in LABELS}
    own = {(cls.__name__, frozenset(m.value for m in cls)): {m.value: m.label for m in cls} for cls in _labelled()}
    for service, spec in documents.items():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", spec["info"]["title"]), spec["info"]["title"]
        assert spec["info"]["x-python-package"] == f"wenping_{service}_client"
        for tag in spec["tags"]:
            assert CJK.search(tag["description"]), (service, tag)
        for path, method, op in _operations(spec):
            assert CJK.search(op["summary"]) and CJK.search(op["description"]), (service, method, path)
            for param in op.get("parameters", []):
                if "$ref" not in param:
                    assert CJK.search(param.get("description", "")), (service, path, param["name"])
        for name, schema in spec["components"]["schemas"].items():
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) and not re.search(r"Type\d|^Body", name), (service, name)
            for key, prop in schema.get("properties", {}).items():
                assert CJK.search(prop.get("description", "")), (service, name, key)
            if "enum" in schema:  # every choice a client may meet carries its Chinese label
                assert len(schema.get("x-enum-descriptions", [])) == len(schema["enum"]), (service, name)
                assert all(CJK.search(label) for label in schema["x-enum-descriptions"]), (service, name)
            if "enum" in schema and name in vocabularies:
                labels = schema.get("x-enum-descriptions")
                assert labels and len(labels) == len(schema["enum"]), (service, name)
                pairs = tuple(sorted(zip(schema["enum"], labels, strict=True)))
                assert pairs in all_labels, (service, name)
            if "enum" in schema and (name, frozenset(schema["enum"])) in own:  # a service's own vocabulary
                labels = own[(name, frozenset(schema["enum"]))]
                assert schema["x-enum-descriptions"] == [labels[v] for v in schema["enum"]], (service, name)
