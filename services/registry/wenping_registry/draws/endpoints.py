from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError

from wenping_shared import (
    Page,
    PageParamsDep,
    ProjectNotFound,
    ServiceClient,
    described,
    run_idempotent,
)

from ..database import IdempotencyRecord
from ..deps import CurrentPrincipal, SessionDep, SessionmakerDep, SettingsDep, limited
from ..errors import IntakeProjectUnavailable, IntakeProjectUnreadable
from .schemas import DeclineCreate, DrawProject, DrawVerification, ExpertDrawCreate, ExpertDrawPublic
from .service import ExpertDrawService, draw_public, sees_pool

router = APIRouter(prefix="/api/v1", tags=["expert-draws"])


def draw_service(session: SessionDep, sessionmaker: SessionmakerDep, settings: SettingsDep) -> ExpertDrawService:
    return ExpertDrawService(session, sessionmaker, settings.time_zone)


DrawServiceDep = Annotated[ExpertDrawService, Depends(draw_service)]


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
    service: DrawServiceDep,
    principal: CurrentPrincipal,
    page: PageParamsDep,
    project_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ExpertDrawPublic]:
    rows = await service.list_draws(principal, page, project_id)
    items, cursor = page.page(rows, key=lambda d: [d.drawn_at, d.id])
    declines = await service.declines(items)
    return Page(items=[draw_public(d, declined=declines.get(d.id, [])) for d in items], next_cursor=cursor)


@router.get("/expert-draws/{draw_id}", response_model=ExpertDrawPublic, summary="抽取记录（结果、算法版本、种子、候选名单）")
async def get_draw(draw_id: str, service: DrawServiceDep, principal: CurrentPrincipal) -> ExpertDrawPublic:
    return await service.public(await service.visible(principal, draw_id), with_pool=sees_pool(principal))


@router.post(
    "/expert-draws/{draw_id}/declines",
    response_model=ExpertDrawPublic,
    status_code=201,
    summary="专家谢绝抽取（本人，说明理由；自动替补抽取一人）",
    description=(
        "被抽中的专家本人谢绝本次抽取并说明理由。谢绝记入原抽取记录（原抽取仍可复核），并按当前算法版本、"
        "同样的回避规则在当日候选名单中替补抽取一人（已抽取或谢绝过本项目的专家均回避），替补抽取另有记录、可单独复核；"
        "无符合条件的替补专家时谢绝照样记录，替补为空。谢绝后该专家不再能查看本项目。项目评估阶段结束后不能谢绝。"
    ),
    responses=described({
        403: "调用方不是本次抽取选中的专家本人",
        404: "抽取记录不存在或调用方无权看到",
        409: "已谢绝过，或项目评估阶段已结束",
    }),
    dependencies=[limited("expert_draws")],
)
async def decline_draw(
    draw_id: str, data: DeclineCreate, request: Request, session: SessionDep, service: DrawServiceDep,
    principal: CurrentPrincipal,
) -> Response:
    async def work() -> ExpertDrawPublic:
        # The project's state from intake before any row is locked (no lock across a call).
        draw = await service.visible(principal, draw_id)
        project = await fetch_project(request.app.state.peers, draw.project_id)
        return await service.public(await service.decline(principal, draw_id, data.reason, project))

    return await run_idempotent(request, session, principal, IdempotencyRecord, work)


@router.get("/expert-draws/{draw_id}/verify", response_model=DrawVerification, summary="复核抽取：按记录重新运行算法")
async def verify_draw(draw_id: str, service: DrawServiceDep, principal: CurrentPrincipal) -> DrawVerification:
    return service.verify(await service.visible(principal, draw_id))
