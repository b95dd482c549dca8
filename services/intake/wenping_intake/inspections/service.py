"""Inspection rules: a supervisor records an inspection of a project in the subtree (four checks,
a problem found is a rectification with a deadline); the inspected unit reports rectification;
the supervisor accepts it or returns it; circulars gather a period's problems under a number of
the issuing region's yearly series. Every change goes to the oversight audit trail and the
project's ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    PageParams,
    Precondition,
    Principal,
    UnprocessableEntity,
    etag_for,
    local_today,
    public_view,
    region_contains,
    utcnow,
)
from wenping_shared.contracts.vocab import InspectionCheck, RectificationState, label_of
from wenping_shared.official_document import document_number_for, format_cn_date

from ..errors import (
    CircularNoFindings,
    CircularNotFound,
    FindingNotFound,
    InspectionNotFound,
    InspectionSupervisorOnly,
    OutsideSubtree,
    OversightReaderOnly,
    RectificationForbidden,
    RectificationInvalidTransition,
)
from ..ledger import service as ledger
from ..projects.access import ensure_visible
from ..projects.models import Project
from ..projects.repository import ProjectRepository
from ..public import label_or_none
from ..targets.repository import TargetRepository
from ..unit_access import OVERSIGHT_READERS, sees
from . import circular as document
from .models import Circular, Inspection, InspectionFinding
from .repository import OWED, InspectionRepository
from .schemas import (
    Addressee,
    CircularCreate,
    CircularFinding,
    CircularPublic,
    FindingPublic,
    InspectionCreate,
    InspectionPublic,
    RectificationDecision,
    RectificationReport,
)

R = RectificationState


def ensure_supervisor(principal: Principal) -> str:
    """The supervisor's region (their subtree), or 403."""
    if principal.kind != "user" or not principal.has_role("supervisor") or not principal.region_code:
        raise InspectionSupervisorOnly()
    return principal.region_code


def _check_and_state(finding: InspectionFinding) -> dict[str, str | None]:
    return {
        "check_label": label_of(InspectionCheck, finding.check),
        "state_label": label_or_none(RectificationState, finding.state),
    }


def finding_public(finding: InspectionFinding, today: dt.date) -> FindingPublic:
    owed = finding.state in OWED and finding.deadline is not None
    return public_view(
        FindingPublic, finding,
        **_check_and_state(finding),
        overdue=bool(owed and finding.deadline and finding.deadline < today),
        days_left=(finding.deadline - today).days if owed and finding.deadline else None,
    )


def _order(findings: Sequence[InspectionFinding]) -> list[InspectionFinding]:
    rank = {c.value: i for i, c in enumerate(InspectionCheck)}
    return sorted(findings, key=lambda f: rank.get(f.check, 99))


def inspection_public(inspection: Inspection, findings: Sequence[InspectionFinding], today: dt.date) -> InspectionPublic:
    return public_view(
        InspectionPublic, inspection,
        open_rectifications=sum(1 for f in findings if f.state and f.state != R.accepted),
        findings=[finding_public(f, today) for f in _order(findings)],
    )


def circular_public(circular: Circular, rows: Sequence[tuple[InspectionFinding, Inspection]]) -> CircularPublic:
    order = {fid: i for i, fid in enumerate(circular.finding_ids)}
    findings = [
        public_view(
            CircularFinding, f, **_check_and_state(f),
            finding_id=f.id, project_number=i.project_number, project_title=i.project_title, org_name=i.org_name,
        )
        for f, i in sorted(rows, key=lambda pair: order.get(pair[0].id, len(order)))
    ]
    return public_view(
        CircularPublic, circular,
        addressees=[Addressee(org_id=str(a["org_id"]), org_name=a.get("org_name")) for a in circular.addressees],
        findings=findings,
    )


def field_problem(field: str, message: str) -> UnprocessableEntity:
    """A 422 on one body field, worded as the validation errors are."""
    return UnprocessableEntity(
        f"请求数据校验失败：{field} {message}", errors=[{"loc": [field], "msg": message, "type": "value_error"}]
    )


