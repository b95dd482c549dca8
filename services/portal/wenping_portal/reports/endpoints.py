"""The report editor: sections saved as a draft, live precheck against review's auto items,
upload of the document to intake and submission of the round."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from ..deps import ApiDep, Csrf, SessionDep
from ..rendering import page
from ..sessions import PortalSession
from ..upstream import Api, Refused
from . import sections
from .drafts import Draft, DraftStore

router = APIRouter(tags=["reports"])
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def _drafts(request: Request) -> DraftStore:
    store: DraftStore = request.app.state.drafts
    return store


async def _project_for_writer(api: Api, session: PortalSession, project_id: str) -> dict[str, Any]:
    """The project, if this user writes its report now (the API decides again at submission)."""
    project: dict[str, Any] = await api.get("intake", f"/api/v1/projects/{project_id}")
    user = session.user
    assert user is not None
    writer = (user.has_role("agency") and user.org_id == project.get("agency_org_id")) or (
        user.has_role("filer") and project["assessor_kind"] == "self" and user.org_id == project["responsible_org_id"]
    )
    if not writer:
        raise Refused(403, "只有受托评估机构（或自行评估的责任单位）可以编写此项目的评估报告")
    return project


async def _current_draft(request: Request, api: Api, session: PortalSession, project: dict[str, Any]) -> Draft:
    """The saved draft; else the last submitted round (a returned report is revised, not rewritten); else a new one."""
    assert session.user is not None and session.user.org_id is not None
    saved = await _drafts(request).get(project["id"], session.user.org_id)
    if saved is not None:
        return saved
    if project.get("report_rounds"):
        last = await api.get("intake", f"/api/v1/projects/{project['id']}/reports/{project['report_rounds']}")
        return Draft(project["id"], session.user.org_id, last["report"], None, None)
    return Draft(project["id"], session.user.org_id, sections.starting_draft(project), None, None)


async def _category_titles(request: Request, api: Api) -> dict[str, str]:
    titles: dict[str, str] | None = getattr(request.app.state, "checklist_titles", None)
    if titles is None:
        checklist = await api.get("review", "/api/v1/checklists/v1")
        titles = {c["code"]: c["title"] for c in checklist["categories"]}
        request.app.state.checklist_titles = titles
    return titles


async def _precheck(request: Request, api: Api, project_id: str, report: dict[str, Any]) -> dict[str, Any]:
    """Review's precheck of the draft (without its empty rows), grouped by category; a refusal of
    the draft's shape is shown with each error beside its field, not raised."""
    sent, kept = sections.cleaned(report)
    try:
        result: dict[str, Any] = await api.post("review", "/api/v1/precheck", json={"report": sent, "project_id": project_id})
    except Refused as exc:
        if exc.status == 422 and exc.errors:
            return {"error": "请先改正以下填写错误", "field_errors": sections.field_errors(exc.errors, kept)}
        return {"error": exc.message}
    titles = await _category_titles(request, api)
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in result["items"]:
        groups.setdefault(item["category_code"], []).append(item)
    result["groups"] = [(code, titles.get(code, code), items) for code, items in groups.items()]
    return result


def _editor(request: Request, project: dict[str, Any], draft: Draft, precheck: dict[str, Any] | None,
            saved_at: str | None = None) -> Response:
    beside = {e.path: e.message for e in (precheck or {}).get("field_errors", [])}
    forms = {s.key: sections.widgets(s, draft.report, beside) for s in sections.SECTIONS}
    return page(
        request, "reports/editor.html", title=f"评估报告 · {project['title']}", project=project, draft=draft,
        sections=sections.SECTIONS, forms=forms, precheck=precheck, saved_at=saved_at,
    )


@router.get("/projects/{project_id}/report")
async def editor(request: Request, project_id: str, session: SessionDep, api: ApiDep) -> Response:
    project = await _project_for_writer(api, session, project_id)
    draft = await _current_draft(request, api, session, project)
    return _editor(request, project, draft, await _precheck(request, api, project_id, draft.report))


def _section(key: str) -> sections.Section:
    section = sections.BY_KEY.get(key)
    if section is None:
        raise Refused(404, "报告中没有这一部分")
    return section


