"""/api/v1/projects/{id}/reports and /review-events."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from wenping_shared import Principal, described, require_service

from ..deps import CurrentPrincipal, SessionDep, limited
from ..http import OncePerKeyDep
from .schemas import ReportRoundPublic, ReportRoundSummary, ReportSubmission, ReviewEventAnswer, ReviewEventIn
from .service import ReportService, round_public, round_summary

router = APIRouter(prefix="/api/v1/projects", tags=["reports"])


@router.post(
    "/{project_id}/reports",
    status_code=201,
    response_model=ReportRoundPublic,
    summary="报送评估报告（新一轮）",
    description=(
        "自行评估的项目由责任单位报备员报送，委托评估的项目由受托机构人员报送；项目须为评估中或退回整改。"
        "每次报送生成新的轮次（1, 2, …），项目进入「报告已报送」，并在同一事务中经发件箱交给审查服务"
        "（POST review /api/v1/reviews）：审查服务暂不可用时报送照样成功（201），恢复后送达，效果上只送一次。"
        "支持 Idempotency-Key。"
    ),
    responses=described({
        400: "原件不存在或非本单位上传", 403: "调用方不能为此项目报送报告", 404: "项目不存在或不可见",
        409: "项目当前状态不接受报告",
    }),
    dependencies=[limited("report_submissions")],
)
async def submit_report(
    project_id: str, data: ReportSubmission, request: Request, once: OncePerKeyDep, session: SessionDep,
    principal: CurrentPrincipal,
) -> JSONResponse:
    async def work() -> ReportRoundPublic:
        row, document = await ReportService(session).submit(principal, project_id, data)
        return round_public(row, document)

    answer = await once(work)
    request.app.state.outbox.wake()
    return answer


@router.get(
    "/{project_id}/reports",
    response_model=list[ReportRoundSummary],
    summary="评估报告轮次列表",
    responses=described({404: "项目不存在或不可见"}),
)
async def list_reports(project_id: str, session: SessionDep, principal: CurrentPrincipal) -> list[ReportRoundSummary]:
    return [round_summary(r) for r in await ReportService(session).rounds(principal, project_id)]


@router.get(
    "/{project_id}/reports/{round_number}",
    response_model=ReportRoundPublic,
    summary="某一轮评估报告（含结构化报告）",
    description="服务令牌（审查服务）同样可读。",
    responses=described({404: "项目或该轮报告不存在"}),
)
async def get_report(
    project_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    round_number: int = Path(ge=1, le=10_000),
) -> ReportRoundPublic:
    row, document = await ReportService(session).round(principal, project_id, round_number)
    return round_public(row, document)


@router.post(
    "/{project_id}/review-events",
    status_code=201,
    response_model=ReviewEventAnswer,
    summary="审查服务回写审查进展（仅审查服务）",
    description=(
        "opened：报告已报送→审查中；decided：审查中→退回整改（returned_for_revision / returned_for_reassessment）"
        "或审查通过（approved，风险等级取该轮报告结论的落实措施后等级）。不通过的审查项按轮次记入退回原因统计。"
        "按 (review_id, event) 幂等：首次 201，重复 200 且不作任何改变。项目不接受该事件时答 409 project.invalid_transition。"
    ),
    responses=described({200: "重复事件，未作改变", 404: "项目不存在", 409: "状态不接受该事件"}),
)
async def review_event(
    project_id: str,
    data: ReviewEventIn,
    session: SessionDep,
    principal: Principal = Depends(require_service("review")),
) -> JSONResponse:
    project, duplicate = await ReportService(session).review_event(principal, project_id, data)
    answer = ReviewEventAnswer(
        project_id=project.id, review_id=data.review_id, event=data.event, duplicate=duplicate, status=project.status
    )
    return JSONResponse(answer.model_dump(mode="json"), status_code=200 if duplicate else 201)
