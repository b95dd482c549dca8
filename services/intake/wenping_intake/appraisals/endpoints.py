"""/api/v1/appraisals: the yearly appraisal (考核) of a subtree, its xlsx, and the scoring schemes."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from wenping_shared import described, local_today

from ..deps import CurrentPrincipal, SessionDep
from ..http import XLSX, attachment, download
from . import workbook
from .schemas import AppraisalTable, SchemePublic, SchemeSet
from .scoring import RULES
from .service import AppraisalService

router = APIRouter(prefix="/api/v1/appraisals", tags=["appraisals"])

Year = Annotated[int, Query(ge=2000, le=2100, description="考核年度（项目年度）")]
RegionQuery = Annotated[str | None, Query(pattern=r"^\d{6}$", description="考核的行政区划（含下级）；默认本辖区")]
RegionPath = Annotated[str, Path(pattern=r"^\d{6}$", description="行政区划代码")]
_READERS = "维稳办负责人、审查员与平台管理员可查看本辖区及下级；"


@router.get(
    "",
    response_model=AppraisalTable,
    summary="年度考核结果（单位与区划的得分、排名与下钻）",
    description=(
        _READERS + "按区划适用的评分方案（本级最新版本，否则上级的，否则系统内置方案）为辖区内每个单位与每个区划计分，"
        "每行记录所用方案的版本；每项得分给出分子、分母与背后的项目。" + RULES
    ),
    responses=described({403: "无权查看或区划不在本辖区"}),
)
async def appraise(session: SessionDep, principal: CurrentPrincipal, year: Year, region_code: RegionQuery = None) -> AppraisalTable:
    return await AppraisalService(session).table(principal, year, region_code)


@router.get(
    "/export.xlsx",
    summary="导出年度考核表（Excel，按打印排版）",
    description="与 GET /api/v1/appraisals 相同的结果：单位排名、区划排名与得分明细三张表，A4 横向、按页宽缩放、每页重复表头，页眉为标题与导出日期。",
    response_class=Response,
    responses=download(XLSX, "xlsx 文件", {403: "无权查看或区划不在本辖区"}),
)
async def export_appraisal(
    session: SessionDep, principal: CurrentPrincipal, year: Year, region_code: RegionQuery = None
) -> Response:
    table = await AppraisalService(session).table(principal, year, region_code)
    content = await asyncio.to_thread(workbook.export, table, local_today())
    return attachment(content, XLSX, f"appraisal-{table.region_code}-{year}.xlsx")


@router.get(
    "/schemes/{region_code}",
    response_model=SchemePublic,
    summary="区划适用的评分方案",
    description=_READERS + "返回该区划当前适用的方案：本级最新版本，否则最近上级的，否则系统内置方案（版本 0）。",
    responses=described({403: "无权查看或区划不在本辖区"}),
)
async def get_scheme(region_code: RegionPath, session: SessionDep, principal: CurrentPrincipal) -> SchemePublic:
    return await AppraisalService(session).scheme(principal, region_code)


@router.post(
    "/schemes/{region_code}",
    response_model=SchemePublic,
    status_code=201,
    summary="发布评分方案的新版本",
    description=(
        "维稳办负责人为本辖区内的区划发布新版本（版本号递增，旧版本保留，发布留痕）：各比率指标的分值（合计 100）、"
        "各扣分指标的每例扣分、等次分数线。此后的考核结果按新版本计分，并记录版本。"
    ),
    responses=described({403: "非维稳办负责人或区划不在本辖区"}),
)
async def set_scheme(region_code: RegionPath, data: SchemeSet, session: SessionDep, principal: CurrentPrincipal) -> SchemePublic:
    return await AppraisalService(session).set_scheme(principal, region_code, data)
