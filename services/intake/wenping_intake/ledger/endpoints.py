"""/api/v1/projects/{id}/ledger: the project's tamper-evident history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from ..deps import CurrentPrincipal, PeersDep, SessionDep
from ..projects.service import ProjectService
from . import service

router = APIRouter(prefix="/api/v1/projects", tags=["ledger"])


class LedgerEntryPublic(BaseModel):
    seq: int
    recorded_at: dt.datetime
    actor_subject: str
    actor_kind: str
    actor_name: str | None
    actor_org_id: str | None
    actor_roles: list[str]
    action: str
    from_status: str | None
    to_status: str | None
    details: dict[str, Any]
    request_id: str | None
    prev_hash: str | None
    hash: str


class LedgerPublic(BaseModel):
    project_id: str
    number: str
    items: list[LedgerEntryPublic]
    verified: bool | None = Field(None, description="verify=true 时：哈希链是否完整")
    first_broken_seq: int | None = Field(None, description="verify=true 且不完整时：第一处断裂的序号")
    broken_reason: str | None = None


@router.get(
    "/{project_id}/ledger",
    response_model=LedgerPublic,
    summary="电子台账（项目完整历史）",
    description=(
        "项目的每一次变更：谁、何时、做了什么、状态从何到何、请求编号。各条记录按项目逐条哈希链接"
        "（sha256(上一条哈希 + 本条内容的规范 JSON)），项目上另记台账末尾的序号与哈希。verify=true 时重新计算整条链，"
        "返回 verified 及第一处断裂的序号（被改动、被删除、末尾被删除均可发现）。"
    ),
    responses={404: {"description": "项目不存在或不可见"}},
)
async def project_ledger(
    project_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    peers: PeersDep,
    verify: Annotated[bool, Query(description="是否校验哈希链")] = False,
) -> LedgerPublic:
    project = await ProjectService(session, peers).get_visible(principal, project_id)
    rows = await service.entries(session, project.id)
    answer = LedgerPublic(
        project_id=project.id,
        number=project.number,
        items=[LedgerEntryPublic.model_validate(r.model_dump()) for r in rows],
    )
    if verify:
        check = service.verify_chain(rows, project.ledger_seq, project.ledger_head_hash)
        answer.verified = check.verified
        answer.first_broken_seq = check.first_broken_seq
        answer.broken_reason = check.reason
    return answer
