"""Accountability rules: a supervisor records 约谈 / 通报批评 / 问责 about a project's unit in the
subtree, each on a ground that holds for the project; the names of officials held accountable
are shown only to supervisors and admins of the subtree. The ground proposal lists what the
data shows; the system never acts on it by itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import PageParams, Principal, local_date, local_today, public_view, region_contains
from wenping_shared.contracts.vocab import (
    AccountabilityGround,
    AccountabilityKind,
    InspectionCheck,
    OfficialLevel,
    ProjectStatus,
    label_of,
)

from ..errors import (
    AccountabilityGroundNotFound,
    AccountabilityNotFound,
    AccountabilitySupervisorOnly,
)
from ..inspections.repository import InspectionRepository
from ..inspections.service import not_in_future
from ..ledger import service as ledger
from ..projects.access import ensure_visible
from ..projects.models import Project
from ..projects.repository import ProjectRepository
from ..public import label_or_none
from ..targets.repository import TargetRepository
from ..targets.service import reader_region
from ..unit_access import sees
from .models import AccountabilityAction
from .repository import AccountabilityRepository
from .schemas import GROUND_RULE, AccountabilityCreate, AccountabilityPublic, GroundProposal, GroundsBoard

G = AccountabilityGround
#: Decided to go ahead: the project is being (or has been) implemented.
IMPLEMENTED = frozenset({ProjectStatus.implement, ProjectStatus.implement_with_measures, ProjectStatus.tracking,
                         ProjectStatus.evaluated, ProjectStatus.closed})
#: Finished without an approval: no deadline can be missed any more.
ABANDONED = frozenset({ProjectStatus.withdrawn, ProjectStatus.rejected})
NAME_READERS = ("supervisor", "admin")


def sees_names(principal: Principal, region_code: str) -> bool:
    return bool(
        principal.kind == "user" and principal.has_role(*NAME_READERS) and principal.region_code
        and region_contains(principal.region_code, region_code)
    )


def action_public(action: AccountabilityAction, principal: Principal) -> AccountabilityPublic:
    return public_view(
        AccountabilityPublic, action,
        kind_label=label_of(AccountabilityKind, action.kind),
        ground_label=label_of(AccountabilityGround, action.ground),
        officials_level_label=label_or_none(OfficialLevel, action.officials_level),
        official_names=list(action.official_names) if sees_names(principal, action.region_code) else None,
    )


def _unit(project: Project) -> dict[str, Any]:
    return {"project_id": project.id, "project_number": project.number, "project_title": project.title,
            "region_code": project.region_code, "org_id": project.responsible_org_id,
            "org_name": project.responsible_org_name}


def _proposal(ground: AccountabilityGround, unit: dict[str, Any], ref: str | None, since: dt.date | None,
              detail: str) -> GroundProposal:
    return GroundProposal(ground=ground, ground_label=ground.label, ground_ref=ref, since=since, detail=detail,
                          actions=0, **unit)


class AccountabilityService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.actions = AccountabilityRepository(session)
        self.inspections = InspectionRepository(session)
        self.projects = ProjectRepository(session)
        self.audit = TargetRepository(session)

    # --- the grounds the data shows ----------------------------------------------------------------

    async def _detect(
        self, region_code: str, year: int, margin: int, today: dt.date, project_id: str | None = None
    ) -> list[GroundProposal]:
        late_before = today - dt.timedelta(days=margin)
        found: list[GroundProposal] = []
        for p in await self.actions.suspect_projects(region_code, year, late_before, project_id):
            if p.already_implemented:
                found.append(_proposal(G.built_before_assessed, _unit(p), None, local_date(p.filed_at) if p.filed_at else None,
                                       "报备时已先行实施（未评先建）"))
            if p.status in IMPLEMENTED and p.decided_at is not None:
                decided = local_date(p.decided_at)
                if p.approved_on is None or decided < p.approved_on:
                    approved = f"评估报告于{p.approved_on.isoformat()}审查通过" if p.approved_on else "评估报告尚未审查通过"
                    found.append(_proposal(G.implemented_before_approval, _unit(p), None, decided,
                                           f"{decided.isoformat()}已决策实施，{approved}"))
            if p.deadline is not None and (p.approved_on is not None or p.status not in ABANDONED):
                end = p.approved_on or today
                late = (end - p.deadline).days
                if late > margin:
                    done = f"于{p.approved_on.isoformat()}审查通过" if p.approved_on else "至今未审查通过"
                    found.append(_proposal(G.deadline_missed, _unit(p), None, p.deadline,
                                           f"评估完成时限为{p.deadline.isoformat()}，{done}，超出 {late} 天"))
        for m, p in await self.actions.late_measures(region_code, year, late_before, project_id):
            assert m.deadline is not None
            end = local_date(m.completed_at) if m.completed_at else today
            late = (end - m.deadline).days
            if late > margin:
                state = "完成" if m.completed_at else "仍未完成"
                found.append(_proposal(G.measure_deadline_missed, _unit(p), m.id, m.deadline,
                                       f"措施「{m.content[:60]}」时限为{m.deadline.isoformat()}，逾期 {late} 天{state}"))
        for incident, p in await self.actions.incidents(region_code, year, project_id):
            found.append(_proposal(G.incident, _unit(p), incident.id, incident.occurred_on,
                                   f"{incident.occurred_on.isoformat()}发生事件（涉及 {incident.people_involved} 人）：{incident.description[:80]}"))
        for f, i in await self.inspections.overdue_owed(region_code, year, today, project_id):
            assert f.deadline is not None
            unit = {"project_id": f.project_id, "project_number": i.project_number, "project_title": i.project_title,
                    "region_code": f.region_code, "org_id": f.org_id, "org_name": i.org_name}
            found.append(_proposal(G.finding_not_rectified, unit, f.id, f.deadline,
                                   f"{i.inspected_on.isoformat()}督查发现{label_of(InspectionCheck, f.check)}问题，"
                                   f"整改时限{f.deadline.isoformat()}，逾期 {(today - f.deadline).days} 天未整改"))
        return found

    async def grounds(self, principal: Principal, region_code: str | None, year: int, margin: int) -> GroundsBoard:
        region = reader_region(principal, region_code)
        items = await self._detect(region, year, margin, local_today())
        acted = await self.actions.acted_on(list({g.project_id for g in items}))
        for item in items:
            item.actions = acted.get((item.project_id, item.ground.value, item.ground_ref), 0)
        items.sort(key=lambda g: (g.project_number, list(G).index(g.ground), g.since or dt.date.min))
        return GroundsBoard(region_code=region, year=year, margin_days=margin, rule=GROUND_RULE, items=items)

    # --- actions -----------------------------------------------------------------------------------

    async def _check_ground(self, project: Project, data: AccountabilityCreate, today: dt.date) -> None:
        ground, ref = data.ground, data.ground_ref
        if ground == G.incident and ref is None:
            return  # known to the office though not reported on the platform: ground_detail says what
        if ground == G.finding_not_rectified:
            finding = await self.inspections.finding(ref or "")
            if finding is not None and finding.project_id == project.id and finding.problem:
                return
            raise AccountabilityGroundNotFound("ground_ref 须为该项目督查发现的问题（inspection finding）的 id")
        detected = await self._detect(project.region_code, project.year, 0, today, project.id)
        if any(g.ground == ground and (g.ground_ref == ref or (ref is None and g.ground_ref is None)) for g in detected):
            return
        raise AccountabilityGroundNotFound(f"依据「{ground.label}」在该项目上不成立" + ("（ground_ref 不符）" if ref else ""))

    async def record(self, principal: Principal, data: AccountabilityCreate) -> AccountabilityPublic:
        if principal.kind != "user" or not principal.has_role("supervisor") or not principal.region_code:
            raise AccountabilitySupervisorOnly()
        today = local_today()
        not_in_future("decided_on", data.decided_on, today)
        project = ensure_visible(principal, await self.projects.get_for_update(data.project_id))
        await self._check_ground(project, data, today)
        action = AccountabilityAction(
            project_id=project.id, project_number=project.number, project_title=project.title,
            region_code=project.region_code, org_id=project.responsible_org_id, org_name=project.responsible_org_name,
            kind=data.kind.value, ground=data.ground.value, ground_ref=data.ground_ref, ground_detail=data.ground_detail,
            decided_on=data.decided_on, description=data.description, officials_count=data.officials_count,
            officials_level=data.officials_level.value if data.officials_level else None,
            official_names=list(data.official_names), recorded_by=principal.subject, recorded_by_name=principal.name,
        )
        self.actions.add(action)
        # The ledger is read by the project's unit too: counts and level, never the names.
        summary = {"action_id": action.id, "kind": action.kind, "ground": action.ground, "ground_ref": action.ground_ref,
                   "decided_on": data.decided_on, "officials_count": action.officials_count,
                   "officials_level": action.officials_level}
        await ledger.append(self.session, project, principal, "accountability_action", project.status, project.status, summary)
        await self.audit.record_change(principal, "accountability", action.id, "record",
                                       {**summary, "decided_on": data.decided_on.isoformat(), "names": len(action.official_names)})
        await self.session.flush()
        return action_public(action, principal)

    async def get(self, principal: Principal, action_id: str) -> AccountabilityPublic:
        action = await self.actions.get(action_id)
        if action is None or not sees(principal, action.region_code, action.org_id):
            raise AccountabilityNotFound()
        return action_public(action, principal)

    async def browse(
        self, principal: Principal, page: PageParams, *, region_code: str | None, project_id: str | None, year: int | None
    ) -> tuple[list[AccountabilityPublic], str | None]:
        rows = await self.actions.list(principal, page, region_code=region_code, project_id=project_id, year=year)
        items, cursor = page.page(rows, key=lambda a: [a.created_at, a.id])
        return [action_public(a, principal) for a in items], cursor
