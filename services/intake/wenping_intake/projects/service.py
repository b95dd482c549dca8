"""Project rules: filing, designation, reading, editing, transitions and commissioning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PageParams,
    Principal,
    ServiceClient,
    ServiceUnavailable,
    etag_for,
    region_contains,
    utcnow,
)
from wenping_shared.contracts.vocab import (
    LABELS,
    ProjectStatus,
    project_level_for_region,
)

from ..clock import local_date, local_today
from ..ledger import service as ledger
from ..webhooks import events as webhook_events
from . import lifecycle
from .access import ensure_visible, is_filer_of
from .models import Project
from .numbering import next_number
from .repository import ProjectFilters, ProjectRepository
from .schemas import DesignationCreate, ProjectCreate, ProjectFields, ProjectPublic, ProjectUpdate, TransitionRequest
from .triggers import mandatory_triggers

Precondition = Callable[[str], None]

#: Fields PATCH may change (the rest are set by the token, the state machine or commissioning).
EDITABLE_FIELDS: tuple[str, ...] = tuple(ProjectUpdate.model_fields)


def _label(enum_name: str, value: str | None) -> str:
    if value is None:
        return ""
    for cls, labels in LABELS.items():
        if cls.__name__ == enum_name:
            return labels.get(value, value)
    return value


def project_public(project: Project, principal: Principal, today: dt.date | None = None) -> ProjectPublic:
    today = today or local_today()
    overdue = (
        project.deadline is not None
        and project.deadline < today
        and project.status not in lifecycle.FINISHED_STATUSES
    )
    data: dict[str, Any] = project.model_dump()
    data.update(
        category_label=_label("ProjectCategory", project.category),
        initiation_label=_label("Initiation", project.initiation),
        status_label=_label("ProjectStatus", project.status),
        overdue=overdue,
        allowed_actions=lifecycle.allowed_actions(principal, project),
    )
    return ProjectPublic.model_validate(data)


def project_etag(project: Project) -> str:
    return etag_for(project.version)


def project_facts(project: Project) -> dict[str, Any]:
    """The project as the review service needs it (contracts.md ProjectFacts)."""
    return {
        "project_id": project.id,
        "number": project.number,
        "title": project.title,
        "responsible_org_id": project.responsible_org_id,
        "responsible_org_name": project.responsible_org_name,
        "category": project.category,
        "sub_kind": project.sub_kind,
        "interests": list(project.interests or []),
        "expected_participants": project.expected_participants,
        "region_code": project.region_code,
        "planned_decision_date": project.planned_decision_date.isoformat() if project.planned_decision_date else None,
        "already_implemented": project.already_implemented,
        "assessor_kind": project.assessor_kind,
        "agency_id": project.agency_id,
        "agency_org_id": project.agency_org_id,
        "implementing_org_id": project.implementing_org_id,
    }


def apply_fields(project: Project, fields: ProjectFields) -> None:
    for name in EDITABLE_FIELDS:
        value = getattr(fields, name)
        if name == "interests":
            value = [str(v) for v in value]
        elif hasattr(value, "value"):
            value = value.value
        setattr(project, name, value)
    project.mandatory_triggers = mandatory_triggers(project.category, project.interests, project.expected_participants)
    project.mandatory = bool(project.mandatory_triggers)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


async def new_project(
    session: AsyncSession,
    principal: Principal,
    fields: ProjectFields,
    *,
    region_code: str,
    org_id: str,
    org_name: str | None,
    now: dt.datetime | None = None,
) -> Project:
    """A numbered project as every filing path creates it (single filing, designation, decision list).
    The caller sets the status it starts in and adds it to the session."""
    now = now or utcnow()
    year = local_date(now).year
    seq, number = await next_number(session, region_code, year)
    project = Project(
        number=number,
        year=year,
        seq=seq,
        title=fields.title,
        category=fields.category.value,
        initiation=fields.initiation.value,
        region_code=region_code,
        level=project_level_for_region(region_code).value,
        responsible_org_id=org_id,
        responsible_org_name=org_name,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    apply_fields(project, fields)
    return project


class ProjectService:
    def __init__(self, session: AsyncSession, peers: ServiceClient) -> None:
        self.session = session
        self.peers = peers
        self.projects = ProjectRepository(session)

    # --- the registry ------------------------------------------------------------------------

    async def organization(self, org_id: str) -> dict[str, Any] | None:
        """The registry's organisation (None when it does not exist); 503 when the registry is down."""
        response = await self.peers.request("registry", "GET", f"/api/v1/organizations/{quote(org_id, safe='')}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ServiceUnavailable("注册服务暂时无法查询单位信息，请稍后重试", code="registry.unavailable")
        body: dict[str, Any] = response.json()
        return body

    async def check_implementing_org(self, principal: Principal, org_id: str | None) -> None:
        """An implementing unit named by id is one the registry knows, in the caller's province
        (a filer cannot attach another province's organisation or an invented id to a project)."""
        if org_id is None:
            return
        org = await self.organization(org_id)
        province = f"{(principal.region_code or '')[:2]}0000"
        if org is None or not region_contains(province, str(org.get("region_code", ""))):
            raise BadRequest("实施单位（implementing_org_id）不存在或不在本省范围内", code="project.implementing_org_not_found")

    # --- creating ------------------------------------------------------------------------------

    async def create(self, principal: Principal, data: ProjectCreate) -> Project:
        """报备 by a filer: a draft of the caller's organisation in the caller's region."""
        if principal.kind != "user" or not principal.has_role("filer"):
            raise Forbidden("只有决策部门的报备员可以报备项目", code="project.filer_only")
        if not principal.org_id or not principal.region_code:
            raise Forbidden("当前账号未关联单位或行政区划，无法报备", code="project.no_tenant")
        # Ask the registry before touching the database: no write lock is held across the call.
        org = await self.organization(principal.org_id)
        await self.check_implementing_org(principal, data.implementing_org_id)
        project = await new_project(
            self.session,
            principal,
            data,
            region_code=principal.region_code,
            org_id=principal.org_id,
            org_name=org["name"] if org else None,
        )
        self.session.add(project)
        await ledger.append(
            self.session, project, principal, "create", None, ProjectStatus.draft,
            {"number": project.number, "title": project.title, "mandatory_triggers": project.mandatory_triggers},
        )
        await self.session.flush()
        return project

    async def designate(self, principal: Principal, data: DesignationCreate) -> Project:
        """指定评估: a supervisor creates the project, already filed, for a department of their subtree."""
        if principal.kind != "user" or not principal.has_role("supervisor") or not principal.region_code:
            raise Forbidden("只有维稳办负责人可以指定评估", code="project.supervisor_only")
        org = await self.organization(data.responsible_org_id)
        if org is None or not region_contains(principal.region_code, str(org.get("region_code", ""))):
            raise BadRequest("被指定的责任单位不存在或不在本辖区内", code="project.responsible_org_not_found")
        await self.check_implementing_org(principal, data.implementing_org_id)
        if org.get("kind") != "department":
            raise BadRequest("只能指定决策部门（kind=department）开展评估", code="project.responsible_org_not_department")
        project = await new_project(
            self.session,
            principal, data, region_code=str(org["region_code"]), org_id=data.responsible_org_id, org_name=org["name"]
        )
        project.status = ProjectStatus.filed
        project.filed_at = project.created_at
        project.designated_by_org_id = principal.org_id
        self.session.add(project)
        await ledger.append(
            self.session, project, principal, "designate", None, ProjectStatus.filed,
            {"number": project.number, "title": project.title, "responsible_org_id": project.responsible_org_id,
             "designated_by_org_id": principal.org_id, "mandatory_triggers": project.mandatory_triggers},
        )
        await webhook_events.project_changed(self.session, project, "designate", None, ProjectStatus.filed, {})
        await self.session.flush()
        return project

    # --- reading -------------------------------------------------------------------------------

    async def get_visible(self, principal: Principal, project_id: str) -> Project:
        return ensure_visible(principal, await self.projects.get(project_id))

    async def get_visible_for_update(self, principal: Principal, project_id: str) -> Project:
        return ensure_visible(principal, await self.projects.get_for_update(project_id))

    async def list(self, principal: Principal, filters: ProjectFilters, page: PageParams) -> Sequence[Project]:
        return await self.projects.list(principal, filters, page, local_today())

    # --- changing ------------------------------------------------------------------------------

    async def update(
        self, principal: Principal, project_id: str, data: ProjectUpdate, precondition: Precondition
    ) -> Project:
        project = await self.get_visible_for_update(principal, project_id)
        precondition(project_etag(project))
        if not is_filer_of(principal, project):
            raise Forbidden("只有项目责任单位可以修改项目", code="project.edit_forbidden")
        if project.status not in lifecycle.EDITABLE_STATUSES:
            raise Conflict(
                f"项目当前状态为「{_label('ProjectStatus', project.status)}」，只有草稿或已报备的项目可以修改",
                code="project.not_editable",
            )
        current = {name: getattr(project, name) for name in EDITABLE_FIELDS}
        changes = data.model_dump(exclude_unset=True)
        if changes.get("implementing_org_id") not in (None, project.implementing_org_id):
            await self.check_implementing_org(principal, changes["implementing_org_id"])
        # Validate the merged whole, so cross-field rules hold after a partial change (422 otherwise).
        merged = ProjectFields.model_validate({**current, **changes, "initiation": project.initiation})
        before = {name: _jsonable(getattr(project, name)) for name in EDITABLE_FIELDS}
        apply_fields(project, merged)
        diff = {
            name: {"from": before[name], "to": _jsonable(getattr(project, name))}
            for name in EDITABLE_FIELDS
            if before[name] != _jsonable(getattr(project, name))
        }
        if diff:
            lifecycle.touch(project)
            await ledger.append(self.session, project, principal, "update", project.status, project.status, {"changes": diff})
        await self.session.flush()
        return project

    async def transition(
        self, principal: Principal, project_id: str, data: TransitionRequest, precondition: Precondition
    ) -> Project:
        project = await self.get_visible_for_update(principal, project_id)
        precondition(project_etag(project))
        if not is_filer_of(principal, project):
            raise Forbidden(
                "只有项目责任单位可以变更项目状态；审查结论由审查服务回写", code="project.transition_forbidden"
            )
        action = data.action.value
        if project.status not in lifecycle.ACTION_SOURCES[action]:
            allowed = lifecycle.allowed_actions(principal, project)
            raise Conflict(
                f"项目当前状态为「{_label('ProjectStatus', project.status)}」，不能执行「{action}」",
                code="project.invalid_transition",
                allowed_actions=allowed,
                current_status=project.status,
            )
        outcome = data.outcome.value if data.outcome else None
        to_status = lifecycle.target_status(action, outcome)
        details: dict[str, Any] = {}
        if data.reason:
            details["reason"] = data.reason
        if outcome:
            project.decision_outcome = outcome
            details["outcome"] = outcome
        await lifecycle.change_status(self.session, project, principal, action, to_status, details)
        await self.session.flush()
        return project

    async def commission(
        self, principal: Principal, project_id: str, agency_id: str, precondition: Precondition | None
    ) -> Project:
        project = await self.get_visible_for_update(principal, project_id)
        if precondition is not None:
            precondition(project_etag(project))
        if not is_filer_of(principal, project):
            raise Forbidden("只有项目责任单位可以委托第三方评估机构", code="project.commission_forbidden")
        if project.status not in lifecycle.COMMISSIONABLE_STATUSES:
            raise Conflict(
                f"项目当前状态为「{_label('ProjectStatus', project.status)}」，不能委托评估机构",
                code="project.not_commissionable",
            )
        response = await self.peers.request(
            "registry",
            "GET",
            f"/api/v1/agencies/{quote(agency_id, safe='')}/eligibility",
            params={"project_level": project.level, "on": local_today().isoformat(), "project_region_code": project.region_code},
        )
        if response.status_code == 404:
            raise NotFound("评估机构不存在", code="agency.not_found")
        if response.status_code != 200:
            raise ServiceUnavailable("注册服务暂时无法核验评估机构资格，请稍后重试", code="registry.unavailable")
        verdict = response.json()
        agency = verdict.get("agency") or {}
        if not verdict.get("eligible"):
            reasons = verdict.get("reasons") or []
            text = "；".join(str(r.get("message", r.get("code", ""))) for r in reasons) or "不符合承接条件"
            raise Conflict(
                f"该评估机构不能承接本项目（{_label('ProjectLevel', project.level)}）：{text}",
                code="project.agency_ineligible",
                reasons=reasons,
            )
        previous = project.agency_id
        project.agency_id = str(agency.get("id") or agency_id)
        project.agency_org_id = agency.get("org_id")
        project.agency_name = agency.get("name")
        project.assessor_kind = "agency"
        project.commissioned_at = utcnow()
        lifecycle.touch(project)
        await ledger.append(
            self.session, project, principal, "commission", project.status, project.status,
            {"agency_id": project.agency_id, "agency_org_id": project.agency_org_id, "agency_name": project.agency_name,
             "agency_grade": agency.get("grade"), "previous_agency_id": previous},
        )
        await self.session.flush()
        return project


__all__ = ["ProjectService", "project_etag", "project_facts", "project_public"]
