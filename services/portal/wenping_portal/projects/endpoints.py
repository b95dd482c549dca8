"""Projects: the list (with filters and search), filing, the project page (status, allowed
actions, ledger timeline, report rounds, review result and letter), actions and commissioning."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wenping_shared.contracts import vocab

from ..deps import ApiDep, Csrf, SessionDep, role_guard
from ..rendering import page
from ..sessions import PortalSession
from ..upstream import Api, Refused

router = APIRouter(tags=["projects"])
FilerOnly = Depends(role_guard("filer"))

ACTION_LABELS = {
    "create": "创建草稿", "file": "报备", "file_in_list": "随决策清单报备", "update": "修改项目信息",
    "commission": "委托评估机构", "designate": "指定评估", "start_assessment": "开始评估",
    "submit_report": "报送评估报告", "review_opened": "审查开始", "review_decided": "审查作出结论",
    "decide": "作出决策", "start_tracking": "进入跟踪问效", "tracking_progress": "报告措施进展",
    "evaluate": "报送效果评价", "close": "销号", "withdraw": "撤回", "resume": "重新评估",
}
#: The transition buttons: their Chinese text and whether the action asks for more (reason/outcome).
TRANSITIONS = {
    "file": ("报备", None), "start_assessment": ("开始评估", None), "decide": ("作出决策", "outcome"),
    "close": ("销号", None), "withdraw": ("撤回", "reason"), "resume": ("重新评估", None),
}
OPEN_FOR_REPORTS = {"assessing", "returned"}
TRACKED = {"implement", "implement_with_measures", "tracking", "evaluated", "closed"}
MEASURE_STATUSES = (("not_started", "未开始"), ("in_progress", "推进中"), ("completed", "已完成"), ("blocked", "推进受阻"))


def _choices(enum_type: type[StrEnum]) -> list[tuple[str, str]]:
    return [(m.value, vocab.label(m)) for m in enum_type]


@router.get("/projects")
async def project_list(
    request: Request, session: SessionDep, api: ApiDep,
    q: str = "", status: str = "", category: str = "", year: str = "", overdue: str = "", cursor: str = "",
) -> Response:
    params = {"q": q.strip(), "status": status, "category": category, "year": year if year.isdigit() else "",
              "overdue": "true" if overdue == "true" else "", "cursor": cursor, "limit": 50}
    answer = await api.get("intake", "/api/v1/projects", **params)
    assert session.user is not None
    heading = {"filer": "我的项目", "agency": "受托项目"}.get(session.user.role, "辖区项目")
    return page(
        request, "projects/list.html", title=heading, heading=heading, projects=answer["items"],
        next_cursor=answer.get("next_cursor"), filters={"q": q, "status": status, "category": category, "year": year,
                                                        "overdue": overdue},
        statuses=_choices(vocab.ProjectStatus), categories=_choices(vocab.ProjectCategory),
    )


def _filing_form(request: Request, **context: Any) -> Response:
    return page(
        request, "projects/new.html", title="报备新项目",
        categories=_choices(vocab.ProjectCategory), sub_kinds=_choices(vocab.ProjectSubKind),
        batches=_choices(vocab.FilingBatch), interests=_choices(vocab.Interest),
        initiations=[(m.value, vocab.label(m)) for m in vocab.Initiation if m != vocab.Initiation.designation],
        **context,
    )


@router.get("/projects/new", dependencies=[FilerOnly])
async def new_project_form(request: Request) -> Response:
    return _filing_form(request, values={"interests": []})


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


@router.post("/projects/new", dependencies=[Csrf, FilerOnly])
async def file_project(request: Request, session: SessionDep, api: ApiDep) -> Response:
    form = await request.form()
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "interests")}
    values["interests"] = [str(v) for v in form.getlist("interests")]
    body: dict[str, Any] = {
        "title": values.get("title", "").strip(),
        "category": values.get("category") or None,
        "sub_kind": values.get("sub_kind") or None,
        "initiation": values.get("initiation") or "initiation",
        "filing_batch": values.get("filing_batch") or "ad_hoc",
        "interests": values["interests"],
        "affected_population": _int_or_none(values.get("affected_population", "")),
        "expected_participants": _int_or_none(values.get("expected_participants", "")),
        "description": values.get("description", "").strip() or None,
        "implementing_unit_name": values.get("implementing_unit_name", "").strip() or None,
        "planned_decision_date": values.get("planned_decision_date") or None,
        "deadline": values.get("deadline") or None,
    }
    if body["category"] != "project":
        body["sub_kind"] = None
    if body["category"] != "event":
        body["expected_participants"] = None
    try:
        created = await api.post("intake", "/api/v1/projects", json=body)
    except Refused as exc:
        return _filing_form(request, values=values, error=exc.message)
    session.flash(f"已创建项目草稿 {created['number']}，核对无误后请点击「报备」。")
    return RedirectResponse(f"/projects/{created['id']}", status_code=303)


async def _letter(api: Api, review_id: str) -> dict[str, Any] | None:
    try:
        letter: dict[str, Any] = await api.get("review", f"/api/v1/reviews/{review_id}/feedback")
    except Refused:
        return None  # not decided yet, or not visible to this role
    return letter


async def _agencies_for(api: Api, project: dict[str, Any]) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], list[str]]]]:
    """The agencies that may take this project (the registry's eligibility answer, as intake asks
    it when commissioning), and the others with the registry's reasons why not."""
    listed = (await api.get("registry", "/api/v1/agencies", limit=100))["items"]
    query = {"project_level": project.get("level"), "project_region_code": project.get("region_code")}

    async def answer(agency: dict[str, Any]) -> dict[str, Any]:
        try:
            found: dict[str, Any] = await api.get("registry", f"/api/v1/agencies/{quote(agency['id'], safe='')}/eligibility",
                                                  **query)
        except Refused as exc:
            return {"eligible": False, "reasons": [{"message": exc.message}]}
        return found

    answers = await asyncio.gather(*(answer(a) for a in listed))
    eligible = [a for a, ok in zip(listed, answers, strict=True) if ok["eligible"]]
    others = [(a, [str(r.get("message")) for r in ok["reasons"]] or ["不符合承接条件"])
              for a, ok in zip(listed, answers, strict=True) if not ok["eligible"]]
    return eligible, others


