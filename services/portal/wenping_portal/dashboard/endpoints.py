"""The supervisor's dashboard (statistics with charts, reminders), reminders for everyone, and
decision lists with their close-out state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup

from ..deps import ApiDep, role_guard
from ..regions import region_names
from ..rendering import page
from ..upstream import Api, Refused
from .charts import bar_chart, gauge

router = APIRouter(tags=["dashboard"])


async def _optional(api: Api, service: str, path: str, **params: Any) -> Any:
    """A panel the user's role may not see (403) or the platform may not have (404) is left out."""
    try:
        return await api.get(service, path, **params)
    except Refused as exc:
        if exc.status in (403, 404):
            return None
        raise


@router.get("/dashboard", dependencies=[Depends(role_guard("supervisor", "reviewer"))])
async def dashboard(request: Request, api: ApiDep, year: str = "") -> Response:
    stats = await api.get("intake", "/api/v1/stats/summary", year=year if year.isdigit() else None)
    reminders = await api.get("intake", "/api/v1/reminders", limit=10)
    appraisal_year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else dt.date.today().year
    appraisal = await _optional(api, "intake", "/api/v1/appraisals", year=appraisal_year)
    inspections = await _optional(api, "intake", "/api/v1/inspections", limit=10)
    board = await _optional(api, "intake", "/api/v1/risk-watch/board", projects_per_cell=3,
                            year=int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None)
    # bar_chart and gauge escape every text they place in the SVG (charts.py), so the markup is safe
    # to mark as such (bandit B704 justified).
    charts = {
        "status": Markup(bar_chart("按状态", [(b["label"], b["count"]) for b in stats["by_status"] if b["count"]])),  # nosec B704
        "category": Markup(bar_chart("按类别", [(b["label"], b["count"]) for b in stats["by_category"]])),  # nosec B704
        "risk": Markup(bar_chart("按风险等级", [(b["label"], b["count"]) for b in stats["by_risk_level"]])),  # nosec B704
        "returns": Markup(bar_chart("退回原因（未通过项次数，按类别）",  # nosec B704
                                    [(f"{r['category_code']} {r['title']}", r["failed_items"]) for r in stats["return_reasons"]])),
        "on_time": Markup(gauge("按时完成率", stats["on_time"]["rate"])),  # nosec B704
    }
    return page(request, "dashboard/dashboard.html", title="工作台", stats=stats, charts=charts,
                reminders=reminders, year=year, regions=await region_names(request, api), appraisal=appraisal,
                appraisal_year=appraisal_year, inspections=inspections, board=board)


@router.get("/reminders")
async def reminders(request: Request, api: ApiDep, within_days: int = 30, cursor: str = "") -> Response:
    within = max(0, min(within_days, 90))
    answer = await api.get("intake", "/api/v1/reminders", within_days=within, cursor=cursor, limit=50)
    return page(request, "dashboard/reminders.html", title="提醒", reminders=answer, within_days=within)


@router.get("/decision-lists", dependencies=[Depends(role_guard("filer", "supervisor", "reviewer"))])
async def decision_lists(request: Request, api: ApiDep, cursor: str = "") -> Response:
    answer = await api.get("intake", "/api/v1/decision-lists", cursor=cursor, limit=50)
    return page(request, "dashboard/decision_lists.html", title="决策清单", lists=answer["items"],
                next_cursor=answer.get("next_cursor"))


@router.get("/decision-lists/{list_id}", dependencies=[Depends(role_guard("filer", "supervisor", "reviewer"))])
async def decision_list(request: Request, list_id: str, api: ApiDep) -> Response:
    detail = await api.get("intake", f"/api/v1/decision-lists/{list_id}")
    return page(request, "dashboard/decision_list.html", title=detail["title"], dlist=detail)
