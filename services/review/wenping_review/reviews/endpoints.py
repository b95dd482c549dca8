from __future__ import annotations

import asyncio
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response

from wenping_shared import (
    Conflict,
    Forbidden,
    NotFound,
    Page,
    PageParamsDep,
    Principal,
    ServiceUnavailable,
    etag_for,
    region_contains,
)
from wenping_shared.contracts.vocab import ReviewVerdict, label_of

from ..deps import CurrentPrincipal, IntakeSourceDep, RegistrySourceDep, SessionDep
from ..feedback import FeedbackLetter, letter_title, render_docx, render_text
from ..sources import PeerDown
from .letters import build_letter
from .schemas import DecisionCreate, ItemJudgement, ReviewOpen, ReviewPublic, ReviewSummary
from .service import ReviewService, review_summary

router = APIRouter(prefix="/api/v1/reviews", tags=["reviews"])

ReviewId = Annotated[str, Path(max_length=64, description="审查ID")]
ItemCode = Annotated[str, Path(pattern=r"^C\d{2}\.\d{1,2}$", description="条目编号，如 C06.6")]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
    responses={200: {"description": "该轮审查已存在"}},
)
async def open_review(
    data: ReviewOpen,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    registry: RegistrySourceDep,
    intake: IntakeSourceDep,
) -> Response:
    svc = ReviewService(session, registry, intake)
    review, items, created = await svc.open(principal, data)
    detail = await svc.detail(review, items)
    if created:
        request.app.state.outbox.wake()
    return _answer(detail, 201 if created else 200)


@router.get("", response_model=Page[ReviewSummary], summary="审查列表（审查员：本辖区待审队列，先到先审）")
async def list_reviews(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParamsDep,
    registry: RegistrySourceDep,
    intake: IntakeSourceDep,
    status: Annotated[Literal["pending", "decided"] | None, Query(description="pending 待审 | decided 已出结论")] = None,
    project_id: Annotated[str | None, Query(max_length=64)] = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="审查员/负责人：限定到下级地区")] = None,
) -> Page[ReviewSummary]:
    svc = ReviewService(session, registry, intake)
    scope = _list_scope(principal, region_code)
    if scope is None:
        return Page(items=[], next_cursor=None)
    rows = await svc.repo.list_page(page, status=status, project_id=project_id, **scope)
    items, cursor = page.page(rows, key=lambda r: [r.created_at, r.id])
    return Page(items=[review_summary(r) for r in items], next_cursor=cursor)


def _list_scope(principal: Principal, region_code: str | None) -> dict[str, str] | None:
    """The caller's slice of the reviews (None: a filter outside it, so nothing)."""
    if principal.kind == "user" and principal.has_role("reviewer", "supervisor") and principal.region_code:
        if region_code is not None and not region_contains(principal.region_code, region_code):
            return None
        return {"region_code": region_code or principal.region_code}
    if principal.kind == "user" and principal.has_role("filer") and principal.org_id:
        return {"responsible_org_id": principal.org_id}
    if principal.kind == "user" and principal.has_role("agency") and principal.org_id:
        return {"agency_org_id": principal.org_id}
    raise Forbidden("当前账号无权查看审查列表", code="review.list_forbidden")


@router.get("/{review_id}", response_model=ReviewPublic, summary="审查详情：各项结果、依据，及与上一轮相比的变化")
async def get_review(
    review_id: ReviewId, session: SessionDep, principal: CurrentPrincipal, registry: RegistrySourceDep, intake: IntakeSourceDep
) -> Response:
    svc = ReviewService(session, registry, intake)
    return _answer(await svc.detail(await svc.visible(principal, review_id)))


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
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    registry: RegistrySourceDep,
    intake: IntakeSourceDep,
) -> Response:
    svc = ReviewService(session, registry, intake)
    review = await svc.judge(principal, review_id, code, data, request)
    return _answer(await svc.detail(review))


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
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    registry: RegistrySourceDep,
    intake: IntakeSourceDep,
) -> Response:
    svc = ReviewService(session, registry, intake)
    review = await svc.decide(principal, review_id, data, request)
    detail = await svc.detail(review)
    request.app.state.outbox.wake()
    return _answer(detail)


@router.get("/{review_id}/audit", summary="审查日志（开启、逐项判定、结论）")
async def review_audit(
    review_id: ReviewId, session: SessionDep, principal: CurrentPrincipal, registry: RegistrySourceDep, intake: IntakeSourceDep
) -> list[dict[str, object]]:
    svc = ReviewService(session, registry, intake)
    review = await svc.visible(principal, review_id)
    if not principal.has_role("reviewer", "supervisor"):
        raise Forbidden("仅审查员和维稳办负责人可查看审查日志", code="review.audit_forbidden")
    return [row.model_dump(mode="json") for row in await svc.repo.audit(review.id)]


async def _letter(
    review_id: str, session: SessionDep, principal: Principal, registry: RegistrySourceDep, intake: IntakeSourceDep
) -> FeedbackLetter:
    svc = ReviewService(session, registry, intake)
    review = await svc.visible(principal, review_id)
    if review.status != "decided":
        raise Conflict("审查尚未作出结论，暂无书面反馈意见", code="review.not_decided")
    items = await svc.repo.items(review.id)
    office = review.issuing_office
    if office is None:
        # The registry was down at the decision: ask now, holding no database lock meanwhile
        # (detached first, so the rollback does not expire what was read).
        session.expunge_all()
        await session.rollback()
        try:
            org = await registry.organization(review.issuing_org_id) if review.issuing_org_id else None
        except PeerDown as exc:
            raise ServiceUnavailable("注册服务暂不可用，无法确定发文机关，请稍后重试", code="review.office_unavailable") from exc
        if org is None or not org.get("name"):
            raise NotFound("发文机关不存在", code="review.office_not_found")
        office = str(org["name"])
    return build_letter(review, items, office)


@router.get("/{review_id}/feedback", summary="书面反馈意见（JSON）")
async def feedback_json(
    review_id: ReviewId, session: SessionDep, principal: CurrentPrincipal, registry: RegistrySourceDep, intake: IntakeSourceDep
) -> dict[str, object]:
    letter = await _letter(review_id, session, principal, registry, intake)
    return {
        "title": letter_title(letter),
        "verdict_label": label_of(ReviewVerdict, letter.verdict),
        **letter.model_dump(mode="json"),
        "text": render_text(letter),
    }


@router.get("/{review_id}/feedback.txt", summary="书面反馈意见（纯文本）", response_class=Response)
async def feedback_text(
    review_id: ReviewId, session: SessionDep, principal: CurrentPrincipal, registry: RegistrySourceDep, intake: IntakeSourceDep
) -> Response:
    letter = await _letter(review_id, session, principal, registry, intake)
    return Response(render_text(letter), media_type="text/plain; charset=utf-8")


@router.get("/{review_id}/feedback.docx", summary="书面反馈意见（Word，GB/T 9704 版式）", response_class=Response)
async def feedback_docx(
    review_id: ReviewId, session: SessionDep, principal: CurrentPrincipal, registry: RegistrySourceDep, intake: IntakeSourceDep
) -> Response:
    letter = await _letter(review_id, session, principal, registry, intake)
    data = await asyncio.to_thread(render_docx, letter)
    filename = f"{letter_title(letter)}.docx"
    return Response(
        data,
        media_type=DOCX,
        headers={"Content-Disposition": f"attachment; filename=\"feedback.docx\"; filename*=UTF-8''{quote(filename)}"},
    )
