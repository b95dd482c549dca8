from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError

from wenping_shared import (
    Page,
    PageParamsDep,
    ProjectNotFound,
    ServiceClient,
    run_idempotent,
)

from ..database import IdempotencyRecord
from ..deps import CurrentPrincipal, SessionDep, SessionmakerDep, SettingsDep, limited
from ..errors import IntakeProjectUnavailable, IntakeProjectUnreadable
from .schemas import DrawProject, DrawVerification, ExpertDrawCreate, ExpertDrawPublic
from .service import ExpertDrawService, draw_public

router = APIRouter(prefix="/api/v1", tags=["expert-draws"])


async def fetch_project(peers: ServiceClient, project_id: str) -> DrawProject:
    """The project's facts from intake (service token, audience intake)."""
    response = await peers.request("intake", "GET", f"/api/v1/projects/{project_id}")
    if response.status_code == 404:
        raise ProjectNotFound()
    if response.status_code != 200:
        raise IntakeProjectUnavailable(f"无法从受理服务读取项目（HTTP {response.status_code}）")
    try:
        return DrawProject.model_validate(response.json())
    except (ValueError, ValidationError) as exc:
        raise IntakeProjectUnreadable() from exc


@router.post(
    "/expert-draws",
    response_model=ExpertDrawPublic,
    status_code=201,
    summary="随机抽取专家（回避、负载均衡、可复核）",
    description=(
        "从 region_code 辖区（含下级）中抽取 count 名在库专家：回避决策主体、项目实施单位及 avoid_org_ids 的人员，"
        "不重复抽取本项目已抽过的专家，本年度被抽次数少者优先。记录算法版本、随机种子和候选名单。"
        "符合条件的专家不足时返回 409，列出符合条件人数与排除原因。"
    ),
    responses={404: {"description": "project_id 所指的项目不存在或调用方无权看到"}},
    dependencies=[limited("expert_draws")],
)
async def create_draw(
    data: ExpertDrawCreate,
    request: Request,
    session: SessionDep,
    sessionmaker: SessionmakerDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
) -> Response:
    async def work() -> ExpertDrawPublic:
        project = await fetch_project(request.app.state.peers, data.project_id)
        service = ExpertDrawService(session, sessionmaker, settings.time_zone)
        return draw_public(await service.draw(principal, data, project))

    return await run_idempotent(request, session, principal, IdempotencyRecord, work)


@router.get("/expert-draws", response_model=Page[ExpertDrawPublic], summary="抽取记录列表")
async def list_draws(
    session: SessionDep,
    sessionmaker: SessionmakerDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    page: PageParamsDep,
    project_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ExpertDrawPublic]:
    rows = await ExpertDrawService(session, sessionmaker, settings.time_zone).list_draws(principal, page, project_id)
    items, cursor = page.page(rows, key=lambda d: [d.drawn_at, d.id])
    return Page(items=[draw_public(d) for d in items], next_cursor=cursor)


@router.get("/expert-draws/{draw_id}", response_model=ExpertDrawPublic, summary="抽取记录（结果、算法版本、种子、候选名单）")
async def get_draw(
    draw_id: str, session: SessionDep, sessionmaker: SessionmakerDep, principal: CurrentPrincipal, settings: SettingsDep
) -> ExpertDrawPublic:
    draw = await ExpertDrawService(session, sessionmaker, settings.time_zone).visible(principal, draw_id)
    return draw_public(draw, with_pool=True)


@router.get("/expert-draws/{draw_id}/verify", response_model=DrawVerification, summary="复核抽取：按记录重新运行算法")
async def verify_draw(
    draw_id: str, session: SessionDep, sessionmaker: SessionmakerDep, principal: CurrentPrincipal, settings: SettingsDep
) -> DrawVerification:
    service = ExpertDrawService(session, sessionmaker, settings.time_zone)
    return service.verify(await service.visible(principal, draw_id))
