"""/api/v1/inspections: on-site inspections (督查), rectification (整改) and circulars (通报)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from wenping_shared import IfMatch, Page, PageParamsDep, Precondition, Principal, described, etag_for

from ..deps import CurrentPrincipal, SessionDep
from ..http import DOCX, attachment, download
from . import circular as document
from .schemas import (
    CHECK_RULE,
    CircularCreate,
    CircularPublic,
    FindingPublic,
    InspectionCreate,
    InspectionPublic,
    RectificationDecision,
    RectificationReport,
)
from .service import InspectionService

router = APIRouter(prefix="/api/v1/inspections", tags=["inspections"])

_READERS = "本辖区及下级的维稳办负责人、审查员、平台管理员，以及被督查单位（项目责任单位）的报备员可以查看"
CircularId = Annotated[str, Path(description="通报 id")]
FindingId = Annotated[str, Path(description="督查发现的问题 id")]
InspectionId = Annotated[str, Path(description="督查记录 id")]
_NOT_FOUND = "不存在或不可见（含其他辖区的）"
_TRANSITION = {
    404: _NOT_FOUND,
    409: "整改当前状态不允许此操作（inspection.invalid_transition）",
    412: "If-Match 与该问题当前的 ETag（\"version\"）不符：已被他人处理，请重新获取",
    428: "缺少 If-Match",
}
_IF_MATCH = "须携带 If-Match：该问题的 ETag，即 \"<version>\"（GET /api/v1/inspections/{id} 的 findings[].version）；应答带新的 ETag。"


@router.post(
    "",
    status_code=201,
    response_model=InspectionPublic,
    summary="记录一次督查",
    description=(
        "维稳办负责人记录对本辖区（含下级）一个项目的现场督查：督查日期、督查人员、四项检查的发现。" + CHECK_RULE
        + "写入项目台账（inspection_recorded）和督查留痕。"
    ),
    responses=described({403: "非维稳办负责人", 404: "项目不存在或不在本辖区"}),
)
async def record_inspection(data: InspectionCreate, session: SessionDep, principal: CurrentPrincipal) -> InspectionPublic:
    return await InspectionService(session).record(principal, data)


@router.get(
    "",
    response_model=Page[InspectionPublic],
    summary="督查记录列表",
    description=f"调用方可见的督查记录（{_READERS}），按记录时间倒序，游标分页。",
)
async def list_inspections(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParamsDep,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="行政区划（含下级）")] = None,
    project_id: Annotated[str | None, Query(max_length=36, description="只看该项目")] = None,
    org_id: Annotated[str | None, Query(max_length=64, description="只看该被督查单位")] = None,
) -> Page[InspectionPublic]:
    items, cursor = await InspectionService(session).browse(
        principal, page, region_code=region_code, project_id=project_id, org_id=org_id
    )
    return Page(items=items, next_cursor=cursor)


@router.post(
    "/circulars",
    status_code=201,
    response_model=CircularPublic,
    summary="印发督查通报",
    description=(
        "维稳办负责人把一个期间（按督查日期）本辖区或指定下级区划督查发现的全部问题汇编成一份通报，"
        "主送问题所涉单位。发文字号按发文区划和年度连续编号（发文机关代字〔年度〕序号号，不编虚位）。"
        "写入所涉各项目的台账（circular_issued）和督查留痕。"
    ),
    responses=described({403: "非维稳办负责人，或区划不在本辖区", 422: "该期间没有督查发现的问题（circular.no_findings）"}),
)
async def issue_circular(data: CircularCreate, session: SessionDep, principal: CurrentPrincipal) -> CircularPublic:
    return await InspectionService(session).issue(principal, data)


@router.get(
    "/circulars",
    response_model=Page[CircularPublic],
    summary="督查通报列表",
    description="维稳办负责人、审查员、平台管理员看本辖区（或指定下级）印发的通报；报备员看主送本单位的通报。",
    responses=described({403: "无权查看或区划不在本辖区"}),
)
async def list_circulars(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParamsDep,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="发文区划（含下级）")] = None,
) -> Page[CircularPublic]:
    items, cursor = await InspectionService(session).circulars(principal, page, region_code)
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/circulars/{circular_id}",
    response_model=CircularPublic,
    summary="督查通报详情",
    description="通报及其汇编的问题（含各问题当前的整改状态）。主送单位的报备员和发文辖区的监督人员可以查看。",
    responses=described({404: _NOT_FOUND}),
)
async def get_circular(circular_id: CircularId, session: SessionDep, principal: CurrentPrincipal) -> CircularPublic:
    return await InspectionService(session).circular(principal, circular_id)


@router.get(
    "/circulars/{circular_id}/circular.docx",
    summary="下载督查通报（Word）",
    description="按党政机关公文格式（GB/T 9704-2012，信函格式，与审查反馈意见书同一版式）排版的通报：版头、发文字号、标题、主送、正文、落款（留用印位置）、版记。",
    response_class=Response,
    responses=download(DOCX, "docx 文件", {404: _NOT_FOUND}),
)
async def circular_docx(circular_id: CircularId, session: SessionDep, principal: CurrentPrincipal) -> Response:
    circular = await InspectionService(session).circular(principal, circular_id)
    content = await asyncio.to_thread(document.render, circular)
    return attachment(content, DOCX, f"{circular.document_number}.docx")


@router.get(
    "/{inspection_id}",
    response_model=InspectionPublic,
    summary="督查记录详情",
    description=f"督查记录及四项检查的发现和整改状态（{_READERS}）。",
    responses=described({404: _NOT_FOUND}),
)
async def get_inspection(inspection_id: InspectionId, session: SessionDep, principal: CurrentPrincipal) -> InspectionPublic:
    return await InspectionService(session).get(principal, inspection_id)


async def _rectify(
    step: Callable[[InspectionService, Principal, str, Any, Precondition], Awaitable[FindingPublic]],
    finding_id: str, data: Any, precondition: Precondition, response: Response, session: SessionDep,
    principal: CurrentPrincipal,
) -> FindingPublic:
    """One rectification step under If-Match (the finding's ETag), answering the new ETag."""
    finding = await step(InspectionService(session), principal, finding_id, data, precondition)
    response.headers["ETag"] = etag_for(finding.version)
    return finding


@router.post(
    "/findings/{finding_id}/report",
    response_model=FindingPublic,
    summary="报告整改情况（被督查单位）",
    description="被督查单位（项目责任单位）的报备员报告整改情况：待整改或退回重新整改 → 已报告整改。写入项目台账（rectification_reported）。" + _IF_MATCH,
    responses=described({403: "非被督查单位的报备员", **_TRANSITION}),
)
async def report_rectification(
    finding_id: FindingId, data: RectificationReport, precondition: IfMatch, response: Response, session: SessionDep,
    principal: CurrentPrincipal,
) -> FindingPublic:
    return await _rectify(InspectionService.report, finding_id, data, precondition, response, session, principal)


@router.post(
    "/findings/{finding_id}/accept",
    response_model=FindingPublic,
    summary="验收整改（维稳办负责人）",
    description="已报告整改 → 已验收。写入项目台账（rectification_accepted）。" + _IF_MATCH,
    responses=described({403: "非维稳办负责人", **_TRANSITION}),
)
async def accept_rectification(
    finding_id: FindingId, data: RectificationDecision, precondition: IfMatch, response: Response, session: SessionDep,
    principal: CurrentPrincipal,
) -> FindingPublic:
    return await _rectify(InspectionService.accept, finding_id, data, precondition, response, session, principal)


@router.post(
    "/findings/{finding_id}/return",
    response_model=FindingPublic,
    summary="退回重新整改（维稳办负责人）",
    description="已报告整改 → 退回重新整改（须说明理由 note，可另定整改时限 deadline），被督查单位再次报告。写入项目台账（rectification_returned）。" + _IF_MATCH,
    responses=described({403: "非维稳办负责人", 422: "未说明理由或时限早于今天", **_TRANSITION}),
)
async def return_rectification(
    finding_id: FindingId, data: RectificationDecision, precondition: IfMatch, response: Response, session: SessionDep,
    principal: CurrentPrincipal,
) -> FindingPublic:
    return await _rectify(InspectionService.send_back, finding_id, data, precondition, response, session, principal)
