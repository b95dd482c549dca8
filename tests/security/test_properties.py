"""Property-level authorization and input hygiene (issue 10, point 3), walked over the request bodies
of the three OpenAPI documents, so a new input model is covered without anyone remembering it:

- every object a body can carry refuses unknown fields (``additionalProperties: false``), and a
  mass-assignment attempt on a real route answers 422 naming the field;
- no body carries status, region, organisation, owner, grade, score, verdict or roles except the
  fields listed in PRIVILEGED with the reason they are safe;
- every free-text field states and enforces the no-control-characters rule (Text / MultiLineText,
  or a stricter pattern), and a control character answers a Chinese 422;
- personal data of experts (phone, e-mail, ID number) reaches admins and reviewers only.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from security_matrix import ROUTES, WRITE
from test_function_matrix import ROLES, _role_headers
from test_object_matrix import _fill

#: (schema, property) that look like tenant or state fields, and why a client may send them.
PRIVILEGED: dict[tuple[str, str], str] = {
    ("DesignationCreate", "responsible_org_id"): "a supervisor designates a department of its own subtree, checked with the registry",
    ("OrganizationCreate", "region_code"): "an admin creates organisations inside its subtree only",
    ("UserCreate", "org_id"): "an admin creates users of organisations inside its subtree only",
    ("UserCreate", "roles"): "an admin assigns roles inside its subtree only",
    ("ExpertCreate", "region_code"): "an admin registers experts inside its subtree only",
    ("ExpertUpdate", "region_code"): "an admin moves experts inside its subtree only",
    ("ExpertUpdate", "status"): "an admin suspends or retires an expert",
    ("AgencyCreate", "region_code"): "an admin registers agencies inside its subtree only",
    ("AgencyUpdate", "status"): "an admin suspends or blacklists an agency",
    ("AgencyFiling", "province_code"): "an admin files an agency with its own province",
    ("GradingCreate", "grade"): "an admin grades an agency (criteria checked)",
    ("MisconductCreate", "region_code"): "an admin records misconduct inside its subtree",
    ("ExpertDrawCreate", "region_code"): "the draw's pool, inside the caller's subtree",
    ("PerformanceCreate", "verdict"): "review service only (function matrix)",
    ("PerformanceCreate", "score"): "review service only (function matrix)",
    ("ReviewEventIn", "verdict"): "review service only (function matrix)",
    ("ReviewEventIn", "score"): "review service only (function matrix)",
    ("ProjectFactsIn", "region_code"): "intake's hand-off only; a reviewer's body with project facts is refused",
    ("ProjectFactsIn", "responsible_org_id"): "intake's hand-off only",
    ("TrackingCreate", "status"): "the progress of one measure, not the project's status",
    ("SubscriptionUpdate", "active"): "the owning client pauses its own subscription",
    ("CommissionRequest", "agency_id"): "the filer commissions an agency the registry finds eligible",
    ("AgencyCreate", "org_id"): "an admin links the agency to an organisation of its subtree",
    ("ProjectFacts", "region_code"): "intake's hand-off only (service token); a reviewer's body with facts is refused",
    ("ProjectFacts", "responsible_org_id"): "intake's hand-off only",
    ("ProjectFacts", "agency_id"): "intake's hand-off only",
    ("ProjectFacts", "agency_org_id"): "intake's hand-off only",
    ("ExternalIdentityIn", "roles"): "intake/review services only, mapped from a trusted issuer's token",
    ("ExternalIdentityIn", "org_id"): "intake/review services only",
    ("ExternalIdentityIn", "region_code"): "intake/review services only",
    ("TargetSet", "region_code"): "a supervisor sets targets for regions of its own subtree",
    ("TargetSet", "org_id"): "a supervisor sets targets for organisations of its own subtree",
    ("ExpertAssignment", "region_code"): "registry service only (the drawn expert's region, for the statistics)",
    ("WarningFlagFacts", "score"): "intake's hand-off only (service token): the similarity intake computed at filing",
    ("CircularCreate", "region_code"): "a supervisor issues a circular for a region of its own subtree (checked, else 403)",
}
#: Messages between services are tolerant readers on purpose (wenping_shared.contracts.messages:
#: a sender that gains a field must not dead-letter its outbox); only service tokens may send them.
TOLERANT = {"ReviewEventIn", "FailedItem", "ProjectFacts", "DocumentFileRef", "PerformanceCreate", "ReportHandoff",
            "ExpertsAssigned", "ExpertAssignment", "WarningFlagFacts"}
#: Models of the report contract: the assessment's own content (levels, approvals of other bodies).
REPORT_CONTENT = {
    "Report", "FilingForm", "PriorApproval", "Overview", "CitedDocument", "AssessmentPlan", "ProcedureStepRecord",
    "PublicNotice", "MeetingExpert", "ExpertMeeting", "Procedure", "Concern", "Consultation", "RiskFactor",
    "Measure", "EmergencyPlan", "Monitoring", "Measures", "Conclusion", "Attachment", "TeamMember", "Assessor", "SignOff",
}
SENSITIVE = re.compile(
    r"^(status|state|region(_code)?|province_code|org(anization)?_id|responsible_org_id|agency(_org)?_id|owner.*|"
    r"created_by|grade|score|verdict|roles?|is_admin|active)$"
)


@pytest.fixture(scope="module")
async def documents(system: Any) -> dict[str, dict[str, Any]]:
    return {s: (await system.client(s).get("/openapi.json")).json() for s in ("intake", "review", "registry")}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _objects(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every object schema reachable from a JSON request body, by name."""
    found: dict[str, dict[str, Any]] = {}

    def walk(schema: dict[str, Any], name: str | None) -> None:
        if "$ref" in schema:
            ref = schema["$ref"].rsplit("/", 1)[1]
            if ref in found:
                return
            walk(_resolve(document, schema), ref)
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                walk(sub, name)
        if schema.get("type") == "array" and "items" in schema:
            walk(schema["items"], None)
        if "properties" in schema:
            found[name or schema.get("title", "?")] = schema
            for sub in schema["properties"].values():
                walk(sub, None)
        if isinstance(schema.get("additionalProperties"), dict):
            walk(schema["additionalProperties"], None)

    for operations in document["paths"].values():
        for operation in operations.values():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                walk(content["application/json"]["schema"], None)
    return found


