"""/api/v1/risk-watch: the supervisor's board by risk level and phase, and the warning register (预警台账)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from wenping_shared import Page, PageParamsDep
from wenping_shared.contracts.vocab import Recommendation

from ..deps import CurrentPrincipal, SessionDep
from .schemas import RiskBoard, WarningDetail, WarningPublic
from .service import RiskWatchService

router = APIRouter(prefix="/api/v1/risk-watch", tags=["risk-watch"])

WarningId = Annotated[str, Path(description="预警台账条目 id")]
_REGION = Query(pattern=r"^\d{6}$", description="区划（含下级），须在调用方辖区内；不填为调用方辖区")
_SUBTREE: dict[int | str, dict[str, Any]] = {403: {"description": "无权查看，或区划不在本辖区范围内（oversight.outside_subtree）"}}


@router.get(
    "/board",
    response_model=RiskBoard,
    summary="风险监测看板（按风险等级与阶段）",
    description=(
        "维稳办负责人查看本辖区（含下级）已报备项目（不含草稿）按风险等级（高、中、低、未定级）与阶段"
        "（报备、评估、审查、决策、跟踪实施、办结）的分布：每格的项目数和最新报备的项目（按创建时间倒序，最多 projects_per_cell 个）。"
        "各等级标明监测方式：低风险常规监测、中风险经二次过审后重点管控、高风险否决预警（不予实施或暂缓实施的记入预警台账）。"
        "风险等级取审查通过报告的剩余风险等级，审查通过前为未定级。"
    ),
    responses=_SUBTREE,
)
async def risk_board(
    session: SessionDep,
    principal: CurrentPrincipal,
    region_code: Annotated[str | None, _REGION] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="项目年度；不填为全部年度")] = None,
    projects_per_cell: Annotated[int, Query(ge=0, le=100, description="每格列出的项目数，默认 10")] = 10,
) -> RiskBoard:
    return await RiskWatchService(session).board(principal, region_code, year, projects_per_cell)


@router.get(
    "/warnings",
    response_model=Page[WarningPublic],
    summary="预警台账",
    description=(
        "高风险项目决策为不予实施或暂缓实施时，在同一事务中自动记入预警台账（事项名称、实施地点、责任单位按决策时记录）。"
        "维稳办负责人和审查员查看本辖区（含下级）的条目，按记入时间倒序，游标分页。"
        "此后报备的项目与本省台账条目相近时（事项名称、地点、责任单位），在项目上标记（GET /api/v1/projects/{id} 的 "
        "warning_flags）并随评估报告移交审查。"
    ),
    responses=_SUBTREE,
)
async def list_warnings(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParamsDep,
    region_code: Annotated[str | None, _REGION] = None,
    outcome: Annotated[Recommendation | None, Query(description="决策结果：defer 暂缓实施、reject 不予实施")] = None,
) -> Page[WarningPublic]:
    items, cursor = await RiskWatchService(session).warnings(
        principal, page, region_code, outcome.value if outcome else None
    )
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/warnings/{warning_id}",
    response_model=WarningDetail,
    summary="预警台账条目（含被标记的相近报备）",
    description="条目及此后被标记为与之相近的报备项目（仅列调用方可见的）。本辖区以外的条目答 404。",
    responses={**_SUBTREE, 404: {"description": "条目不存在或不在本辖区"}},
)
async def get_warning(warning_id: WarningId, session: SessionDep, principal: CurrentPrincipal) -> WarningDetail:
    return await RiskWatchService(session).warning(principal, warning_id)
