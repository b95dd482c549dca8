"""Reviews: the queue (oldest first), the review page (45 items by category with the auto result
and evidence, judgement and comment, changes since the previous round) and the decision with a
preview of the letter it will produce."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..deps import ApiDep, Csrf, SessionDep, role_guard
from ..rendering import page
from ..upstream import Refused

router = APIRouter(tags=["reviews"])
ReviewersOnly = Depends(role_guard("reviewer", "supervisor"))
JUDGEMENTS = (("pass", "通过"), ("fail", "不通过"), ("not_applicable", "不适用"))


@router.get("/reviews", dependencies=[ReviewersOnly])
async def queue(request: Request, api: ApiDep, status: str = "pending", cursor: str = "") -> Response:
    status = status if status in ("pending", "decided") else "pending"
    answer = await api.get("review", "/api/v1/reviews", status=status, cursor=cursor, limit=50)
    return page(request, "reviews/queue.html", title="审查队列", reviews=answer["items"], status=status,
                next_cursor=answer.get("next_cursor"))


def grouped(items: list[dict[str, Any]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    groups: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    for item in items:
        groups.setdefault(item["category_code"], (item["category_title"], []))[1].append(item)
    return [(code, title, rows) for code, (title, rows) in groups.items()]


def letter_preview(review: dict[str, Any]) -> dict[str, Any]:
    """What the letter will say if decided now: the failed items by category, with comment and requirement."""
    failed = [i for i in review["items"] if i["result"] == "fail"]
    return {
        "title": f"关于《{review['report_title']}》的审查反馈意见",
        "addressee": review.get("responsible_org_name") or "（决策主体）",
        "verdict": review.get("provisional_verdict"),
        "groups": grouped(failed),
    }


def needs_a_look(item: dict[str, Any]) -> bool:
    """Items a reviewer has to read: manual ones, failed or pending ones, and any changed by hand."""
    return item["mode"] != "auto" or item["result"] in ("fail", "pending") or bool(item.get("overridden"))


async def _review_page(request: Request, api: Any, review_id: str, status_code: int = 200, *, only_open: bool = False,
                       **extra: Any) -> Response:
    review, _ = await api.etag("review", f"/api/v1/reviews/{review_id}")
    shown = [i for i in review["items"] if needs_a_look(i)] if only_open else review["items"]
    letter = None
    if review["status"] == "decided":
        letter = await api.get("review", f"/api/v1/reviews/{review_id}/feedback")
    return page(
        request, "reviews/detail.html", status_code, title=f"审查 · {review.get('project_title') or review['report_title']}",
        review=review, groups=grouped(shown), preview=letter_preview(review), letter=letter,
        judgements=JUDGEMENTS, only_open=only_open, **extra,
    )


@router.get("/reviews/{review_id}", dependencies=[ReviewersOnly])
async def review_page(request: Request, review_id: str, api: ApiDep, show: str = "") -> Response:
    return await _review_page(request, api, review_id, only_open=show == "open")


@router.post("/reviews/{review_id}/items/{code}", dependencies=[Csrf, ReviewersOnly])
async def judge(
    request: Request, review_id: str, code: str, session: SessionDep, api: ApiDep,
    result: Annotated[str, Form(max_length=20)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    _, etag = await api.etag("review", f"/api/v1/reviews/{review_id}")
    try:
        await api.put("review", f"/api/v1/reviews/{review_id}/items/{code}",
                      json={"result": result, "comment": comment.strip() or None}, headers={"If-Match": etag})
    except Refused as exc:
        if request.headers.get("x-requested-with") == "fetch":
            return await _review_page(request, api, review_id, item_errors={code: exc.message})
        session.flash(f"{code}：{exc.message}", "error")
        return RedirectResponse(f"/reviews/{review_id}#item-{code}", status_code=303)
    if request.headers.get("x-requested-with") == "fetch":
        return await _review_page(request, api, review_id, item_saved=code)
    session.flash(f"{code} 已判定。")
    return RedirectResponse(f"/reviews/{review_id}#item-{code}", status_code=303)


@router.post("/reviews/{review_id}/items", dependencies=[Csrf, ReviewersOnly])
async def judge_several(
    request: Request, review_id: str, session: SessionDep, api: ApiDep,
    result: Annotated[str, Form(max_length=20)],
    scope: Annotated[str, Form(max_length=20)] = "selected",
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """One judgement and comment for several items (the ticked ones, or every item still pending);
    ``suggested`` takes each item's own suggestion. One API call per item, so each is audited."""
    review, etag = await api.etag("review", f"/api/v1/reviews/{review_id}")
    form = await request.form()
    items = {i["code"]: i for i in review["items"]}
    if scope == "pending":
        codes = list(review.get("pending_items") or [])
    else:
        codes = [c for c in dict.fromkeys(str(v) for v in form.getlist("codes")) if c in items]
    if not codes:
        session.flash("请先勾选要判定的条目。" if scope != "pending" else "没有待判定的条目。", "error")
        return RedirectResponse(f"/reviews/{review_id}#review-items", status_code=303)
    judged: list[str] = []
    problems: list[str] = []
    for code in codes:
        verdict = items[code].get("suggestion") if result == "suggested" else result
        if not verdict:
            problems.append(f"{code}：没有系统建议，请逐项判定")
            continue
        try:
            answer = await api.response("review", "PUT", f"/api/v1/reviews/{review_id}/items/{code}",
                                        json={"result": verdict, "comment": comment.strip() or None},
                                        headers={"If-Match": etag})
        except Refused as exc:
            problems.append(f"{code}：{exc.message}")
            continue
        etag = answer.headers.get("etag", etag)
        judged.append(code)
    if judged:
        session.flash(f"已判定 {len(judged)} 项：{'、'.join(judged)}。")
    if problems:
        session.flash("未能判定：" + "；".join(problems), "error")
    return RedirectResponse(f"/reviews/{review_id}#review-items", status_code=303)


@router.post("/reviews/{review_id}/decision", dependencies=[Csrf, ReviewersOnly])
async def decide(
    review_id: str, session: SessionDep, api: ApiDep,
    rectification_deadline: Annotated[str, Form(max_length=10)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    _, etag = await api.etag("review", f"/api/v1/reviews/{review_id}")
    body = {"rectification_deadline": rectification_deadline or None, "comment": comment.strip() or None}
    try:
        decided = await api.post("review", f"/api/v1/reviews/{review_id}/decision", json=body, headers={"If-Match": etag})
        session.flash(f"已作出审查结论：{decided['verdict_label']}。书面反馈意见已生成，受理服务将通知报备单位。")
    except Refused as exc:
        session.flash(exc.message, "error")
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)