@router.post("/projects/{project_id}/report/sections/{key}", dependencies=[Csrf])
async def save_section(request: Request, project_id: str, key: str, session: SessionDep, api: ApiDep) -> Response:
    """Saves the section as typed; 添加一行 / 删除 (buttons named add / remove) change its rows first."""
    section = _section(key)
    project = await _project_for_writer(api, session, project_id)
    draft = await _current_draft(request, api, session, project)
    form = await request.form()
    report = sections.with_section(draft.report, sections.parse_section(section, form))
    anchor = f"section-{key}"
    added, removed = str(form.get("add") or ""), str(form.get("remove") or "")
    if added and sections.row_path_valid(section, added) and sections.add_row(report, added):
        rows = sections.rows_at(report, added)
        anchor = "row-" + f"{added}.{len(rows) - 1}".replace(".", "-")
    elif removed and sections.row_path_valid(section, removed, row=True):
        sections.remove_row(report, removed)
    assert session.user is not None and session.user.org_id is not None
    saved = await _drafts(request).save(project_id, session.user.org_id, report, session.user.username)
    if request.headers.get("x-requested-with") == "fetch":
        # The script swaps this section and the precheck panel in place. A row added or removed
        # changes nothing a rule reads yet: the panel stays as it is (precheck is rate-limited).
        precheck = None if added or removed else await _precheck(request, api, project_id, saved.report)
        return _editor(request, project, saved, precheck, saved_at=saved.updated_at)
    if not (added or removed):
        session.flash(f"「{section.title}」已保存到草稿。")
    return RedirectResponse(f"/projects/{project_id}/report#{anchor}", status_code=303)


@router.post("/projects/{project_id}/report/precheck", dependencies=[Csrf])
async def live_precheck(request: Request, project_id: str, session: SessionDep, api: ApiDep) -> Response:
    """The draft with one section as currently typed (not saved), prechecked: the editor's live panel."""
    project = await _project_for_writer(api, session, project_id)
    draft = await _current_draft(request, api, session, project)
    form = await request.form()
    section = _section(str(form.get("section", "")))
    report = sections.with_section(draft.report, sections.parse_section(section, form))
    return page(request, "reports/precheck.html", fragment=True, precheck=await _precheck(request, api, project_id, report))


@router.post("/projects/{project_id}/report/submit", dependencies=[Csrf])
async def submit(
    request: Request, project_id: str, session: SessionDep, api: ApiDep,
    document: Annotated[UploadFile, File(description="评估报告原件（.docx 或 .pdf）")],
    confirm: Annotated[str, Form()] = "",
) -> Response:
    project = await _project_for_writer(api, session, project_id)
    draft = await _current_draft(request, api, session, project)
    if confirm != "yes":
        session.flash("请勾选确认报告内容已经负责人审核。", "error")
        return RedirectResponse(f"/projects/{project_id}/report#submit", status_code=303)
    content = await document.read(MAX_DOCUMENT_BYTES + 1)
    if not document.filename or not content:
        session.flash("请选择要上传的评估报告原件（.docx 或 .pdf）。", "error")
        return RedirectResponse(f"/projects/{project_id}/report#submit", status_code=303)
    if len(content) > MAX_DOCUMENT_BYTES:
        session.flash("报告原件不得超过 50 MB。", "error")
        return RedirectResponse(f"/projects/{project_id}/report#submit", status_code=303)
    try:
        uploaded = await api.post(
            "intake", "/api/v1/files",
            files={"file": (document.filename, content, document.content_type or "application/octet-stream")},
        )
        submitted = await api.post("intake", f"/api/v1/projects/{project_id}/reports",
                                   json={"report": sections.cleaned(draft.report)[0],
                                         "document_file_id": uploaded["id"]})
    except Refused as exc:
        session.flash(f"报送未成功：{exc.message}", "error")
        return RedirectResponse(f"/projects/{project_id}/report#submit", status_code=303)
    session.flash(f"第 {submitted['round']} 轮评估报告已报送，等待审查。")
    return RedirectResponse(f"/projects/{project_id}", status_code=303)
