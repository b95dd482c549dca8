"""Return-reason statistics (stats/service.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from wenping_shared import Principal, require_roles

from ..deps import SessionDep
from .schemas import ReturnReasons
from .service import ReturnReasonStats

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])

StatsPrincipal = Annotated[Principal, Depends(require_roles("reviewer", "supervisor"))]


@router.get(
    "/return-reasons",
    response_model=ReturnReasons,
    response_model_by_alias=True,
    summary="退回原因统计：各类别、各条目不通过的次数（本辖区、按结论日期）",
    responses={404: {"description": "region_code 不在本辖区内"}},
)
async def return_reasons(
    session: SessionDep,
    principal: StatsPrincipal,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="地区（含下级），默认本辖区")] = None,
    from_: Annotated[dt.date | None, Query(alias="from", description="结论日期起（含）")] = None,
    to: Annotated[dt.date | None, Query(description="结论日期止（含）")] = None,
) -> ReturnReasons:
    return await ReturnReasonStats(session).count(principal, region_code, from_, to)