@router.get("/projects/{project_id}")
async def project_page(request: Request, project_id: str, session: SessionDep, api: ApiDep) -> Response:
    assert session.user is not None
    project = await api.get("intake", f"/api/v1/projects/{project_id}")
    ledger = await api.get("intake", f"/api/v1/projects/{project_id}/ledger")
    rounds = await api.get("intake", f"/api/v1/projects/{project_id}/reports")
    latest_decided = next((r for r in reversed(rounds) if r.get("review_id") and r.get("verdict")), None)
    letter = await _letter(api, latest_decided["review_id"]) if latest_decided else None
    agencies: list[dict[str, Any]] = []
    user = session.user
    may_commission = (user.has_role("filer") and user.org_id == project["responsible_org_id"]
                      and project["status"] in ("draft", "filed", "assessing", "returned"))
    ineligible: list[tuple[dict[str, Any], list[str]]] = []
    if may_commission:
        agencies, ineligible = await _agencies_for(api, project)
    tracking = evaluation = None
    if project["status"] in TRACKED:
        tracking = await api.get("intake", f"/api/v1/projects/{project_id}/tracking")
        if project["status"] in ("evaluated", "closed"):
            evaluation = await api.get("intake", f"/api/v1/projects/{project_id}/evaluation")
    may_write_report = project["status"] in OPEN_FOR_REPORTS and (
        (user.has_role("agency") and user.org_id == project.get("agency_org_id"))
        or (user.has_role("filer") and project["assessor_kind"] == "self" and user.org_id == project["responsible_org_id"])
    )
    return page(
        request, "projects/detail.html", title=project["title"], project=project, ledger=ledger["items"],
        rounds=rounds, letter=letter, latest=latest_decided, agencies=agencies, ineligible=ineligible,
        may_commission=may_commission,
        may_write_report=may_write_report, tracking=tracking, evaluation=evaluation,
        may_track=user.has_role("filer") and user.org_id == project["responsible_org_id"],
        measure_statuses=MEASURE_STATUSES, transitions=TRANSITIONS, action_labels=ACTION_LABELS,
        outcomes=_choices(vocab.Recommendation),
    )


