"""Issuing, revoking and checking clearances (稳评备案证明).

"未经评估的一律不上会研究": a clearance is issued when the report is approved (the decision may be
put on a meeting's agenda or to an approval) and again when the decision is recorded; a project
later returned, withdrawn or rejected revokes it. Each issue and revocation is a ledger row and a
``clearance.*`` webhook event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, region_contains, utcnow
from wenping_shared.contracts.vocab import OverallLevel, ProjectStatus, Recommendation, label_of

from ..ledger import service as ledger
from ..projects.access import sees_loaded
from ..projects.models import Project
from ..webhooks.events import publish
from ..webhooks.schemas import EventType
from .errors import ClearanceNotIssued, ClearanceProjectNotFound, ClearanceReadForbidden
from .keys import ClearanceKey
from .models import Clearance
from .repository import ClearanceRepository

S = ProjectStatus
READ_SCOPE = "clearances:read"
AUDIENCE = "wenping-clearance"
#: ``iss`` of every clearance (the verifier checks it with ``aud``; keys come from the JWKS URL).
ISSUER = "https://wenping.gov.cn/clearances"
#: How long a clearance is valid without a newer one (a verifier should re-check online after that).
VALIDITY = dt.timedelta(days=365)

PERMITS = {
    "review_approved": "社会稳定风险评估报告已经审查通过，准予提交党委（党组）会议或审批机关研究决策",
    "decision_recorded": "已完成社会稳定风险评估并作出决策，准予按决策结果办理审批、实施手续",
}
_DECISION_ISSUES = {S.implement.value, S.implement_with_measures.value}
_REVOKING = {
    S.returned.value: "评估报告被审查退回",
    S.withdrawn.value: "项目已撤回",
    S.rejected.value: "决策结果为不予实施",
}


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def clearance_claims(
    clearance_id: str, project: Project, basis: str, issued_at: dt.datetime, review: dict[str, Any]
) -> dict[str, Any]:
    risk = project.risk_level
    decision = None
    if basis == "decision_recorded":
        decision = {
            "outcome": project.decision_outcome,
            "outcome_label": label_of(Recommendation, project.decision_outcome or ""),
            "decided_at": project.decided_at.isoformat() if project.decided_at else issued_at.isoformat(),
        }
    return {
        "iss": ISSUER,
        "sub": project.number,
        "aud": AUDIENCE,
        "jti": clearance_id,
        "iat": _epoch(issued_at),
        "nbf": _epoch(issued_at),
        "exp": _epoch(issued_at + VALIDITY),
        "status": "valid",
        "basis": basis,
        "permits": PERMITS[basis],
        "project": {
            "number": project.number,
            "title": project.title,
            "responsible_org_id": project.responsible_org_id,
            "responsible_org_name": project.responsible_org_name,
            "region_code": project.region_code,
            "risk_level": risk,
            "risk_level_label": label_of(OverallLevel, risk) if risk else None,
        },
        "review": review,
        "decision": decision,
        "dates": {
            "filed_at": project.filed_at.isoformat() if project.filed_at else None,
            "approved_on": project.approved_on.isoformat() if project.approved_on else None,
            "issued_at": issued_at.isoformat(),
        },
    }


async def follow_status(
    session: AsyncSession, project: Project, actor: Principal, action: str, to_status: str,
    details: dict[str, Any],
) -> None:
    """Called by every status change (projects/lifecycle.py): issue or revoke as the change requires."""
    repository = ClearanceRepository(session)
    current = await repository.latest(project.id)
    if action == "review_decided" and to_status == S.approved:
        review = {"review_id": details.get("review_id"), "round": details.get("round"), "verdict": details.get("verdict")}
        await _issue(session, project, actor, "review_approved", review, current)
    elif action == "decide" and to_status in _DECISION_ISSUES and current is not None and current.status == "valid":
        await _issue(session, project, actor, "decision_recorded", current.claims.get("review") or {}, current)
    elif to_status in _REVOKING and current is not None and current.status == "valid":
        reason = _REVOKING[to_status]
        if details.get("reason"):
            reason = f"{reason}：{details['reason']}"
        await _revoke(session, project, actor, current, reason[:300])


async def _issue(
    session: AsyncSession, project: Project, actor: Principal, basis: str, review: dict[str, Any],
    previous: Clearance | None,
) -> Clearance:
    now = utcnow()
    if previous is not None and previous.status == "valid":
        previous.status = "superseded"
        session.add(previous)
    clearance = Clearance(project_id=project.id, project_number=project.number, basis=basis, issued_at=now,
                          issued_by=actor.subject)
    clearance.claims = clearance_claims(clearance.id, project, basis, now, review)
    session.add(clearance)
    await ledger.append(
        session, project, actor, "clearance_issued", project.status, project.status,
        {"clearance_id": clearance.id, "basis": basis, "permits": PERMITS[basis],
         "supersedes": previous.id if previous is not None and previous.status == "superseded" else None},
    )
    await publish(session, EventType.clearance_issued, project,
                  {"clearance_id": clearance.id, "basis": basis, "permits": PERMITS[basis]}, at=now)
    return clearance


async def _revoke(session: AsyncSession, project: Project, actor: Principal, clearance: Clearance, reason: str) -> None:
    now = utcnow()
    clearance.status = "revoked"
    clearance.revoked_at = now
    clearance.revoked_by = actor.subject
    clearance.revocation_reason = reason
    session.add(clearance)
    await ledger.append(
        session, project, actor, "clearance_revoked", project.status, project.status,
        {"clearance_id": clearance.id, "reason": reason},
    )
    await publish(session, EventType.clearance_revoked, project, {"clearance_id": clearance.id, "reason": reason}, at=now)


@dataclass(frozen=True)
class ClearanceAnswer:
    project: Project
    clearance: Clearance | None
    token: str | None

    @property
    def status(self) -> str:
        if self.clearance is None:
            return "none"
        return "revoked" if self.clearance.status == "revoked" else "valid"


async def _may_read(session: AsyncSession, principal: Principal, project: Project) -> bool:
    if principal.kind == "client":
        return (
            READ_SCOPE in principal.scopes
            and bool(principal.region_code)
            and region_contains(principal.region_code or "", project.region_code)
        )
    return await sees_loaded(session, principal, project)


class ClearanceService:
    def __init__(self, session: AsyncSession, key: ClearanceKey) -> None:
        self.session = session
        self.key = key
        self.clearances = ClearanceRepository(session)

    async def check(self, principal: Principal, project_number: str) -> ClearanceAnswer:
        if principal.kind == "client" and READ_SCOPE not in principal.scopes:
            raise ClearanceReadForbidden()
        project = await self.clearances.project_by_number(project_number)
        if project is None or not await _may_read(self.session, principal, project):
            raise ClearanceProjectNotFound()
        clearance = await self.clearances.latest(project.id)
        if clearance is None:
            return ClearanceAnswer(project, None, None)
        claims = dict(clearance.claims)
        if clearance.status == "revoked":
            # The statement of revocation is signed too, so a verifier can trust the "revoked" it reads.
            claims.update(
                status="revoked",
                revoked_at=clearance.revoked_at.isoformat() if clearance.revoked_at else None,
                revocation_reason=clearance.revocation_reason,
            )
        return ClearanceAnswer(project, clearance, self.key.sign(claims))

    async def printable(self, principal: Principal, project_number: str) -> ClearanceAnswer:
        answer = await self.check(principal, project_number)
        if answer.status != "valid":
            raise ClearanceNotIssued()
        return answer