def not_in_future(field: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        raise field_problem(field, "不能晚于今天")


class InspectionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.inspections = InspectionRepository(session)
        self.projects = ProjectRepository(session)
        self.audit = TargetRepository(session)

    async def _ledger(self, project_id: str, principal: Principal, action: str, details: dict[str, Any]) -> Project:
        project = await self.projects.get_for_update(project_id)
        assert project is not None  # oversight rows are never written for a missing project
        await ledger.append(self.session, project, principal, action, project.status, project.status, details)
        return project

    # --- inspections ---------------------------------------------------------------------------

    async def record(self, principal: Principal, data: InspectionCreate) -> InspectionPublic:
        ensure_supervisor(principal)
        today = local_today()
        not_in_future("inspected_on", data.inspected_on, today)
        # A project outside the supervisor's subtree does not exist for them (404, not 403).
        project = ensure_visible(principal, await self.projects.get_for_update(data.project_id))
        inspection = Inspection(
            project_id=project.id, project_number=project.number, project_title=project.title,
            region_code=project.region_code, org_id=project.responsible_org_id, org_name=project.responsible_org_name,
            inspected_on=data.inspected_on, inspectors=list(data.inspectors), summary=data.summary,
            recorded_by=principal.subject, recorded_by_name=principal.name, recorder_region_code=principal.region_code or "",
        )
        findings = [
            InspectionFinding(
                inspection_id=inspection.id, project_id=project.id, region_code=project.region_code,
                org_id=project.responsible_org_id, inspected_on=data.inspected_on, check=c.check.value,
                finding=c.finding, problem=c.problem, requirement=c.requirement, deadline=c.deadline,
                state=R.required.value if c.problem else None,
            )
            for c in data.checks
        ]
        self.inspections.add(inspection, *findings)
        problems = [{"check": f.check, "deadline": f.deadline, "finding_id": f.id} for f in findings if f.problem]
        await ledger.append(
            self.session, project, principal, "inspection_recorded", project.status, project.status,
            {"inspection_id": inspection.id, "inspected_on": data.inspected_on, "inspectors": list(data.inspectors),
             "rectifications": problems},
        )
        await self.audit.record_change(
            principal, "inspection", inspection.id, "record",
            {"project_id": project.id, "inspected_on": data.inspected_on.isoformat(), "problems": len(problems)},
        )
        await self.session.flush()
        return inspection_public(inspection, findings, today)

    async def get(self, principal: Principal, inspection_id: str) -> InspectionPublic:
        inspection = await self.inspections.get(inspection_id)
        if inspection is None or not sees(principal, inspection.region_code, inspection.org_id):
            raise InspectionNotFound()
        return inspection_public(inspection, await self.inspections.findings_of([inspection.id]), local_today())

    async def browse(
        self, principal: Principal, page: PageParams, *, region_code: str | None, project_id: str | None,
        org_id: str | None,
    ) -> tuple[list[InspectionPublic], str | None]:
        rows = await self.inspections.list(principal, page, region_code=region_code, project_id=project_id, org_id=org_id)
        items, cursor = page.page(rows, key=lambda i: [i.created_at, i.id])
        findings = await self.inspections.findings_of([i.id for i in items])
        today = local_today()
        return [inspection_public(i, [f for f in findings if f.inspection_id == i.id], today) for i in items], cursor

    # --- rectification ---------------------------------------------------------------------------

    async def _finding(self, principal: Principal, finding_id: str, precondition: Precondition) -> InspectionFinding:
        finding = await self.inspections.finding_for_update(finding_id)
        if finding is None or not sees(principal, finding.region_code, finding.org_id) or not finding.problem:
            raise FindingNotFound()
        precondition(etag_for(finding.version))
        return finding

    @staticmethod
    def _require_state(finding: InspectionFinding, allowed: Sequence[str], action: str) -> None:
        if finding.state not in allowed:
            now = label_of(RectificationState, finding.state or "")
            can = "、".join(label_of(RectificationState, s) for s in allowed)
            raise RectificationInvalidTransition(f"该整改当前为「{now}」，只有「{can}」的整改可以{action}")

    async def _transition(
        self, principal: Principal, finding: InspectionFinding, to: RectificationState, action: str, details: dict[str, Any]
    ) -> FindingPublic:
        before = finding.state
        finding.state = to.value
        finding.version += 1
        finding.updated_at = utcnow()
        self.session.add(finding)
        await self._ledger(finding.project_id, principal, action,
                           {"finding_id": finding.id, "check": finding.check, "from": before, "to": to.value, **details})
        await self.audit.record_change(principal, "rectification", finding.id, action, {"from": before, "to": to.value, **details})
        await self.session.flush()
        return finding_public(finding, local_today())

    async def report(
        self, principal: Principal, finding_id: str, data: RectificationReport, precondition: Precondition
    ) -> FindingPublic:
        finding = await self._finding(principal, finding_id, precondition)
        if principal.kind != "user" or not principal.has_role("filer") or principal.org_id != finding.org_id:
            raise RectificationForbidden()
        self._require_state(finding, OWED, "报告整改情况")
        finding.report = data.report
        finding.reported_at = utcnow()
        finding.reported_by = principal.subject
        return await self._transition(principal, finding, R.reported, "rectification_reported", {"report": data.report[:500]})

    async def _to_decide(
        self, principal: Principal, finding_id: str, precondition: Precondition, action: str
    ) -> InspectionFinding:
        """A reported rectification, for the supervisor to accept or send back."""
        ensure_supervisor(principal)
        finding = await self._finding(principal, finding_id, precondition)
        self._require_state(finding, (R.reported.value,), action)
        return finding

    @staticmethod
    def _decided(finding: InspectionFinding, principal: Principal, note: str | None) -> None:
        finding.decision_note = note
        finding.decided_at = utcnow()
        finding.decided_by = principal.subject

    async def accept(
        self, principal: Principal, finding_id: str, data: RectificationDecision, precondition: Precondition
    ) -> FindingPublic:
        finding = await self._to_decide(principal, finding_id, precondition, "验收")
        self._decided(finding, principal, data.note)
        return await self._transition(principal, finding, R.accepted, "rectification_accepted", {"note": data.note})

    async def send_back(
        self, principal: Principal, finding_id: str, data: RectificationDecision, precondition: Precondition
    ) -> FindingPublic:
        finding = await self._to_decide(principal, finding_id, precondition, "退回重新整改")
        if not data.note:
            raise field_problem("note", "退回重新整改须说明理由")
        if data.deadline is not None:
            if data.deadline < local_today():
                raise field_problem("deadline", "新的整改时限不能早于今天")
            finding.deadline = data.deadline
        self._decided(finding, principal, data.note)
        return await self._transition(
            principal, finding, R.returned, "rectification_returned", {"note": data.note, "deadline": finding.deadline.isoformat() if finding.deadline else None}
        )

    # --- circulars -------------------------------------------------------------------------------

    async def issue(self, principal: Principal, data: CircularCreate) -> CircularPublic:
        subtree = ensure_supervisor(principal)
        region = data.region_code or subtree
        if not region_contains(subtree, region):
            raise OutsideSubtree()
        rows = await self.inspections.problems_in_period(region, data.period_start, data.period_end)
        if not rows:
            raise CircularNoFindings()
        issued_on = data.issued_on or local_today()
        seq = await self.inspections.next_circular_seq(region, issued_on.year)
        title = data.title or document.default_title(format_cn_date(data.period_start), format_cn_date(data.period_end))
        circular = Circular(
            region_code=region, year=issued_on.year, seq=seq,
            document_number=document_number_for(data.number_prefix, issued_on.year, seq), title=title,
            period_start=data.period_start, period_end=data.period_end, issuing_office=data.issuing_office,
            issued_on=issued_on, finding_ids=[f.id for f, _ in rows],
            addressees=document.unit_names([(f.org_id, i.org_name) for f, i in rows]), created_by=principal.subject,
        )
        self.inspections.add(circular)
        for project_id in dict.fromkeys(f.project_id for f, _ in rows):
            await self._ledger(project_id, principal, "circular_issued", {
                "circular_id": circular.id, "document_number": circular.document_number,
                "finding_ids": [f.id for f, _ in rows if f.project_id == project_id],
            })
        await self.audit.record_change(
            principal, "circular", circular.id, "issue",
            {"document_number": circular.document_number, "region_code": region, "findings": len(rows)},
        )
        await self.session.flush()
        return circular_public(circular, rows)

    async def circular(self, principal: Principal, circular_id: str) -> CircularPublic:
        circular = await self.inspections.circular(circular_id)
        if circular is None or not self._sees_circular(principal, circular):
            raise CircularNotFound()
        return circular_public(circular, await self.inspections.findings_with_inspections(circular.finding_ids))

    @staticmethod
    def _sees_circular(principal: Principal, circular: Circular) -> bool:
        addressed = principal.has_role("filer") and any(a["org_id"] == principal.org_id for a in circular.addressees)
        return bool(addressed) or sees(principal, circular.region_code, None)

    async def circulars(
        self, principal: Principal, page: PageParams, region_code: str | None
    ) -> tuple[list[CircularPublic], str | None]:
        if principal.kind == "user" and principal.has_role(*OVERSIGHT_READERS) and principal.region_code:
            subtree = region_code or principal.region_code
            if not region_contains(principal.region_code, subtree):
                raise OutsideSubtree()
            rows = await self.inspections.circulars(None, subtree, page)
        elif principal.kind == "user" and principal.has_role("filer") and principal.region_code:
            # A unit's circulars come from its own region or a level above: read those, keep the addressed.
            region = principal.region_code
            levels = list(dict.fromkeys([region, region[:4] + "00", region[:2] + "0000"]))
            rows = [c for c in await self.inspections.circulars(levels, None, page) if self._sees_circular(principal, c)]
        else:
            raise OversightReaderOnly()
        items, cursor = page.page(rows, key=lambda c: [c.created_at, c.id])
        found = await self.inspections.findings_with_inspections([fid for c in items for fid in c.finding_ids])
        return [circular_public(c, [r for r in found if r[0].id in set(c.finding_ids)]) for c in items], cursor
