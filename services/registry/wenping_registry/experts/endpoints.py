from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from wenping_shared import (
    Page,
    PageParamsDep,
    check_if_match,
    etag_for,
    local_today,
    run_idempotent,
)
from wenping_shared.contracts.vocab import ExpertField, ExpertStatus, label

from ..audit.service import refusals_audited
from ..database import IdempotencyRecord
from ..deps import AdminPrincipal, CurrentPrincipal, SessionDep, SessionmakerDep, SettingsDep, limited
from ..errors import ImportFileRequired, InvalidIds, TooManyIds
from . import xlsx
from .schemas import ExpertCreate, ExpertDetail, ExpertPublic, ExpertUpdate
from .service import ExpertImportResult, ExpertService, ExpertSpreadsheets, expert_public

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(prefix="/api/v1", tags=["experts"])

MAX_IDS = 200


def requested_ids(
    ids: Annotated[str | None, Query(description="按 id 批量查询，逗号分隔，最多 200 个")] = None,
) -> list[str] | None:
    if ids is None:
        return None
    parsed = [i.strip() for i in ids.split(",") if i.strip()]
    if not parsed:
        raise InvalidIds()
    if len(parsed) > MAX_IDS:
        raise TooManyIds(f"ids 最多 {MAX_IDS} 个")
    return parsed


FieldQuery = Annotated[ExpertField | None, Query(description="专业领域")]
RegionQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", description="地区（含下级）")]
StatusQuery = Annotated[ExpertStatus | None, Query(description="状态：active 在库、suspended 暂停、retired 退出")]
OrgQuery = Annotated[str | None, Query(max_length=36, description="工作单位 id")]
KeywordQuery = Annotated[str | None, Query(max_length=100, description="关键字（姓名、职称、单位）")]


def expert_filters(
    field: FieldQuery = None,
    region_code: RegionQuery = None,
    status: StatusQuery = None,
    org_id: OrgQuery = None,
    q: KeywordQuery = None,
) -> dict[str, str | None]:
    """The list's filters, query parameters of the list and of its export alike."""
    return {
        "field": field.value if field else None,
        "region_code": region_code,
        "status": status.value if status else None,
        "org_id": org_id,
        "q": q or None,
    }


# Declared before the page's parameters in a route's signature, so the contract lists them first.
ExpertFiltersDep = Annotated[dict[str, str | None], Depends(expert_filters)]
RequestedIdsDep = Annotated[list[str] | None, Depends(requested_ids)]


@router.get("/experts", response_model=Page[ExpertPublic], summary="专家列表（本辖区，可筛选）")
async def list_experts(
    session: SessionDep, principal: CurrentPrincipal, filters: ExpertFiltersDep, ids: RequestedIdsDep, page: PageParamsDep
) -> Page[ExpertPublic]:
    rows = await ExpertService(session).list_experts(principal, page, ids=ids, **filters)
    items, cursor = page.page(rows, key=lambda e: [e.name, e.id])
    return Page(items=[expert_public(e, principal) for e in items], next_cursor=cursor)


@router.post("/experts", response_model=ExpertPublic, status_code=201, summary="新增专家（管理员，本辖区）")
async def create_expert(
    request: Request, data: ExpertCreate, session: SessionDep, sessionmaker: SessionmakerDep, principal: AdminPrincipal
) -> Response:
    async def work() -> ExpertPublic:
        async with refusals_audited(session, sessionmaker, principal, "expert.create", "expert", None, data.region_code):
            return expert_public(await ExpertService(session).create(principal, data), principal)

    return await run_idempotent(
        request, session, principal, IdempotencyRecord, work, headers=lambda e: {"ETag": etag_for(e.version)}
    )


class FieldLabel(BaseModel):
    value: str
    label: str


@router.get("/experts/fields", response_model=list[FieldLabel], summary="专业领域词表（含中文名称）")
async def expert_fields(principal: CurrentPrincipal) -> list[FieldLabel]:
    return [FieldLabel(value=f.value, label=label(f)) for f in ExpertField]


@lru_cache(maxsize=1)
def _template() -> bytes:
    return xlsx.build_template()


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}