@router.post("/projects/{project_id}/transitions", dependencies=[Csrf])
async def transition(
    project_id: str, session: SessionDep, api: ApiDep,
    action: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    outcome: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    _, etag = await api.etag("intake", f"/api/v1/projects/{project_id}")
    body: dict[str, Any] = {"action": action}
    if reason.strip():
        body["reason"] = reason.strip()
    if outcome:
        body["outcome"] = outcome
    try:
        moved = await api.post("intake", f"/api/v1/projects/{project_id}/transitions", json=body,
                               headers={"If-Match": etag})
        session.flash(f"已{TRANSITIONS.get(action, (action,))[0]}：项目状态现为「{moved['status_label']}」。")
    except Refused as exc:
        session.flash(exc.message, "error")
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


@router.post("/projects/{project_id}/commission", dependencies=[Csrf, FilerOnly])
async def commission(
    project_id: str, session: SessionDep, api: ApiDep, agency_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if not agency_id:
        session.flash("请选择评估机构", "error")
        return RedirectResponse(f"/projects/{project_id}", status_code=303)
    try:
        moved = await api.post("intake", f"/api/v1/projects/{project_id}/commission", json={"agency_id": agency_id})
        session.flash(f"已委托「{moved['agency_name']}」开展评估。")
    except Refused as exc:
        reasons = exc.body.get("reasons") or []
        session.flash(exc.message + ("：" + "；".join(str(r) for r in reasons) if reasons else ""), "error")
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


async def _send_tracking(
    api: Api, session: PortalSession, project_id: str, part: str, body: dict[str, Any], done: str
) -> Response:
    """POST a tracking form (progress, evaluation) to intake, say how it went, back to the project's tracking."""
    try:
        await api.post("intake", f"/api/v1/projects/{project_id}/{part}", json=body)
        session.flash(done)
    except Refused as exc:
        session.flash(exc.message, "error")
    return RedirectResponse(f"/projects/{project_id}#tracking", status_code=303)


@router.post("/projects/{project_id}/tracking", dependencies=[Csrf, FilerOnly])
async def record_progress(
    project_id: str, session: SessionDep, api: ApiDep,
    measure: Annotated[int, Form(ge=0, le=10_000)],
    progress_percent: Annotated[int, Form(ge=0, le=100)],
    status: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    body = {"measure": measure, "progress_percent": progress_percent, "status": status, "note": note.strip() or None}
    return await _send_tracking(api, session, project_id, "tracking", body, "已记录措施落实进展。")


@router.post("/projects/{project_id}/evaluation", dependencies=[Csrf, FilerOnly])
async def record_evaluation(
    project_id: str, session: SessionDep, api: ApiDep,
    disputes_arisen: Annotated[int, Form(ge=0, le=1_000_000)],
    measures_effective: Annotated[str, Form(max_length=5)],
    summary: Annotated[str, Form(max_length=10000)],
    disputes_description: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    body = {"disputes_arisen": disputes_arisen, "measures_effective": measures_effective == "true",
            "summary": summary.strip(), "disputes_description": disputes_description.strip() or None}
    return await _send_tracking(api, session, project_id, "evaluation", body, "已报送效果评价；确认无误后可以销号。")


@router.get("/projects/{project_id}/reviews/{review_id}/letter.{kind}")
async def letter_file(project_id: str, review_id: str, kind: str, api: ApiDep) -> Response:
    """The feedback letter as Word (to edit and print) or PDF (fonts embedded: prints anywhere)."""
    if kind not in ("docx", "pdf"):
        raise Refused(404, "没有这种格式的反馈意见")
    answer = await api.response("review", "GET", f"/api/v1/reviews/{review_id}/feedback.{kind}")
    filename = quote(f"审查反馈意见.{kind}")
    return Response(answer.content, media_type=answer.headers.get("content-type", "application/octet-stream"),
                    headers={"Content-Disposition": f"attachment; filename=\"feedback.{kind}\"; filename*=UTF-8''{filename}"})
