"""/api/v1/files: the original report document (.docx / .pdf)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel

from wenping_shared import described

from ..deps import CurrentPrincipal, SessionDep, SettingsDep
from .models import StoredFile
from .service import FileService
from .storage import CONTENT_TYPES

router = APIRouter(prefix="/api/v1/files", tags=["files"])


class FilePublic(BaseModel):
    id: str
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_org_id: str | None
    created_at: dt.datetime


def file_public(record: StoredFile) -> FilePublic:
    return FilePublic.model_validate(record.model_dump())


@router.post(
    "",
    status_code=201,
    response_model=FilePublic,
    summary="上传评估报告原件",
    description=(
        "multipart/form-data，字段名 file。只接受 .docx 与 .pdf，并按内容判断（PDF 文件头；.docx 须为含 "
        "word/document.xml 的 zip），扩展名与内容不符答 415；超过大小上限答 413。保存其 sha256。"
        "返回的 id 用于 POST /api/v1/projects/{id}/reports 的 document_file_id。"
    ),
    responses=described({403: "非报备员或机构人员", 413: "文件过大", 415: "类型不支持"}),
)
async def upload_file(
    file: Annotated[UploadFile, File(description="评估报告原件（.docx 或 .pdf）")],
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
) -> FilePublic:
    service = FileService(session, settings.files_dir, settings.document_max_bytes)
    return file_public(await service.upload(principal, file))


@router.get("/{file_id}", response_model=FilePublic, summary="文件信息", responses=described({404: "不存在或不可见"}))
async def get_file(file_id: str, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep) -> FilePublic:
    service = FileService(session, settings.files_dir, settings.document_max_bytes)
    return file_public(await service.visible(principal, file_id))


@router.get(
    "/{file_id}/content",
    summary="下载文件",
    responses={
        200: {"description": "文件原样（上传时的类型）", "content": {media: {} for media in CONTENT_TYPES.values()}},
        404: {"description": "不存在或不可见"},
    },
)
async def download_file(
    file_id: str, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> FileResponse:
    service = FileService(session, settings.files_dir, settings.document_max_bytes)
    record = await service.visible(principal, file_id)
    return FileResponse(service.path_of(record), media_type=record.content_type, filename=record.filename)