def _strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    if schema.get("type") == "string":
        return [schema]
    if schema.get("type") == "array":
        return _strings(schema.get("items", {}))
    return [s for key in ("anyOf", "oneOf") for sub in schema.get(key, []) for s in _strings(sub)]


async def test_every_input_object_refuses_unknown_fields(documents: dict[str, dict[str, Any]]) -> None:
    open_models = []
    for service, document in documents.items():
        for name, schema in _objects(document).items():
            if name in TOLERANT or schema.get("additionalProperties") is False:
                continue
            open_models.append(f"{service}:{name}")
    assert not open_models, f"input models without extra='forbid': {open_models}"


async def test_no_body_sets_state_or_tenant_fields_unless_listed(documents: dict[str, dict[str, Any]]) -> None:
    unlisted = []
    for service, document in documents.items():
        for name, schema in _objects(document).items():
            for field in schema["properties"]:
                if SENSITIVE.match(field) and name not in REPORT_CONTENT and (name, field) not in PRIVILEGED:
                    unlisted.append(f"{service}:{name}.{field}")
    assert not unlisted, (
        "input fields that set state, tenant, owner, grade, score, verdict or roles; remove them, or list them in "
        f"PRIVILEGED with the reason a client may send them: {unlisted}"
    )


async def test_every_free_text_field_states_the_no_control_characters_rule(documents: dict[str, dict[str, Any]]) -> None:
    loose = []
    for service, document in documents.items():
        for name, schema in _objects(document).items():
            for field, prop in schema["properties"].items():
                for string in _strings(_resolve(document, prop) if "$ref" in prop else prop):
                    if "enum" in string or "const" in string or "format" in string:
                        continue
                    pattern = string.get("pattern")
                    if pattern is None or re.search(pattern, "x\u0001") or re.search(pattern, "x\u001b"):
                        loose.append(f"{service}:{name}.{field}")
    assert not loose, f"free-text fields without Text/MultiLineText (wenping_shared): {sorted(set(loose))}"


