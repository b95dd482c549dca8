"""/api/v1/decision-lists: a department's start-of-year or mid-year list (决策清单)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from wenping_shared import Page, PageParamsDep, described
from wenping_shared.contracts.vocab import FilingBatch

from ..deps import CurrentPrincipal, PeersDep, SessionDep
from ..http import OncePerKeyDep
from .schemas import MAX_ITEMS, DecisionListCreate, DecisionListDetail, DecisionListPublic
from .service import DecisionListService

router = APIRouter(prefix="/api/v1/decision-lists", tags=["decision-lists"])

_CLOSE_OUT = (
    "每个事项的销号状态由其项目当前状态计算（不单独存储）：项目销号（closed）为已销号；"
    "撤回（withdrawn）或不予实施（rejected）视同销号并给出原因；其余为未销号，"
    "超过项目评估完成时限（deadline）仍未销号的为逾期未销号（overdue）。"
)


@router.post(
    "",
    status_code=201,
    response_model=DecisionListDetail,
    summary="报送决策清单（年初/年中）",
    description=(
        "决策部门报备员为本单位报送一份决策清单（单位与行政区划取自令牌），清单中的每个事项"
        "在同一事务中创建为「已报备」（filed）的项目，编号与单独报备相同（WP-<区划>-<年度>-<序号>，按事项顺序分配），"
        f"项目的报备批次取清单批次。最多 {MAX_ITEMS} 项；任何一项不合法则整份清单不创建，"
        "答 422，errors[].loc 指明事项序号（如 [\"items\", 3, \"title\"]，从 0 开始）。"
        "支持 Idempotency-Key。" + _CLOSE_OUT
    ),
    responses=described({403: "非报备员", 503: "注册服务不可用（不创建任何数据）"}),
)
async def create_decision_list(
    data: DecisionListCreate, once: OncePerKeyDep, session: SessionDep, principal: CurrentPrincipal, peers: PeersDep
) -> JSONResponse:
    return await once(
        lambda: DecisionListService(session, peers).create(principal, data),
        headers=lambda d: {"Location": f"/api/v1/decision-lists/{d.id}"},
    )


@router.get(
    "",
    response_model=Page[DecisionListPublic],
    summary="决策清单列表",
    description=(
        "调用方可见的清单（报备员：本单位；审查员、维稳办负责人：本辖区及下级；对接平台：本辖区且须有 projects:read），"
        "按报送时间倒序，游标分页；close_out 为各销号状态的事项数。" + _CLOSE_OUT
    ),
)
async def list_decision_lists(
    session: SessionDep,
    principal: CurrentPrincipal,
    peers: PeersDep,
    page: PageParamsDep,
    batch: Annotated[FilingBatch | None, Query(description="批次：start_of_year、mid_year")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="清单年度")] = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="行政区划（含下级）")] = None,
) -> Page[DecisionListPublic]:
    items, cursor = await DecisionListService(session, peers).list(
        principal, page, batch=batch.value if batch else None, year=year, region_code=region_code
    )
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/{list_id}",
    response_model=DecisionListDetail,
    summary="决策清单详情（含各事项销号状态）",
    description=_CLOSE_OUT + "不可见的清单答 404。",
    responses=described({404: "清单不存在或不可见"}),
)
async def get_decision_list(
    list_id: str, session: SessionDep, principal: CurrentPrincipal, peers: PeersDep
) -> DecisionListDetail:
    return await DecisionListService(session, peers).get(principal, list_id)
