from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from wenping_shared import IfMatch, OptionalIfMatch, Page, PageParamsDep, etag_for
from wenping_shared.contracts.vocab import label

from ..deps import CurrentPrincipal, IntakeSourceDep, RegistrySourceDep, SessionDep
from ..feedback import letter_title, render_docx, render_text
from .public import review_summary
from .repository import ReviewFilters
from .schemas import DecisionCreate, ItemJudgement, ReviewOpen, ReviewPublic, ReviewStatus, ReviewSummary
from .service import ReviewService

router = APIRouter(prefix="/api/v1/reviews", tags=["reviews"])

_NOT_DECIDED: dict[int | str, dict[str, object]] = {409: {"description": "审查尚未作出结论，暂无书面反馈意见"}}
ReviewId = Annotated[str, Path(max_length=64, description="审查ID")]
ItemCode = Annotated[str, Path(pattern=r"^C\d{2}\.\d{1,2}$", description="条目编号，如 C06.6")]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def _reviews(session: SessionDep, registry: RegistrySourceDep, intake: IntakeSourceDep) -> ReviewService:
    return ReviewService(session, registry, intake)


ReviewsDep = Annotated[ReviewService, Depends(_reviews)]


def _answer(detail: ReviewPublic, status_code: int = 200) -> Response:
    # Serialised once, by pydantic-core (the detail carries 45 items and the report).
    return Response(
        detail.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers={"ETag": etag_for(detail.version)},
    )


@router.post(
    "",
    response_model=ReviewPublic,
    status_code=201,
    summary="开启审查（受理服务移交，或审查员按 project_id + round 开启）",
    description="按 (project_id, round) 幂等：重复请求返回 200 与同一审查。开启时对全部 45 项自动审查并保存结果、"
    "依据与建议，并通过发件箱通知受理服务（opened）。注册服务不可用时，依赖注册库的条目为 pending（待人工核实）。",
    responses={200: {"description": "该轮审查已存在"}, 404: {"description": "项目或该轮报告不存在或不可见"}},
)
async def open_review(
    data: ReviewOpen,
    request: Request,
    principal: CurrentPrincipal,
    reviews: ReviewsDep,
) -> Response:
    review, items, created = await reviews.open(principal, data)
    detail = await reviews.detail(review, items)
    if created:
        request.app.state.outbox.wake()
    return _answer(detail, 201 if created else 200)


@router.get("", response_model=Page[ReviewSummary], summary="审查列表（审查员：本辖区待审队列，先到先审）")
async def list_reviews(
    principal: CurrentPrincipal,
    reviews: ReviewsDep,
    page: PageParamsDep,
    status: Annotated[ReviewStatus | None, Query(description="审查状态：pending 待审，decided 已出结论")] = None,
    project_id: Annotated[str | None, Query(max_length=64)] = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="审查员/负责人：限定到下级地区")] = None,
) -> Page[ReviewSummary]:
    rows = await reviews.list_for(principal, page, ReviewFilters(status, project_id, region_code))
    items, cursor = page.page(rows, key=lambda r: [r.created_at, r.id])
    return Page(items=[review_summary(r) for r in items], next_cursor=cursor)


@router.get("/{review_id}", response_model=ReviewPublic, summary="审查详情：各项结果、依据，及与上一轮相比的变化")
async def get_review(review_id: ReviewId, principal: CurrentPrincipal, reviews: ReviewsDep) -> Response:
    return _answer(await reviews.detail(await reviews.visible(principal, review_id)))


@router.put(
    "/{review_id}/items/{code}",
    response_model=ReviewPublic,
    summary="审查员判定条目（人工项判定；推翻自动结果须填写意见）",
    description="可带 If-Match（审查的 ETag）防止覆盖他人的修改。每次判定记入审查日志。",
)
async def judge_item(
    review_id: ReviewId,
    code: ItemCode,
    data: ItemJudgement,
    precondition: OptionalIfMatch,
    principal: CurrentPrincipal,
    reviews: ReviewsDep,
) -> Response:
    review = await reviews.judge(principal, review_id, code, data, precondition)
    return _answer(await reviews.detail(review))


