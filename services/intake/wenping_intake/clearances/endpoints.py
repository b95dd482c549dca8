"""/api/v1/clearances: the decision gate's check, the printable form, and the published keys."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from wenping_shared import described

from ..deps import CurrentPrincipal, SessionDep
from ..http import Responses
from .form import DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE, clearance_docx, clearance_pdf
from .keys import ClearanceKey
from .schemas import ClearanceCheck, ClearanceStatus
from .service import ClearanceAnswer, ClearanceService

router = APIRouter(prefix="/api/v1/clearances", tags=["clearances"])

_ERRORS = described({403: "对接客户端未获 clearances:read 授权", 404: "项目编号不存在或不在调用方辖区内"})


def _form_responses(media_type: str, more: dict[int, str] | None = None) -> Responses:
    """A printable form's responses: the file, or 409 while no valid clearance exists."""
    return {
        **_ERRORS, 200: {"content": {media_type: {"schema": {"type": "string", "format": "binary"}}}},
        **described({409: "证明未签发或已撤销", **(more or {})}),
    }


def _key(request: Request) -> ClearanceKey:
    key: ClearanceKey = request.app.state.clearance_key
    return key


def _check(answer: ClearanceAnswer) -> ClearanceCheck:
    clearance = answer.clearance
    reason = None
    if clearance is None:
        reason = "评估报告尚未经审查通过，未签发稳评备案证明"
    elif answer.status == "revoked":
        reason = clearance.revocation_reason
    claims: dict[str, Any] | None = None
    if clearance is not None:
        claims = dict(clearance.claims)
        if answer.status == "revoked":
            claims.update(status="revoked", revocation_reason=clearance.revocation_reason)
    return ClearanceCheck(
        project_number=answer.project.number,
        may_proceed=answer.status == "valid",
        status=ClearanceStatus(answer.status),
        reason=reason,
        clearance_id=clearance.id if clearance else None,
        basis=clearance.basis if clearance else None,
        permits=clearance.claims.get("permits") if clearance else None,
        issued_at=clearance.issued_at if clearance else None,
        revoked_at=clearance.revoked_at if clearance else None,
        clearance=answer.token,
        claims=claims,
    )


async def _printed(
    request: Request, session: SessionDep, principal: CurrentPrincipal, project_number: str,
    render: Callable[[dict[str, Any], str, str], bytes], media_type: str, suffix: str,
) -> Response:
    """The valid clearance's paper form (its QR code verifies at this service's check URL), as a download."""
    answer = await ClearanceService(session, _key(request)).printable(principal, project_number)
    assert answer.clearance is not None and answer.token is not None
    verify_url = str(request.base_url).rstrip("/") + f"/api/v1/clearances/{quote(project_number, safe='')}"
    content = await asyncio.to_thread(render, answer.clearance.claims, answer.token, verify_url)
    filename = f"clearance-{project_number}.{suffix}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get(
    "/jwks.json",
    summary="稳评备案证明的公开密钥（JWKS）",
    description="核验证明签名（ES256）所用的公钥。无需令牌，可缓存；离线核验只需这些公钥。",
)
async def clearance_jwks(request: Request) -> dict[str, Any]:
    return _key(request).jwks()


@router.get(
    "/{project_number}",
    response_model=ClearanceCheck,
    summary="核验稳评备案证明（决策事项能否上会）",
    description=(
        "党委议事、审批部门等对接系统（client credentials，scope clearances:read，限本辖区）或可查看该项目的账号查询："
        "may_proceed 为 true 表示评估报告已审查通过、证明有效，可以上会研究或报批；项目之后被退回、撤回或决定不予实施时"
        "证明撤销（status=revoked，reason 为原因）。clearance 为签名文本，可用 /api/v1/clearances/jwks.json 的公钥离线核验。"
    ),
    responses=_ERRORS,
)
async def check_clearance(
    project_number: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> ClearanceCheck:
    answer = await ClearanceService(session, _key(request)).check(principal, project_number)
    return _check(answer)


@router.get(
    "/{project_number}/form.docx",
    summary="打印稳评备案证明（.docx，含二维码）",
    description="有效证明的纸质版：证明内容与核验码，二维码为签名文本（可离线核验）。证明未签发或已撤销时答 409。",
    response_class=Response,
    responses=_form_responses(DOCX_MEDIA_TYPE),
)
async def clearance_form(
    project_number: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    return await _printed(request, session, principal, project_number, clearance_docx, DOCX_MEDIA_TYPE, "docx")


@router.get(
    "/{project_number}/form.pdf",
    summary="打印稳评备案证明（PDF，内嵌字体，含二维码）",
    description="与 .docx 相同的纸质版，PDF 内嵌中文字体。证明未签发或已撤销时答 409；服务器缺少字体时答 503。",
    response_class=Response,
    responses=_form_responses(PDF_MEDIA_TYPE, {503: "服务器缺少生成 PDF 所需的中文字体"}),
)
async def clearance_form_pdf(
    project_number: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    font = request.app.state.settings.document_font
    render = functools.partial(clearance_pdf, font_path=font)
    return await _printed(request, session, principal, project_number, render, PDF_MEDIA_TYPE, "pdf")