def _free_text_fields(document: dict[str, Any], operation: dict[str, Any]) -> list[tuple[str, bool, bool]]:
    """Top-level free-text fields of an operation's body: name, multi-line, a list of texts."""
    schema = _resolve(document, operation["requestBody"]["content"]["application/json"]["schema"])
    fields = []
    for field, prop in schema.get("properties", {}).items():
        for string in _strings(prop):
            if "pattern" in string and "x00" in string["pattern"]:
                is_list = any(s.get("type") == "array" for s in [prop, *prop.get("anyOf", [])])
                fields.append((field, "x08" in string["pattern"], is_list))
                break
    return fields


async def test_control_characters_answer_a_chinese_422_on_every_write(system: Any, documents: dict[str, dict[str, Any]]) -> None:
    failures, cases = [], 0
    for (service, method, path), route in ROUTES.items():
        if route.kind != WRITE or route.body is None or not route.writers:
            continue
        operation = documents[service]["paths"][path][method.lower()]
        role = sorted(route.writers)[0]
        headers = await _role_headers(system, ROLES[role], service)
        assert headers is not None
        ids = {k: "00000000-0000-0000-0000-000000000000" for k in
               ("project", "file", "review", "agency", "expert", "organization", "list", "draw", "subscription",
                "project_number")}
        ids["region"] = "330400"
        url = _fill(path, ids)
        for field, multi_line, is_list in _free_text_fields(documents[service], operation):
            hostile = "矩阵矩阵矩阵矩阵矩阵\u0001\u001b"  # long enough for any minimum length
            body = {**route.body(ids), field: [hostile] if is_list else hostile}
            response = await system.client(service).request(method, url, json=body, headers=headers)
            cases += 1
            problem = response.json() if response.headers.get("content-type", "").endswith("json") else {}
            messages = str(problem.get("detail", "")) + " ".join(str(e.get("msg")) for e in problem.get("errors", []))
            if response.status_code != 422 or "控制字符" not in messages:
                failures.append(f"{service} {method} {path} {field}: {response.status_code} {response.text[:160]}")
            if multi_line:
                body[field] = ["第一行\n第二行\t缩进"] if is_list else "第一行\n第二行\t缩进"
                response = await system.client(service).request(method, url, json=body, headers=headers)
                if "控制字符" in response.text:
                    failures.append(f"{service} {method} {path} {field}: newline/tab refused in multi-line text")
    print(f"\ncontrol characters: {cases} free-text fields of write routes")
    assert cases > 20 and not failures, "\n".join(failures)


async def test_mass_assignment_is_refused(system: Any) -> None:
    filer = await system.auth("jx.fgw.filer")
    for extra in ({"status": "approved"}, {"region_code": "620700"}, {"responsible_org_id": "x"}, {"created_by": "x"},
                  {"risk_level": "low"}, {"agency_org_id": "x"}):
        response = await system.intake.post("/api/v1/projects", json={"title": "批量赋值", "category": "policy", **extra},
                                            headers=filer)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["type"] == "extra_forbidden" and next(iter(extra)) in response.text


#: Who may read the personal data of experts (domain.md: contact visible only to admins and reviewers).
PERSONAL_READERS = {"admin", "reviewer"}


async def test_expert_personal_data_only_for_admins_and_reviewers(system: Any) -> None:
    admin = await system.auth("zj.admin")
    listed = await system.registry.get("/api/v1/experts", params={"region_code": "330400", "limit": 50}, headers=admin)
    with_contact = [e for e in listed.json()["items"] if (e.get("contact") or {}).get("phone")]
    assert with_contact, "the demo pool has experts with contact data"
    expert = with_contact[0]
    secrets = [v for v in expert["contact"].values() if v]
    for role in ("filer", "agency", "expert", "reviewer", "supervisor", "admin", "client:webhooks:manage"):
        headers = await _role_headers(system, ROLES[role], "registry")
        if headers is None:
            continue
        one = await system.registry.get(f"/api/v1/experts/{expert['id']}", headers=headers)
        many = await system.registry.get("/api/v1/experts", params={"region_code": "330400", "limit": 200}, headers=headers)
        export = await system.registry.get("/api/v1/experts/export.xlsx", headers=headers)
        texts = [one.text, many.text]
        if export.status_code == 200:
            sheet = load_workbook(io.BytesIO(export.content), read_only=True).active
            texts.append(" ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None))
        shown = any(secret in text for secret in secrets for text in texts)
        assert shown == (role in PERSONAL_READERS), (role, one.status_code, many.status_code, export.status_code)