@router.post(
    "/{review_id}/decision",
    response_model=ReviewPublic,
    summary="作出审查结论（结论由各项结果推得），通知受理服务与注册服务",
    description="须携带 If-Match（审查的 ETag；缺少时 428，过期时 412）。仍有待判定条目时 409 review.manual_items_pending；已作出结论时 409 review.already_decided。"
    "整改期限默认：退回修改30日、退回重新评估60日（地区可配置）；审查通过无整改期限。",
)
async def decide_review(
    review_id: ReviewId,
    data: DecisionCreate,
    precondition: IfMatch,
    request: Request,
    principal: CurrentPrincipal,
    reviews: ReviewsDep,
) -> Response:
    review = await reviews.decide(principal, review_id, data, precondition)
    detail = await reviews.detail(review)
    request.app.state.outbox.wake()
    return _answer(detail)


@router.get("/{review_id}/audit", summary="审查日志（开启、逐项判定、结论）")
async def review_audit(review_id: ReviewId, principal: CurrentPrincipal, reviews: ReviewsDep) -> list[dict[str, object]]:
    rows = await reviews.audit_trail(principal, review_id)
    return [row.model_dump(mode="json") for row in rows]


@router.get("/{review_id}/feedback", summary="书面反馈意见（JSON）", responses=_NOT_DECIDED)
async def feedback_json(review_id: ReviewId, principal: CurrentPrincipal, reviews: ReviewsDep) -> dict[str, object]:
    letter = await reviews.feedback_letter(principal, review_id)
    return {
        "title": letter_title(letter),
        "verdict_label": label(letter.verdict),
        **letter.model_dump(mode="json"),
        "text": render_text(letter),
    }


@router.get("/{review_id}/feedback.txt", summary="书面反馈意见（纯文本）", response_class=Response, responses=_NOT_DECIDED)
async def feedback_text(review_id: ReviewId, principal: CurrentPrincipal, reviews: ReviewsDep) -> Response:
    letter = await reviews.feedback_letter(principal, review_id)
    return Response(render_text(letter), media_type="text/plain; charset=utf-8")


@router.get(
    "/{review_id}/feedback.docx", summary="书面反馈意见（Word，GB/T 9704 版式）", response_class=Response, responses=_NOT_DECIDED
)
async def feedback_docx(review_id: ReviewId, principal: CurrentPrincipal, reviews: ReviewsDep) -> Response:
    letter = await reviews.feedback_letter(principal, review_id)
    data = await asyncio.to_thread(render_docx, letter)
    filename = f"{letter_title(letter)}.docx"
    return Response(
        data,
        media_type=DOCX,
        headers={"Content-Disposition": f"attachment; filename=\"feedback.docx\"; filename*=UTF-8''{quote(filename)}"},
    )


@router.get(
    "/{review_id}/feedback.pdf",
    summary="书面反馈意见（PDF，内嵌字体）",
    description="与 Word 版内容、版式相同的 PDF，内嵌中文字体，供无法打开 .docx 的单位打印。服务器缺少字体时答 503。",
    response_class=Response,
    responses={**_NOT_DECIDED, 200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
               503: {"description": "服务器缺少生成 PDF 所需的中文字体"}},
)
async def feedback_pdf(review_id: ReviewId, request: Request, principal: CurrentPrincipal, reviews: ReviewsDep) -> Response:
    letter = await reviews.feedback_letter(principal, review_id)
    from ..feedback.pdf import render_pdf  # fpdf at first use: ~50 MB and ~1 s off every start-up

    data = await asyncio.to_thread(render_pdf, letter, request.app.state.settings.document_font)
    filename = f"{letter_title(letter)}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=\"feedback.pdf\"; filename*=UTF-8''{quote(filename)}"},
    )
