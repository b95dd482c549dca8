"""/api/v1/targets: yearly assessment targets (目标管理) and the decomposition table (目标分解表)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile

from wenping_shared import described, local_today

from ..deps import CurrentPrincipal, PeersDep, SessionDep
from ..errors import TargetImportUnreadable
from ..http import XLSX, attachment, download
from . import workbook
from .schemas import COUNTING_RULE, TargetBoard, TargetImportResult, TargetPublic, TargetSet
from .service import TargetService, ensure_supervisor

router = APIRouter(prefix="/api/v1/targets", tags=["targets"])

MAX_UPLOAD = 2 * 1024 * 1024


@router.post(
    "",
    response_model=TargetPublic,
    summary="设定考核目标",
    description=(
        "维稳办负责人为本辖区的单位（org_id）或区划（region_code）设定年度应完成的评估数，可按类别设定。"
        "同一年度、单位或区划、类别只有一个目标，再次设定即替换（version 加 1，变更留痕）。" + COUNTING_RULE
    ),
    responses=described({400: "单位不存在", 403: "非维稳办负责人，或单位/区划不在本辖区", 503: "注册服务不可用（不写入任何数据）"}),
)
async def set_target(data: TargetSet, session: SessionDep, principal: CurrentPrincipal, peers: PeersDep) -> TargetPublic:
    return await TargetService(session, peers).set(principal, data)


@router.get(
    "",
    response_model=TargetBoard,
    summary="考核目标及完成进度",
    description=(
        "本辖区（或指定的下级区划）某年度的目标及完成数；报备员只看本单位的目标。" + COUNTING_RULE
    ),
    responses=described({403: "无权查看或区划不在本辖区"}),
)
async def list_targets(
    session: SessionDep,
    principal: CurrentPrincipal,
    peers: PeersDep,
    year: Annotated[int, Query(ge=2000, le=2100, description="考核年度")],
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="行政区划（含下级）；默认本辖区")] = None,
) -> TargetBoard:
    return await TargetService(session, peers).board(principal, year, region_code)


@router.get(
    "/template.xlsx",
    summary="下载目标分解表模板",
    description="目标分解表的 xlsx 模板（含填写说明与类别代码），填写后经 POST /api/v1/targets/import 导入。",
    response_class=Response,
    responses=download(XLSX, "xlsx 文件", {403: "非维稳办负责人"}),
)
async def target_template(
    principal: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="示例行的年度；默认今年")] = None,
) -> Response:
    region = ensure_supervisor(principal)
    content = await asyncio.to_thread(workbook.template, year or local_today().year, region)
    return attachment(content, XLSX, "target-template.xlsx")


@router.post(
    "/import",
    response_model=TargetImportResult,
    summary="导入目标分解表（xlsx）",
    description=(
        "上传按模板填写的目标分解表（multipart 字段 file，不超过 2 MB）。每行校验后整表在一个事务中导入："
        "任何一行有错则不导入任何目标，答 422，errors[].loc 为 [\"rows\", 行号, 列名]（行号同 Excel）。"
        "已存在的目标被替换并留痕。"
    ),
    responses=described({400: "文件无法读取或过大", 403: "非维稳办负责人", 503: "注册服务不可用（不写入任何数据）"}),
)
async def import_targets(
    session: SessionDep,
    principal: CurrentPrincipal,
    peers: PeersDep,
    file: Annotated[UploadFile, File(description="目标分解表（xlsx）")],
) -> TargetImportResult:
    ensure_supervisor(principal)
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise TargetImportUnreadable("目标分解表不能超过 2 MB")
    return await TargetService(session, peers).import_table(principal, content)
