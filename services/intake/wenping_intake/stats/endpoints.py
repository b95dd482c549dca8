"""/api/v1/stats/summary: figures for the stability office (统计分析)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ..deps import CurrentPrincipal, SessionDep
from .schemas import StatsSummary
from .service import StatsService

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])

_DESCRIPTION = """
调用方范围内项目的汇总统计（每次按当前数据计算，查询数固定，与项目数无关）。

**范围**：审查员、维稳办负责人、平台管理员为本辖区及下级（region_code 须在本辖区内，否则 403 stats.region_out_of_scope，
省略时为本辖区）；报备员为本单位的项目、机构人员为委托给本机构的项目（与项目列表相同）；对接平台须有 projects:read，
范围为其辖区；服务令牌为全部数据。其他角色 403。year 为项目年度（创建年度，与项目编号中的年度一致），
所有数字（含退回原因）都只计该年度的项目。

**口径**：
- total：范围内全部项目（含草稿）。
- filed（已报备）：状态已越过草稿（draft）的项目；在草稿阶段即撤回、从未报备的不计。
- completed（已完成评估）：审查通过（approved）及其后的全部状态——准予实施、落实措施后实施、暂缓实施、不予实施、
  跟踪问效、效果评价、销号。
- deferred / rejected：当前状态为暂缓实施 / 不予实施的项目（重新评估后不再计入暂缓）。
- overdue：已过评估完成时限（deadline）且未办结（销号、撤回、不予实施以外）的项目。
- on_time（按时完成率）：分母为已完成、有评估完成时限且有审查通过日期的项目，分子为其中审查通过日期
  （最后一次审查通过，北京时间）不晚于评估完成时限的项目。
- review_rounds（平均审查轮次）：报送过至少一轮报告的项目的报告轮次之和 / 这些项目数。
- return_reasons（退回原因）：范围内项目被退回（退回修改、退回重新评估）的审查中未通过的审查项，按审查标准类别
  （C01–C10）统计项次与涉及的审查次数。
- by_region：按所请求区划的直接下级汇总（省 → 市，市 → 区县）；own_level=true 为所请求区划本级的项目。
"""


@router.get("/summary", response_model=StatsSummary, summary="统计汇总", description=_DESCRIPTION)
async def stats_summary(
    session: SessionDep,
    principal: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="项目年度")] = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="行政区划（含下级）")] = None,
) -> StatsSummary:
    return await StatsService(session).summary(principal, region_code, year)
