"""/api/v1/reminders: what is near or past its deadline for the caller (提醒)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wenping_shared import PageParamsDep

from ..deps import CurrentPrincipal, SessionDep
from .schemas import ReminderKind, ReminderPage
from .service import URGENT_DAYS, ReminderService

router = APIRouter(prefix="/api/v1", tags=["reminders"])


@router.get(
    "/reminders",
    response_model=ReminderPage,
    summary="到期与逾期提醒",
    description=(
        "调用方可见范围内（与项目列表相同的可见规则）在 within_days 天内到期或已逾期的事项，每次请求按当前数据计算："
        "project_deadline 未办结（销号、撤回、不予实施以外）且评估完成时限将到或已过的项目；"
        "decision_list_item 同样条件下属于决策清单的项目（即未销号的清单事项，不再重复列为 project_deadline）；"
        "measure_deadline 未完成且完成时限将到或已过的防范化解措施（所属项目未办结）；"
        "rectification_deadline 督查发现的问题尚未整改（待整改或退回重新整改）且整改时限将到或已过的（被督查单位与本辖区监督人员可见）；"
        "incident 仅维稳办负责人：辖区内决策实施中报告的事件（报告当日起，直到项目报送效果评价；severity 为 incident，按报告日期排序）。"
        f"按到期日升序（逾期最久的在前），游标分页。days_left 为负表示已逾期；severity：overdue 已逾期、"
        f"urgent {URGENT_DAYS} 日内到期、upcoming 其余。counts 为全部提醒数与其中逾期数。"
    ),
)
async def list_reminders(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParamsDep,
    within_days: Annotated[int, Query(ge=0, le=90, description="提前提醒的天数，默认 7，最大 90")] = 7,
    kind: Annotated[list[ReminderKind] | None, Query(description="只看这些类型（可重复）")] = None,
) -> ReminderPage:
    kinds = {k.value for k in kind} if kind else {k.value for k in ReminderKind}
    return await ReminderService(session).due(principal, within_days, kinds, page.limit, page.cursor)
