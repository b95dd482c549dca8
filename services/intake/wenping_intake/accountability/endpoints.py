"""/api/v1/accountability: 约谈, 通报批评 and 问责, and the grounds the data shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from wenping_shared import Page, PageParamsDep, described

from ..deps import CurrentPrincipal, SessionDep
from .schemas import GROUND_RULE, NAMES_RULE, AccountabilityCreate, AccountabilityPublic, GroundsBoard
from .service import AccountabilityService

router = APIRouter(prefix="/api/v1/accountability", tags=["accountability"])

DEFAULT_MARGIN_DAYS = 30


@router.post(
    "",
    status_code=201,
    response_model=AccountabilityPublic,
    summary="记录约谈、通报批评或问责",
    description=(
        "维稳办负责人就本辖区（含下级）一个项目的责任单位记录一项措施：interview 约谈、criticism 通报批评、"
        "accountability 问责（须填被问责人数和级别，可填姓名）。" + GROUND_RULE + NAMES_RULE
        + "写入项目台账（accountability_action，只记人数和级别，不记姓名）和督查留痕。"
    ),
    responses=described({
        403: "非维稳办负责人", 404: "项目不存在或不在本辖区",
        422: "依据在该项目上不成立（accountability.ground_not_found）或数据不合法",
    }),
)
async def record_action(data: AccountabilityCreate, session: SessionDep, principal: CurrentPrincipal) -> AccountabilityPublic:
    return await AccountabilityService(session).record(principal, data)


@router.get(
    "",
    response_model=Page[AccountabilityPublic],
    summary="约谈、通报批评和问责记录",
    description=(
        "本辖区及下级的维稳办负责人、审查员、平台管理员，以及所涉单位的报备员可以查看，按记录时间倒序，游标分页。"
        + NAMES_RULE
    ),
)
async def list_actions(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParamsDep,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="行政区划（含下级）")] = None,
    project_id: Annotated[str | None, Query(max_length=36, description="只看该项目")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="决定日期所在年度")] = None,
) -> Page[AccountabilityPublic]:
    items, cursor = await AccountabilityService(session).browse(
        principal, page, region_code=region_code, project_id=project_id, year=year
    )
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/grounds",
    response_model=GroundsBoard,
    summary="可追责依据（系统发现，供参考）",
    description=(
        "系统从数据中发现的本辖区（或指定下级区划）某年度项目的可追责依据清单，供维稳办负责人研判；"
        "系统不会自行采取任何措施。项目依据按项目年度，督查问题按督查日期所在年度；"
        "时限类依据只列超出 margin_days 天的。actions 为已就该依据记录的措施数。" + GROUND_RULE
    ),
    responses=described({403: "非维稳办负责人、审查员或平台管理员，或区划不在本辖区"}),
)
async def list_grounds(
    session: SessionDep,
    principal: CurrentPrincipal,
    year: Annotated[int, Query(ge=2000, le=2100, description="年度")],
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="行政区划（含下级）；默认本辖区")] = None,
    margin_days: Annotated[
        int, Query(ge=0, le=365, description=f"时限类依据的宽限天数，默认 {DEFAULT_MARGIN_DAYS}")
    ] = DEFAULT_MARGIN_DAYS,
) -> GroundsBoard:
    return await AccountabilityService(session).grounds(principal, region_code, year, margin_days)


@router.get(
    "/{action_id}",
    response_model=AccountabilityPublic,
    summary="约谈、通报批评或问责记录详情",
    description=NAMES_RULE,
    responses=described({404: "不存在或不可见"}),
)
async def get_action(action_id: Annotated[str, Path(description="问责记录 id")], session: SessionDep, principal: CurrentPrincipal) -> AccountabilityPublic:
    return await AccountabilityService(session).get(principal, action_id)
