"""Registry administration: experts (with the .xlsx import and export), expert draws with their
verification, agencies and their grades, users."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from wenping_shared.contracts import vocab

from ..deps import ApiDep, Csrf, SessionDep, role_guard
from ..regions import region_names
from ..rendering import page
from ..upstream import Api, Refused

router = APIRouter(prefix="/admin", tags=["admin"])
AdminOnly = Depends(role_guard("admin"))
Drawers = Depends(role_guard("admin", "reviewer"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SPREADSHEET_BYTES = 10 * 1024 * 1024
ROLES = (("filer", "报备员"), ("agency", "评估机构"), ("reviewer", "审查员"), ("supervisor", "维稳办负责人"),
         ("admin", "平台管理员"), ("expert", "专家"))


def _spreadsheet(answer_content: bytes, filename: str) -> Response:
    return Response(answer_content, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"})


@router.get("/experts", dependencies=[AdminOnly])
async def experts(request: Request, api: ApiDep, q: str = "", field: str = "", status: str = "", cursor: str = "") -> Response:
    answer = await api.get("registry", "/api/v1/experts", q=q.strip(), field=field, status=status, cursor=cursor, limit=50)
    return page(request, "admin/experts.html", title="专家库", experts=answer["items"], next_cursor=answer.get("next_cursor"),
                filters={"q": q, "field": field, "status": status},
                fields=[(m.value, vocab.label(m)) for m in vocab.ExpertField],
                statuses=[(m.value, vocab.label(m)) for m in vocab.ExpertStatus], regions=await region_names(request, api))


@router.get("/experts/export.xlsx", dependencies=[AdminOnly])
async def export_experts(api: ApiDep, q: str = "", field: str = "", status: str = "") -> Response:
    params = {k: v for k, v in {"q": q.strip(), "field": field, "status": status}.items() if v}
    answer = await api.response("registry", "GET", "/api/v1/experts/export.xlsx", params=params)
    return _spreadsheet(answer.content, f"专家名单-{dt.date.today().isoformat()}.xlsx")


@router.get("/experts/import-template.xlsx", dependencies=[AdminOnly])
async def import_template(api: ApiDep) -> Response:
    answer = await api.response("registry", "GET", "/api/v1/experts/import-template.xlsx")
    return _spreadsheet(answer.content, "专家导入模板.xlsx")


@router.post("/experts/import", dependencies=[Csrf, AdminOnly])
async def import_experts(session: SessionDep, api: ApiDep, workbook: Annotated[UploadFile, File()]) -> Response:
    content = await workbook.read(MAX_SPREADSHEET_BYTES + 1)
    if not content or len(content) > MAX_SPREADSHEET_BYTES:
        session.flash("请选择不超过 10 MB 的 .xlsx 文件。", "error")
        return RedirectResponse("/admin/experts", status_code=303)
    try:
        result = await api.post("registry", "/api/v1/experts/import",
                                files={"file": (workbook.filename or "experts.xlsx", content, XLSX)})
        session.flash(f"导入完成：新增 {result['created']} 人，更新 {result['updated']} 人。")
    except Refused as exc:
        session.flash(f"导入未成功，全部未导入：{exc.message}", "error")
    return RedirectResponse("/admin/experts", status_code=303)


@router.get("/draws", dependencies=[Drawers])
async def draws(request: Request, api: ApiDep, cursor: str = "") -> Response:
    answer = await api.get("registry", "/api/v1/expert-draws", cursor=cursor, limit=50)
    return page(request, "admin/draws.html", title="专家抽取", draws=answer["items"], next_cursor=answer.get("next_cursor"),
                fields=[(m.value, vocab.label(m)) for m in vocab.ExpertField])


@router.post("/draws", dependencies=[Csrf, Drawers])
async def new_draw(request: Request, session: SessionDep, api: ApiDep) -> Response:
    form = await request.form()
    assert session.user is not None
    count_text = str(form.get("count", "")).strip()
    body: dict[str, Any] = {
        "project_id": str(form.get("project_id", "")).strip(),
        "count": int(count_text) if count_text.isdigit() else 0,
        "region_code": str(form.get("region_code", "")).strip() or session.user.region_code,
        "fields": [str(v) for v in form.getlist("fields")] or None,
    }
    try:
        drawn = await api.post("registry", "/api/v1/expert-draws", json=body)
    except Refused as exc:
        session.flash(f"抽取未成功：{exc.message}", "error")
        return RedirectResponse("/admin/draws", status_code=303)
    session.flash(f"已抽取 {len(drawn['chosen'])} 位专家。")
    return RedirectResponse(f"/admin/draws/{drawn['id']}", status_code=303)


@router.get("/draws/{draw_id}", dependencies=[Drawers])
async def draw(request: Request, draw_id: str, api: ApiDep, verify: str = "") -> Response:
    detail = await api.get("registry", f"/api/v1/expert-draws/{draw_id}")
    verification = await api.get("registry", f"/api/v1/expert-draws/{draw_id}/verify") if verify else None
    return page(request, "admin/draw.html", title="抽取记录", draw=detail, verification=verification)


@router.get("/agencies", dependencies=[AdminOnly])
async def agencies(request: Request, api: ApiDep, cursor: str = "") -> Response:
    answer = await api.get("registry", "/api/v1/agencies", cursor=cursor, limit=50)
    return page(request, "admin/agencies.html", title="评估机构", agencies=answer["items"], next_cursor=answer.get("next_cursor"))


async def _agency_page(request: Request, api: Api, agency_id: str, **extra: Any) -> Response:
    agency = await api.get("registry", f"/api/v1/agencies/{agency_id}")
    gradings = await api.get("registry", f"/api/v1/agencies/{agency_id}/gradings")
    practitioners = await api.get("registry", f"/api/v1/agencies/{agency_id}/practitioners")
    return page(request, "admin/agency.html", title=agency["name"], agency=agency, gradings=gradings,
                practitioners=practitioners, grades=[(m.value, vocab.label(m)) for m in vocab.AgencyGrade], **extra)


@router.get("/agencies/{agency_id}", dependencies=[AdminOnly])
async def agency(request: Request, agency_id: str, api: ApiDep) -> Response:
    return await _agency_page(request, api, agency_id)


@router.post("/agencies/{agency_id}/gradings", dependencies=[Csrf, AdminOnly])
async def grade_agency(
    agency_id: str, session: SessionDep, api: ApiDep,
    grade: Annotated[str, Form(max_length=2)], valid_from: Annotated[str, Form(max_length=10)],
    valid_until: Annotated[str, Form(max_length=10)], note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    body = {"grade": grade, "valid_from": valid_from or None, "valid_until": valid_until or None, "note": note.strip() or None}
    try:
        await api.post("registry", f"/api/v1/agencies/{agency_id}/gradings", json=body)
        session.flash("已记录等级评定。")
    except Refused as exc:
        session.flash(f"评定未成功：{exc.message}", "error")
    return RedirectResponse(f"/admin/agencies/{agency_id}", status_code=303)


@router.get("/users", dependencies=[AdminOnly])
async def users(request: Request, api: ApiDep, cursor: str = "") -> Response:
    answer = await api.get("registry", "/api/v1/users", cursor=cursor, limit=50)
    orgs = await api.get("registry", "/api/v1/organizations", limit=200)
    return page(request, "admin/users.html", title="用户", users=answer["items"], next_cursor=answer.get("next_cursor"),
                orgs=orgs["items"], roles=ROLES, regions=await region_names(request, api))


@router.post("/users", dependencies=[Csrf, AdminOnly])
async def create_user(
    session: SessionDep, api: ApiDep,
    username: Annotated[str, Form(max_length=64)], display_name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=128)], role: Annotated[str, Form(max_length=20)],
    org_id: Annotated[str, Form(max_length=64)],
) -> Response:
    body = {"username": username.strip(), "display_name": display_name.strip(), "password": password,
            "roles": [role], "org_id": org_id}
    try:
        created = await api.post("registry", "/api/v1/users", json=body)
        session.flash(f"已创建用户 {created['username']}。")
    except Refused as exc:
        session.flash(f"创建未成功：{exc.message}", "error")
    return RedirectResponse("/admin/users", status_code=303)
