"""/api/v1/projects/{id}/expert-opinions, /drawn-experts (registry only) and /api/v1/stats/expert-opinions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from wenping_shared import IfMatch, Principal, described, etag_for, require_service
from wenping_shared.contracts import messages

from ..deps import CurrentPrincipal, SessionDep
from ..http import OncePerKeyDep
from .schemas import AdoptionRecord, DrawnExpertsAnswer, ExpertOpinionPublic, OpinionCreate
from .service import ExpertOpinionService, opinion_public

router = APIRouter(prefix="/api/v1/projects", tags=["expert-opinions"])

OpinionId = Annotated[str, Path(description="专家意见 id")]
_NOT_FOUND = described({404: "项目不存在或调用方无权看到"})


@router.post(
    "/{project_id}/drawn-experts",
    response_model=DrawnExpertsAnswer,
    summary="注册服务告知抽取/谢绝的专家（仅注册服务）",
    description="注册服务经发件箱送达的 ExpertsAssigned：记录为项目抽取的专家，谢绝为终局。重复消息不作改变（changed 为 0）。",
    responses=_NOT_FOUND,
)
async def drawn_experts(
    project_id: str,
    data: messages.ExpertsAssigned,
    session: SessionDep,
    principal: Principal = Depends(require_service("registry")),
) -> DrawnExpertsAnswer:
    changed = await ExpertOpinionService(session).assign(principal, project_id, data)
    return DrawnExpertsAnswer(project_id=project_id, changed=changed)


@router.post(
    "/{project_id}/expert-opinions",
    status_code=201,
    response_model=ExpertOpinionPublic,
    summary="提交专家书面意见（抽取选中且未谢绝的专家本人）",
    description="意见由下一轮评估报告答复：评估方须在报送该轮报告前记录采纳情况。支持 Idempotency-Key。",
    responses={**_NOT_FOUND, **described({403: "调用方不是本项目抽取选中且未谢绝的专家", 409: "项目评估阶段已结束"})},
)
async def submit_opinion(
    project_id: str, data: OpinionCreate, once: OncePerKeyDep, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    async def work() -> ExpertOpinionPublic:
        return opinion_public(await ExpertOpinionService(session).submit(principal, project_id, data))

    return await once(work, headers=lambda o: {"ETag": etag_for(o.version)})


@router.get(
    "/{project_id}/expert-opinions",
    response_model=list[ExpertOpinionPublic],
    summary="项目的专家意见及采纳情况",
    responses=_NOT_FOUND,
)
async def list_opinions(project_id: str, session: SessionDep, principal: CurrentPrincipal) -> list[ExpertOpinionPublic]:
    return [opinion_public(o) for o in await ExpertOpinionService(session).of_project(principal, project_id)]


@router.put(
    "/{project_id}/expert-opinions/{opinion_id}/adoption",
    response_model=ExpertOpinionPublic,
    summary="记录专家意见采纳情况（评估方：受托机构或自行评估的责任单位）",
    description=(
        "adoption：adopted 采纳、partly_adopted 部分采纳、not_adopted 未采纳，须说明理由；须携带 If-Match。"
        "答复该意见的报告轮次报送后不能再修改。"
    ),
    responses=described({
        404: "项目或意见不存在，或调用方无权看到", 403: "调用方不是本项目的评估方", 409: "该意见已由已报送的报告轮次答复",
        412: "If-Match 与当前版本不符", 428: "缺少 If-Match",
    }),
)
async def record_adoption(
    project_id: str,
    opinion_id: OpinionId,
    data: AdoptionRecord,
    precondition: IfMatch,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ExpertOpinionPublic:
    opinion = await ExpertOpinionService(session).record_adoption(principal, project_id, opinion_id, data, precondition)
    response.headers["ETag"] = etag_for(opinion.version)
    return opinion_public(opinion)