@router.get(
    "/experts/import-template.xlsx",
    summary="专家导入模板（.xlsx）",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "导入模板：专家名单表与填写说明表"}},
)
async def import_template(principal: CurrentPrincipal) -> Response:
    data = await asyncio.to_thread(_template)
    return Response(data, media_type=XLSX, headers=_attachment("专家导入模板.xlsx"))


_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary", "description": "专家名单 .xlsx"}},
                }
            },
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def _uploaded_workbook(request: Request) -> tuple[bytes, str | None]:
    """The .xlsx of a multipart ``file`` field, or the raw body sent as an .xlsx."""
    # Reading the body first caches it, so the form parser and Idempotency-Key hashing share it.
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ImportFileRequired("请在 multipart/form-data 的 file 字段上传 .xlsx 文件")
        return await upload.read(), upload.filename
    if not raw:
        raise ImportFileRequired()
    return raw, None


@router.post(
    "/experts/import",
    response_model=ExpertImportResult,
    summary="批量导入专家（.xlsx，全部成功或全部不导入）",
    description=(
        "上传 multipart/form-data 的 file 字段（或以 .xlsx 作为请求体），版式见导入模板。先逐行校验全部数据："
        "任何一行有错误，返回 422 并列出每个错误的行号、列名和原因，一条都不导入；全部正确时一并导入。"
        "身份证号已在本辖区专家库中的行更新该专家（导出后修改再导入）。支持 Idempotency-Key。"
    ),
    openapi_extra=_IMPORT_BODY,
)
async def import_experts(
    request: Request, session: SessionDep, sessionmaker: SessionmakerDep, principal: AdminPrincipal,
    settings: SettingsDep,
) -> Response:
    data, filename = await _uploaded_workbook(request)

    async def work() -> ExpertImportResult:
        return await ExpertSpreadsheets(session, sessionmaker).import_file(
            principal, data, filename, local_today(settings.time_zone)
        )

    return await run_idempotent(request, session, principal, IdempotencyRecord, work, status_code=200)


@router.get(
    "/experts/export.xlsx",
    summary="导出专家名单（.xlsx，筛选条件同列表）",
    response_class=StreamingResponse,
    responses={200: {"content": {XLSX: {}}, "description": "专家名单；手机号、身份证号仅对管理员和审查员导出"}},
    dependencies=[limited("exports")],
)
async def export_experts(
    session: SessionDep, sessionmaker: SessionmakerDep, principal: CurrentPrincipal, given: ExpertFiltersDep
) -> StreamingResponse:
    filters = ExpertService(session).filters_for(principal, **given)
    sheets = ExpertSpreadsheets(session, sessionmaker)
    rows = [] if filters is None else await sheets.export_rows(filters)
    names = await sheets.region_names()
    # Everything exported lies in the caller's subtree, so the personal-data rule is per caller.
    personal = principal.kind == "user" and principal.has_role("admin", "reviewer")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    await asyncio.to_thread(xlsx.write_export_to, spool, rows, personal, names)
    await asyncio.to_thread(spool.seek, 0)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(spool.read, 256 * 1024):
                yield chunk
        finally:
            spool.close()

    return StreamingResponse(chunks(), media_type=XLSX, headers=_attachment("专家名单.xlsx"))


@router.get("/experts/{expert_id}", response_model=ExpertDetail, summary="专家详情（含参与记录）")
async def get_expert(
    expert_id: str, response: Response, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> ExpertDetail:
    service = ExpertService(session)
    expert = await service.visible(principal, expert_id)
    response.headers["ETag"] = etag_for(expert.version)
    return await service.detail(principal, expert, local_today(settings.time_zone).year)


@router.patch("/experts/{expert_id}", response_model=ExpertPublic, summary="修改专家信息（管理员，须 If-Match）")
async def update_expert(
    expert_id: str,
    data: ExpertUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    sessionmaker: SessionmakerDep,
    principal: AdminPrincipal,
) -> ExpertPublic:
    service = ExpertService(session)
    async with refusals_audited(session, sessionmaker, principal, "expert.update", "expert", expert_id):
        expert = await service.managed(principal, expert_id)
        check_if_match(request, etag_for(expert.version))
        expert = await service.update(principal, expert, data)
    response.headers["ETag"] = etag_for(expert.version)
    return expert_public(expert, principal)
