"""/api/v1/stats/expert-opinions: how the assessors took up the experts' opinions."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import CurrentPrincipal, SessionDep
from ..expert_opinions.schemas import ExpertOpinionStats
from ..expert_opinions.service import ExpertOpinionService

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])

_DESCRIPTION = """
调用方可见项目（与项目列表同一规则）中的专家书面意见及其采纳情况，按专家、项目、行政区划（项目所在地）汇总。

**口径**：opinions 为意见条数；answered 为已记录采纳情况的条数；adoption_rate =（采纳 + 部分采纳）/ answered，
full_adoption_rate = 采纳 / answered，保留四位小数；尚无答复时为 null。
"""


@router.get(
    "/expert-opinions", response_model=ExpertOpinionStats, summary="专家意见采纳率（按专家、项目、地区）",
    description=_DESCRIPTION,
)
async def expert_opinion_stats(session: SessionDep, principal: CurrentPrincipal) -> ExpertOpinionStats:
    return await ExpertOpinionService(session).stats(principal)
