"""/api/v1/projects/{id}/tracking and /evaluation: after the decision (跟踪问效, 效果评价)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from wenping_shared import IfMatch, Page, PageParamsDep, described, etag_for

from ..deps import CurrentPrincipal, SessionDep
from ..http import OncePerKeyDep
from .schemas import (
    EvaluationCreate,
    EvaluationPublic,
    IncidentCreate,
    IncidentPublic,
    TrackingCreate,
    TrackingOverview,
    TrackingResult,
)
from .service import IncidentService, TrackingService

router = APIRouter(prefix="/api/v1/projects", tags=["tracking"])

_NOT_FOUND = "项目不存在或不可见（他人辖区的项目同样答 404）"


@router.post(
    "/{project_id}/tracking",
    status_code=201,
    response_model=TrackingResult,
    summary="填报措施落实进展（跟踪问效）",
    description=(
        "项目责任单位（决策部门报备员）填报一项防范化解措施的落实进展。measure 为已通过审查报告中措施清单的序号"
        "（整数，从 0 开始）或措施内容文本（与报告中某项措施内容相同即为该措施，否则为报告外新增措施，须填写 responsible_unit）。"
        "项目须为准予实施、落实措施后实施或跟踪问效状态（否则 409 tracking.not_trackable）；"
        "首次填报使项目进入跟踪问效（tracking），报告中的全部措施同时列入措施工作清单。"
        "每次填报都记入电子台账。状态与进度须一致：completed 对应 100，not_started 对应 0。支持 Idempotency-Key。"
    ),
    responses=described({404: _NOT_FOUND, 403: "非项目责任单位", 409: "项目状态不允许填报"}),
)
async def record_tracking(
    project_id: str, data: TrackingCreate, once: OncePerKeyDep, session: SessionDep, principal: CurrentPrincipal
) -> JSONResponse:
    return await once(lambda: TrackingService(session).record(principal, project_id, data))


@router.get(
    "/{project_id}/tracking",
    response_model=TrackingOverview,
    summary="措施工作清单与落实进展",
    description=(
        "措施工作清单（报告中的措施及新增措施，每项的责任单位、时限、当前进度与是否逾期）和最近的进展记录"
        "（新的在前，游标分页：limit、cursor 作用于 records）。项目可见者均可查看。"
    ),
    responses=described({404: _NOT_FOUND}),
)
async def get_tracking(
    project_id: str, session: SessionDep, principal: CurrentPrincipal, page: PageParamsDep
) -> TrackingOverview:
    return await TrackingService(session).overview(principal, project_id, page)


@router.post(
    "/{project_id}/evaluation",
    status_code=201,
    response_model=EvaluationPublic,
    summary="报送效果评价",
    description=(
        "项目责任单位报送实施后的效果评价（出现的矛盾纠纷、措施是否有效、评价结论等）。项目须处于跟踪问效（tracking），"
        "否则 409 project.invalid_transition；报送后项目进入效果评价（evaluated）并记入电子台账，"
        "之后以 POST /api/v1/projects/{id}/transitions {\"action\": \"close\"} 销号。"
        "这是一次状态变更：须携带项目的 If-Match（缺少 428，过期 412）；支持 Idempotency-Key。"
        "响应头 ETag 为项目的新版本。"
    ),
    responses=described({
        404: _NOT_FOUND, 403: "非项目责任单位", 409: "项目不在跟踪问效状态",
        412: "If-Match 与项目当前 ETag 不符", 428: "缺少 If-Match",
    }),
)
async def create_evaluation(
    project_id: str, data: EvaluationCreate, precondition: IfMatch, once: OncePerKeyDep, session: SessionDep,
    principal: CurrentPrincipal,
) -> JSONResponse:
    return await once(
        lambda: TrackingService(session).evaluate(principal, project_id, data, precondition),
        headers=lambda e: {"ETag": etag_for(e.project_version)},
    )


@router.get(
    "/{project_id}/evaluation",
    response_model=EvaluationPublic,
    summary="效果评价",
    description="项目的效果评价；尚未报送答 404 evaluation.not_found。",
    responses=described({404: _NOT_FOUND}),
)
async def get_evaluation(
    project_id: str, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> EvaluationPublic:
    evaluation, project = await TrackingService(session).evaluation(principal, project_id)
    response.headers["ETag"] = etag_for(project.version)
    return evaluation


@router.post(
    "/{project_id}/incidents",
    status_code=201,
    response_model=IncidentPublic,
    summary="报告实施中发生的事件",
    description=(
        "决策实施后（准予实施、落实措施后实施或跟踪问效中）发生的矛盾纠纷、群体性事件等，由项目责任单位报备员或本辖区"
        "维稳办负责人报告：发生日期（决策之后、不晚于今天，否则 422 incident.date_invalid）、涉及人数（规模等级由此确定："
        "5人以下个体、5至29人群体、30至99人较大规模、100人以上大规模）、事件经过、处置措施。"
        "其他状态答 409 incident.not_in_tracking。报告即刻：本辖区（含上级）维稳办负责人的提醒（GET /api/v1/reminders，"
        "kind=incident，直到项目报送效果评价）、订阅了 incident.reported 的对接平台收到事件推送、记入电子台账，"
        "并计入年度考核（incidents 扣分指标的例数）。支持 Idempotency-Key。"
    ),
    responses=described({
        404: _NOT_FOUND, 403: "非项目责任单位或本辖区维稳办负责人", 409: "项目不在决策实施阶段",
        422: "请求数据不合法，或发生日期不在决策之后至今天之间",
    }),
)
async def report_incident(
    project_id: str, data: IncidentCreate, once: OncePerKeyDep, session: SessionDep, principal: CurrentPrincipal
) -> JSONResponse:
    return await once(
        lambda: IncidentService(session).report(principal, project_id, data),
        headers=lambda i: {"Location": f"/api/v1/projects/{i.project_id}/incidents"},
    )


@router.get(
    "/{project_id}/incidents",
    response_model=Page[IncidentPublic],
    summary="实施中发生的事件",
    description="项目报告过的事件，新的在前，游标分页。项目可见者均可查看。",
    responses=described({404: _NOT_FOUND}),
)
async def list_incidents(
    project_id: str, session: SessionDep, principal: CurrentPrincipal, page: PageParamsDep
) -> Page[IncidentPublic]:
    items, cursor = await IncidentService(session).list(principal, project_id, page)
    return Page(items=items, next_cursor=cursor)
