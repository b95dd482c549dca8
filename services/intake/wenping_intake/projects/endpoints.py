"""/api/v1/projects: filing, designation, lists, reading, editing, transitions, commissioning."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from wenping_shared import (
    IfMatch,
    OptionalIfMatch,
    Page,
    PageParamsDep,
    etag_for,
    local_today,
    model_response,
    run_idempotent,
)

from ..database import IdempotencyRecord
from ..deps import CurrentPrincipal, PeersDep, ReaderDep, SessionDep
from ..risk_watch.service import project_for_reader
from .filters import ProjectFiltersDep
from .reads import project_page
from .schemas import (
    CommissionRequest,
    DesignationCreate,
    InvalidTransitionProblem,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    TransitionRequest,
    problem_example,
)
from .service import ProjectService, project_etag, project_public

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "项目不存在或不可见（他人辖区的项目同样答 404）"}}
_PRECONDITIONS: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match 与当前 ETag 不符（资源已被修改）"},
    428: {"description": "缺少 If-Match 请求头"},
}


def _headers(project: ProjectPublic) -> dict[str, str]:
    return {"ETag": etag_for(project.version), "Location": f"/api/v1/projects/{project.id}"}


@router.post(
    "",
    status_code=201,
    response_model=ProjectPublic,
    summary="报备项目（创建草稿）",
    description=(
        "决策部门报备员报备一个重大决策事项，创建为草稿（draft），并立即分配项目编号 "
        "WP-<行政区划>-<年度>-<序号>（每个行政区划每年从 1 连续编号；编号在创建时分配，撤回的项目也保留其编号）。"
        "行政区划与责任单位取自调用方令牌，不能在请求体中指定；责任单位名称取自注册服务（每个服务进程记住 5 分钟），"
        "注册服务不可用且名称尚未记住时答 503 且不创建任何数据。必须评估的情形（mandatory_triggers）由服务计算。"
        "支持 Idempotency-Key：相同键与相同请求体返回首次结果（并发的重复请求同样得到首次结果）；相同键不同请求体答 422。"
        "指定评估（initiation=designation）不能在此创建，见 POST /api/v1/projects/designations。"
    ),
    responses={403: {"description": "非报备员"}, 503: {"description": "注册服务不可用"}},
)
async def create_project(
    data: ProjectCreate, request: Request, session: SessionDep, principal: CurrentPrincipal, peers: PeersDep
) -> JSONResponse:
    async def work() -> ProjectPublic:
        project = await ProjectService(session, peers).create(principal, data)
        return project_public(project, principal)

    # A filing writes nothing before its last statement (numbering.number_last), which claims the key.
    return await run_idempotent(request, session, principal, IdempotencyRecord, work, headers=_headers, claim_with_answer=True)


@router.post(
    "/designations",
    status_code=201,
    response_model=ProjectPublic,
    summary="指定评估（维稳办负责人）",
    description=(
        "维稳办负责人（supervisor）指定本辖区内的一个决策部门（responsible_org_id，经注册服务核实："
        "须存在、属于调用方辖区、且为决策部门）对某一事项开展评估。项目以 initiation=designation 创建，"
        "行政区划取被指定单位的区划，直接进入「已报备」（filed），此后由该单位按常规流程推进。"
        "这是创建指定评估项目的唯一途径：POST /api/v1/projects 不接受 responsible_org_id。支持 Idempotency-Key。"
    ),
    responses={
        400: {"description": "被指定单位不存在、不在辖区内或不是决策部门"},
        403: {"description": "非维稳办负责人"},
        503: {"description": "注册服务不可用"},
    },
)
async def designate_project(
    data: DesignationCreate, request: Request, session: SessionDep, principal: CurrentPrincipal, peers: PeersDep
) -> JSONResponse:
    async def work() -> ProjectPublic:
        project = await ProjectService(session, peers).designate(principal, data)
        return project_public(project, principal)

    return await run_idempotent(request, session, principal, IdempotencyRecord, work, headers=_headers)


@router.get(
    "",
    response_model=Page[ProjectPublic],
    summary="项目列表",
    description=(
        "按调用方可见范围列出项目（报备员：本单位；机构人员：委托给本机构的项目；审查员与维稳办负责人："
        "本辖区及下级；对接平台：本辖区且须有 projects:read），按创建时间倒序，游标分页。"
        "region_code 含下级区划；overdue=true 为已过评估完成时限且未办结（销号、撤回、不予实施以外）的项目；"
        "q 在标题与编号中查找关键字。"
    ),
)
async def list_projects(
    reader: ReaderDep, principal: CurrentPrincipal, page: PageParamsDep, filters: ProjectFiltersDep
) -> Response:
    rows = await project_page(reader, principal, filters, page)
    items, cursor = page.page(rows, key=lambda p: [p.created_at, p.id])
    today = local_today()  # once for the page, not per project
    return model_response(
        Page[ProjectPublic](items=[project_public(p, principal, today) for p in items], next_cursor=cursor)
    )


@router.get(
    "/{project_id}",
    response_model=ProjectPublic,
    summary="项目详情",
    description=(
        "带 ETag；allowed_actions 为调用方此刻可执行的状态变更。服务令牌（审查、注册服务）可读任何项目。"
        "warning_flags 为报备时与预警台账相近的条目（相近字段与得分；被比对的项目仅对可见该项目的调用方列出名称）。"
    ),
    responses=_NOT_FOUND,
)
async def get_project(project_id: str, reader: ReaderDep, principal: CurrentPrincipal) -> Response:
    project, flags = await project_for_reader(reader, principal, project_id)
    public = project_public(project, principal)
    public.warning_flags = flags
    return model_response(public, {"ETag": etag_for(public.version)})


@router.patch(
    "/{project_id}",
    response_model=ProjectPublic,
    summary="修改项目（仅草稿或已报备）",
    description="只有责任单位报备员可修改，且只在 draft / filed 状态；须携带 If-Match。状态、辖区、责任单位、机构不可经此修改。",
    responses={**_NOT_FOUND, **_PRECONDITIONS, 403: {"description": "非责任单位"}, 409: {"description": "当前状态不可修改"}},
)
async def update_project(
    project_id: str,
    data: ProjectUpdate,
    precondition: IfMatch,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    peers: PeersDep,
) -> ProjectPublic:
    project = await ProjectService(session, peers).update(principal, project_id, data, precondition)
    response.headers["ETag"] = project_etag(project)
    return project_public(project, principal)


@router.post(
    "/{project_id}/transitions",
    response_model=ProjectPublic,
    summary="项目状态变更（唯一途径）",
    description=(
        "动作：file（草稿→已报备）、start_assessment（已报备→评估中）、decide（审查通过→决策结果，须 outcome："
        "implement | implement_with_measures | defer | reject）、close（效果评价→销号）、withdraw（任一未决状态→撤回，"
        "须 reason）、resume（暂缓实施→评估中，重新评估）。均由项目责任单位报备员执行；审查结论只经审查服务回写。"
        "须携带 If-Match。非法动作答 409 project.invalid_transition，并在 allowed_actions 中列出此刻可执行的动作。"
    ),
    responses={
        **_NOT_FOUND,
        **_PRECONDITIONS,
        403: {"description": "调用方无权变更此项目的状态"},
        409: {
            "description": "当前状态不允许该动作",
            "model": InvalidTransitionProblem,
            "content": problem_example(
                "project.invalid_transition", "项目当前状态为「草稿」，不能执行「close」", allowed_actions=["file", "withdraw"]
            ),
        },
    },
)
async def transition_project(
    project_id: str,
    data: TransitionRequest,
    precondition: IfMatch,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    peers: PeersDep,
) -> ProjectPublic:
    project = await ProjectService(session, peers).transition(principal, project_id, data, precondition)
    response.headers["ETag"] = project_etag(project)
    return project_public(project, principal)


@router.post(
    "/{project_id}/commission",
    response_model=ProjectPublic,
    summary="委托第三方评估机构",
    description=(
        "责任单位报备员委托评估机构（草稿、已报备、评估中或退回整改时）。向注册服务核验机构对本项目层级的承接资格"
        "（备案、状态、等级及有效期、从业人员、失信记录）；不符合时答 409 project.agency_ineligible 并附注册服务给出的 reasons；"
        "注册服务不可用时答 503，项目不变。委托后该机构人员可查看本项目并报送报告。If-Match 可选：携带时须与当前 ETag 一致。"
    ),
    responses={
        **_NOT_FOUND,
        403: {"description": "非责任单位"},
        409: {"description": "机构不具备承接资格（reasons）或项目状态不允许委托"},
        503: {"description": "注册服务不可用"},
    },
)
async def commission_agency(
    project_id: str,
    data: CommissionRequest,
    precondition: OptionalIfMatch,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    peers: PeersDep,
) -> ProjectPublic:
    project = await ProjectService(session, peers).commission(principal, project_id, data.agency_id, precondition)
    response.headers["ETag"] = project_etag(project)
    return project_public(project, principal)
