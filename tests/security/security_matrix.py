"""What the authorization matrices know about every route: one table, keyed by the routes of the
three OpenAPI documents, so a route nobody classified fails tests/security (it says which line to add).

To classify a new route, add one line to ROUTES:

    ("intake", "GET", "/api/v1/things/{thing_id}"): Route(READ, "thing"),

- the kind: READ / WRITE (acts on one tenant object named by id in the path or the body), LIST
  (answers many rows: must never contain another tenant's), SERVICE (service tokens only),
  OPEN (no tenant object: health, reference data, one's own account, token endpoint);
- the object kind it names (see VICTIMS in test_object_matrix.py), for READ and WRITE;
- for writes, a body valid for the route (the matrix must reach the authorization check, so a
  422 fails the test), built from the victims' ids;
- ``writers``: for the function-level matrix, the roles domain.md allows to call it (any object).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

READ, WRITE, LIST, SERVICE, OPEN = "read", "write", "list", "service", "open"

Body = Callable[[dict[str, str]], Any]


@dataclass(frozen=True)
class Route:
    kind: str
    obj: str | None = None
    body: Body | None = None
    #: Roles allowed to call a write at all (function level); "service:<name>" for service tokens.
    writers: frozenset[str] = field(default_factory=frozenset)
    if_match: bool = False


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


def _report(ids: dict[str, str]) -> dict[str, Any]:
    return {"report": {"title": "矩阵报告"}, "document_file_id": ids["file"]}


ROUTES: dict[tuple[str, str, str], Route] = {
    # --- conventions of every service (no tenant object) ---------------------------------------
    **{(s, "GET", p): Route(OPEN) for s in ("intake", "review", "registry")
       for p in ("/healthz", "/readyz", "/api/v1/whoami", "/api/v1/meta/enums")},
    # The security audit trail of each service, for admins only (require_roles("admin"), tests/audit):
    # the whole service's trail (等保 audit), not one tenant's rows.
    **{(s, "GET", p.format(s=s)): Route(OPEN) for s in ("intake", "review", "registry")
       for p in ("/api/v1/audit/{s}", "/api/v1/audit/{s}/verify")},
    # --- intake ----------------------------------------------------------------------------------
    ("intake", "POST", "/api/v1/projects"): Route(WRITE, None, lambda i: {"title": "矩阵", "category": "policy"},
                                                  writers=roles("filer")),
    ("intake", "POST", "/api/v1/projects/designations"): Route(
        WRITE, "organization",
        lambda i: {"title": "矩阵", "category": "policy", "responsible_org_id": i["organization"]},
        writers=roles("supervisor")),
    ("intake", "GET", "/api/v1/projects"): Route(LIST),
    ("intake", "GET", "/api/v1/projects/export.xlsx"): Route(LIST),
    ("intake", "GET", "/api/v1/projects/{project_id}"): Route(READ, "project"),
    ("intake", "PATCH", "/api/v1/projects/{project_id}"): Route(
        WRITE, "project", lambda i: {"title": "矩阵改名"}, writers=roles("filer"), if_match=True),
    ("intake", "POST", "/api/v1/projects/{project_id}/transitions"): Route(
        WRITE, "project", lambda i: {"action": "withdraw", "reason": "矩阵"}, writers=roles("filer"), if_match=True),
    ("intake", "POST", "/api/v1/projects/{project_id}/commission"): Route(
        WRITE, "project", lambda i: {"agency_id": i["agency"]}, writers=roles("filer")),
    ("intake", "POST", "/api/v1/projects/{project_id}/reports"): Route(
        WRITE, "project", _report, writers=roles("filer", "agency")),
    ("intake", "GET", "/api/v1/projects/{project_id}/reports"): Route(READ, "project"),
    ("intake", "GET", "/api/v1/projects/{project_id}/reports/{round_number}"): Route(READ, "project"),
    ("intake", "POST", "/api/v1/projects/{project_id}/review-events"): Route(
        SERVICE, "project",
        lambda i: {"event": "opened", "review_id": i["review"], "round": 1},
        writers=roles("service:review")),
    ("intake", "POST", "/api/v1/projects/{project_id}/drawn-experts"): Route(
        SERVICE, "project",
        lambda i: {"project_id": i["project"], "draw_id": "matrix-draw", "assignments": [
            {"expert_id": "matrix-expert", "expert_name": "矩阵专家", "region_code": "330400",
             "draw_id": "matrix-draw", "drawn_at": "2026-01-01T00:00:00+08:00"}]},
        writers=roles("service:registry")),
    ("intake", "POST", "/api/v1/projects/{project_id}/expert-opinions"): Route(
        WRITE, "project", lambda i: {"text": "矩阵专家意见"}, writers=roles("expert")),
    ("intake", "GET", "/api/v1/projects/{project_id}/expert-opinions"): Route(READ, "project"),
    ("intake", "PUT", "/api/v1/projects/{project_id}/expert-opinions/{opinion_id}/adoption"): Route(
        WRITE, "project", lambda i: {"adoption": "adopted", "reason": "矩阵理由"}, writers=roles("filer", "agency"),
        if_match=True),
    ("intake", "POST", "/api/v1/files"): Route(OPEN),  # creates the caller's own upload; no object named
    ("intake", "GET", "/api/v1/files/{file_id}"): Route(READ, "file"),
    ("intake", "GET", "/api/v1/files/{file_id}/content"): Route(READ, "file"),
    ("intake", "GET", "/api/v1/projects/{project_id}/ledger"): Route(READ, "project"),
    ("intake", "POST", "/api/v1/decision-lists"): Route(
        WRITE, None,
        lambda i: {"batch": "mid_year", "year": 2026, "title": "矩阵清单", "items": [{"title": "矩阵", "category": "policy"}]},
        writers=roles("filer")),
    ("intake", "GET", "/api/v1/decision-lists"): Route(LIST),
    ("intake", "GET", "/api/v1/decision-lists/{list_id}"): Route(READ, "list"),
    ("intake", "POST", "/api/v1/projects/{project_id}/tracking"): Route(
        WRITE, "project", lambda i: {"measure": 1, "progress_percent": 10, "status": "in_progress"},
        writers=roles("filer")),
    ("intake", "GET", "/api/v1/projects/{project_id}/tracking"): Route(READ, "project"),
    ("intake", "POST", "/api/v1/projects/{project_id}/evaluation"): Route(
        WRITE, "project", lambda i: {"disputes_arisen": 0, "measures_effective": True, "summary": "矩阵"},
        writers=roles("filer"), if_match=True),
    ("intake", "GET", "/api/v1/projects/{project_id}/evaluation"): Route(READ, "project"),
    ("intake", "GET", "/api/v1/reminders"): Route(LIST),
    ("intake", "GET", "/api/v1/stats/summary"): Route(LIST),
    ("intake", "GET", "/api/v1/stats/expert-opinions"): Route(LIST),
    ("intake", "GET", "/api/v1/webhooks/event-types"): Route(OPEN),
    ("intake", "POST", "/api/v1/webhooks/subscriptions"): Route(
        WRITE, None, lambda i: {"url": "https://example.org/hook", "event_types": ["project.filed"]},
        writers=roles("client:webhooks:manage")),
    ("intake", "GET", "/api/v1/webhooks/subscriptions"): Route(LIST),
    ("intake", "GET", "/api/v1/webhooks/subscriptions/{subscription_id}"): Route(READ, "subscription"),
    ("intake", "PATCH", "/api/v1/webhooks/subscriptions/{subscription_id}"): Route(
        WRITE, "subscription", lambda i: {"active": False}, writers=roles("client:webhooks:manage"), if_match=True),
    ("intake", "DELETE", "/api/v1/webhooks/subscriptions/{subscription_id}"): Route(
        WRITE, "subscription", None, writers=roles("client:webhooks:manage"), if_match=True),
    ("intake", "GET", "/api/v1/webhooks/subscriptions/{subscription_id}/deliveries"): Route(READ, "subscription"),
    ("intake", "GET", "/api/v1/clearances/jwks.json"): Route(OPEN),
    # oversight: inspections, rectification, circulars, accountability (the stability office of a subtree;
    # the world seeds none of them: the ids name nothing, tenancy is proven by tests/oversight)
    ("intake", "POST", "/api/v1/inspections"): Route(
        WRITE, "project",
        lambda i: {"project_id": i["project"], "inspected_on": "2026-01-05", "inspectors": ["矩阵"],
                   "checks": [{"check": c, "finding": "矩阵"} for c in ("procedure", "implementation", "quality", "closure")]},
        writers=roles("supervisor")),
    ("intake", "GET", "/api/v1/inspections"): Route(LIST),
    ("intake", "GET", "/api/v1/inspections/{inspection_id}"): Route(READ, "project"),
    ("intake", "POST", "/api/v1/inspections/findings/{finding_id}/report"): Route(
        WRITE, "project", lambda i: {"report": "矩阵整改"}, writers=roles("filer"), if_match=True),
    ("intake", "POST", "/api/v1/inspections/findings/{finding_id}/accept"): Route(
        WRITE, "project", lambda i: {"note": "矩阵"}, writers=roles("supervisor"), if_match=True),
    ("intake", "POST", "/api/v1/inspections/findings/{finding_id}/return"): Route(
        WRITE, "project", lambda i: {"note": "矩阵"}, writers=roles("supervisor"), if_match=True),
    ("intake", "POST", "/api/v1/inspections/circulars"): Route(
        WRITE, None, lambda i: {"period_start": "2026-01-01", "period_end": "2026-01-31", "issuing_office": "矩阵",
                                "number_prefix": "矩阵通"}, writers=roles("supervisor")),
    ("intake", "GET", "/api/v1/inspections/circulars"): Route(LIST),
    ("intake", "GET", "/api/v1/inspections/circulars/{circular_id}"): Route(READ, "project"),
    ("intake", "GET", "/api/v1/inspections/circulars/{circular_id}/circular.docx"): Route(READ, "project"),
    ("intake", "POST", "/api/v1/accountability"): Route(
        WRITE, "project",
        lambda i: {"project_id": i["project"], "kind": "interview", "ground": "built_before_assessed",
                   "decided_on": "2026-01-05", "description": "矩阵约谈"},
        writers=roles("supervisor")),
    ("intake", "GET", "/api/v1/accountability"): Route(LIST),
    ("intake", "GET", "/api/v1/accountability/grounds"): Route(LIST),
    ("intake", "GET", "/api/v1/accountability/{action_id}"): Route(READ, "project"),
    # oversight: targets and yearly appraisals (the stability office of a subtree)
    ("intake", "POST", "/api/v1/targets"): Route(
        WRITE, "organization", lambda i: {"year": 2026, "org_id": i["organization"], "target_count": 1},
        writers=roles("supervisor")),
    ("intake", "GET", "/api/v1/targets"): Route(LIST),
    ("intake", "GET", "/api/v1/targets/template.xlsx"): Route(OPEN),
    ("intake", "POST", "/api/v1/targets/import"): Route(OPEN),  # supervisors only, into their own subtree (its tests)
    ("intake", "GET", "/api/v1/appraisals"): Route(LIST),
    ("intake", "GET", "/api/v1/appraisals/export.xlsx"): Route(LIST),
    ("intake", "GET", "/api/v1/appraisals/schemes/{region_code}"): Route(READ, "region"),
    ("intake", "POST", "/api/v1/appraisals/schemes/{region_code}"): Route(
        WRITE, "region",
        lambda i: {"weights": {"coverage": 20, "targets": 20, "on_time": 20, "first_pass": 20, "effect_evaluation": 20},
                   "penalties": {"reassessment_returns": 1, "built_before_assessed": 1, "open_rectifications": 1,
                                 "accountability_actions": 1},
                   "grades": {"excellent": 90, "good": 80, "passed": 60}},
        writers=roles("supervisor")),
    # risk watch (issue 12, point 6): the board and the warning register of a subtree; incidents
    ("intake", "GET", "/api/v1/risk-watch/board"): Route(LIST),
    ("intake", "GET", "/api/v1/risk-watch/warnings"): Route(LIST),
    ("intake", "GET", "/api/v1/risk-watch/warnings/{warning_id}"): Route(READ, "warning"),
    ("intake", "POST", "/api/v1/projects/{project_id}/incidents"): Route(
        WRITE, "project",
        lambda i: {"occurred_on": "2026-01-01", "people_involved": 1, "description": "矩阵", "response": "矩阵"},
        writers=roles("filer", "supervisor")),
    ("intake", "GET", "/api/v1/projects/{project_id}/incidents"): Route(READ, "project"),
    ("intake", "GET", "/api/v1/clearances/{project_number}"): Route(READ, "project"),
    ("intake", "GET", "/api/v1/clearances/{project_number}/form.docx"): Route(READ, "project"),
    ("intake", "GET", "/api/v1/clearances/{project_number}/form.pdf"): Route(READ, "project"),
    # --- review ----------------------------------------------------------------------------------
    ("review", "GET", "/api/v1/checklists"): Route(OPEN),
    ("review", "GET", "/api/v1/checklists/{version}"): Route(OPEN),
    ("review", "POST", "/api/v1/precheck"): Route(
        WRITE, "project", lambda i: {"report": {"title": "矩阵"}, "project_id": i["project"]},
        writers=roles("filer", "agency", "reviewer", "supervisor")),
    ("review", "POST", "/api/v1/reviews"): Route(
        WRITE, "project", lambda i: {"project_id": i["project"], "round": 1}, writers=roles("service:intake", "reviewer")),
    ("review", "GET", "/api/v1/reviews"): Route(LIST),
    ("review", "GET", "/api/v1/reviews/{review_id}"): Route(READ, "review"),
    ("review", "PUT", "/api/v1/reviews/{review_id}/items/{code}"): Route(
        WRITE, "review", lambda i: {"result": "pass"}, writers=roles("reviewer")),
    ("review", "POST", "/api/v1/reviews/{review_id}/decision"): Route(
        WRITE, "review", lambda i: {}, writers=roles("reviewer"), if_match=True),
    ("review", "GET", "/api/v1/reviews/{review_id}/audit"): Route(READ, "review"),
    ("review", "GET", "/api/v1/reviews/{review_id}/feedback"): Route(READ, "review"),
    ("review", "GET", "/api/v1/reviews/{review_id}/feedback.txt"): Route(READ, "review"),
    ("review", "GET", "/api/v1/reviews/{review_id}/feedback.docx"): Route(READ, "review"),
    ("review", "GET", "/api/v1/reviews/{review_id}/feedback.pdf"): Route(READ, "review"),
    ("review", "GET", "/api/v1/region-configs/{region_code}"): Route(READ, "region"),
    ("review", "PUT", "/api/v1/region-configs/{region_code}"): Route(
        WRITE, "region", lambda i: {"overrides": {}}, writers=roles("admin", "supervisor")),
    ("review", "GET", "/api/v1/region-configs/{region_code}/versions"): Route(READ, "region"),
    ("review", "GET", "/api/v1/stats/return-reasons"): Route(LIST),
    # --- registry --------------------------------------------------------------------------------
    ("registry", "POST", "/api/v1/auth/token"): Route(OPEN),
    ("registry", "GET", "/.well-known/jwks.json"): Route(OPEN),
    ("registry", "GET", "/api/v1/regions"): Route(OPEN),  # the public administrative division tree
    ("registry", "GET", "/api/v1/regions/{code}"): Route(OPEN),
    ("registry", "GET", "/api/v1/organizations"): Route(OPEN),  # names of government bodies, reference data
    ("registry", "POST", "/api/v1/organizations"): Route(
        WRITE, None, lambda i: {"name": "矩阵单位", "kind": "department", "region_code": "330483"}, writers=roles("admin")),
    ("registry", "GET", "/api/v1/organizations/{org_id}"): Route(OPEN),
    ("registry", "GET", "/api/v1/users/me"): Route(OPEN),
    ("registry", "POST", "/api/v1/external-identities"): Route(
        SERVICE, "organization", lambda i: {}, writers=roles("service:intake", "service:review")),
    ("registry", "GET", "/api/v1/users"): Route(LIST),
    ("registry", "POST", "/api/v1/users"): Route(
        WRITE, "organization",
        lambda i: {"username": "matrix.user", "display_name": "矩阵", "password": "matrix-password-1",
                   "roles": ["filer"], "org_id": i["organization"]},
        writers=roles("admin")),
    ("registry", "GET", "/api/v1/experts"): Route(LIST),
    ("registry", "POST", "/api/v1/experts"): Route(
        WRITE, None, lambda i: {"name": "矩阵专家", "fields": ["finance"], "region_code": "330483"}, writers=roles("admin")),
    ("registry", "GET", "/api/v1/experts/fields"): Route(OPEN),
    ("registry", "GET", "/api/v1/experts/import-template.xlsx"): Route(OPEN),
    ("registry", "POST", "/api/v1/experts/import"): Route(OPEN),  # admins only, into their own subtree (test_expert_spreadsheets)
    ("registry", "GET", "/api/v1/experts/export.xlsx"): Route(LIST),
    ("registry", "GET", "/api/v1/experts/{expert_id}"): Route(READ, "expert"),
    ("registry", "PATCH", "/api/v1/experts/{expert_id}"): Route(
        WRITE, "expert", lambda i: {"title": "矩阵职称"}, writers=roles("admin")),
    ("registry", "POST", "/api/v1/expert-draws"): Route(
        WRITE, "project", lambda i: {"project_id": i["project"], "count": 1, "region_code": "330400"},
        writers=roles("filer", "reviewer", "admin")),
    ("registry", "GET", "/api/v1/expert-draws"): Route(LIST),
    ("registry", "GET", "/api/v1/expert-draws/{draw_id}"): Route(READ, "draw"),
    ("registry", "GET", "/api/v1/expert-draws/{draw_id}/verify"): Route(READ, "draw"),
    ("registry", "POST", "/api/v1/expert-draws/{draw_id}/declines"): Route(
        WRITE, "draw", lambda i: {"reason": "矩阵谢绝理由"}, writers=roles("expert")),
    ("registry", "GET", "/api/v1/agencies"): Route(OPEN),  # the graded agencies are public (备案 lists are published)
    ("registry", "POST", "/api/v1/agencies"): Route(
        WRITE, None, lambda i: {"name": "矩阵机构", "credit_code": "91330483MA2B3C4D5D", "region_code": "330483"},
        writers=roles("admin")),
    ("registry", "GET", "/api/v1/agencies/{agency_id}"): Route(OPEN),
    ("registry", "PATCH", "/api/v1/agencies/{agency_id}"): Route(
        WRITE, "agency", lambda i: {"address": "矩阵地址"}, writers=roles("admin")),
    ("registry", "POST", "/api/v1/agencies/{agency_id}/gradings"): Route(
        WRITE, "agency", lambda i: {"grade": "A", "valid_from": "2026-01-01", "valid_until": "2027-12-31"},
        writers=roles("admin")),
    ("registry", "GET", "/api/v1/agencies/{agency_id}/gradings"): Route(OPEN),
    ("registry", "GET", "/api/v1/agencies/{agency_id}/eligibility"): Route(OPEN),
    ("registry", "GET", "/api/v1/agencies/{agency_id}/practitioners"): Route(OPEN),
    ("registry", "POST", "/api/v1/agencies/{agency_id}/practitioners"): Route(
        WRITE, "agency", lambda i: {"name": "矩阵人员"}, writers=roles("admin")),
    ("registry", "GET", "/api/v1/agencies/{agency_id}/misconduct"): Route(OPEN),
    ("registry", "POST", "/api/v1/agencies/{agency_id}/misconduct"): Route(
        WRITE, "agency", lambda i: {"recorded_on": "2026-01-01", "description": "矩阵"}, writers=roles("admin")),
    ("registry", "POST", "/api/v1/agencies/{agency_id}/performance"): Route(
        SERVICE, "agency",
        lambda i: {"review_id": i["review"], "project_id": i["project"], "round": 1, "verdict": "approved",
                   "score": 90, "decided_at": "2026-01-01T00:00:00Z"},
        writers=roles("service:review")),
}


def missing_line(service: str, method: str, path: str) -> str:
    return f'    ("{service}", "{method}", "{path}"): Route(<READ|WRITE|LIST|SERVICE|OPEN>, "<object kind>"),'
