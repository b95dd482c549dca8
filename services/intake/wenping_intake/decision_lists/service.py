"""Decision-list rules: filing a list creates all its projects in one transaction, or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import PageParams, Principal, ServiceClient, UnprocessableEntity, local_today, public_view, utcnow
from wenping_shared.contracts.vocab import FilingBatch, ProjectStatus, label_of

from ..errors import (
    DecisionListFilerOnly,
    DecisionListNoTenant,
    DecisionListNotFound,
    DecisionListYearOutOfRange,
    ItemBatchMismatch,
)
from ..ledger import service as ledger
from ..projects.models import Project
from ..projects.schemas import ProjectCreate
from ..projects.service import ProjectService, new_project
from ..risk_watch import service as risk_watch
from ..webhooks import events as webhook_events
from .closeout import CloseOutState, close_out_reason, close_out_state
from .models import DecisionList
from .repository import DecisionListRepository, can_see_list
from .schemas import CloseOutCounts, DecisionListCreate, DecisionListDetail, DecisionListItemPublic, DecisionListPublic

#: How far from the current year a list's year may be (a start-of-year list is often filed in December).
YEAR_SLACK = 1


def _item_problem(index: int, field: str, message: str, problem: type[UnprocessableEntity]) -> UnprocessableEntity:
    loc: list[str | int] = ["items", index, field]
    return problem(
        f"请求数据校验失败：items.{index}.{field} {message}",
        errors=[{"loc": loc, "msg": message, "type": "value_error"}],
    )


def _list_public(decision_list: DecisionList, counts: CloseOutCounts) -> DecisionListPublic:
    return public_view(
        DecisionListPublic, decision_list, batch_label=label_of(FilingBatch, decision_list.batch), close_out=counts
    )


def _days_left(deadline: dt.date | None, state: CloseOutState, today: dt.date) -> int | None:
    if deadline is None or state == CloseOutState.closed_out:
        return None
    return (deadline - today).days


class DecisionListService:
    def __init__(self, session: AsyncSession, peers: ServiceClient) -> None:
        self.session = session
        self.peers = peers
        self.lists = DecisionListRepository(session)

    async def create(self, principal: Principal, data: DecisionListCreate) -> DecisionListDetail:
        if principal.kind != "user" or not principal.has_role("filer"):
            raise DecisionListFilerOnly()
        if not principal.org_id or not principal.region_code:
            raise DecisionListNoTenant()
        today = local_today()
        if abs(data.year - today.year) > YEAR_SLACK:
            raise DecisionListYearOutOfRange(
                f"请求数据校验失败：year 清单年度须在 {today.year - YEAR_SLACK} 至 {today.year + YEAR_SLACK} 之间",
                errors=[{"loc": ["year"], "msg": "清单年度超出允许范围", "type": "value_error"}],
            )
        for index, item in enumerate(data.items):
            # An item may omit filing_batch (it takes the list's); stating another batch is a contradiction.
            if "filing_batch" in item.model_fields_set and item.filing_batch != data.batch:
                raise _item_problem(
                    index, "filing_batch", "清单事项的报备批次须与清单批次一致", ItemBatchMismatch
                )
        # The registry is asked before the database is touched: no write lock is held across the call.
        projects_service = ProjectService(self.session, self.peers)
        org = await projects_service.organization(principal.org_id)
        org_name = org["name"] if org else None
        for org_id in dict.fromkeys(item.implementing_org_id for item in data.items):
            await projects_service.check_implementing_org(principal, org_id)

        now = utcnow()
        decision_list = DecisionList(
            title=data.title,
            batch=data.batch.value,
            year=data.year,
            region_code=principal.region_code,
            responsible_org_id=principal.org_id,
            responsible_org_name=org_name,
            item_count=len(data.items),
            created_by=principal.subject,
            created_at=now,
        )
        self.session.add(decision_list)
        projects = []
        for position, item in enumerate(data.items, start=1):
            project = await self._new_project(principal, item, decision_list, org_name, now)
            await ledger.append(
                self.session, project, principal, "file_in_list", None, ProjectStatus.filed,
                {
                    "number": project.number,
                    "title": project.title,
                    "decision_list_id": decision_list.id,
                    "decision_list_title": decision_list.title,
                    "position": position,
                    "mandatory_triggers": project.mandatory_triggers,
                },
            )
            await webhook_events.project_changed(self.session, project, "file_in_list", None, ProjectStatus.filed, {})
            projects.append(project)
        await risk_watch.flag_filings(self.session, principal, projects)
        await self.session.flush()
        return self._detail(decision_list, projects, {}, today)

    async def _new_project(
        self, principal: Principal, item: ProjectCreate, decision_list: DecisionList, org_name: str | None, now: dt.datetime
    ) -> Project:
        """A project as a single filing creates it (same numbering and fields), already filed (报备) with the list."""
        project = await new_project(
            self.session, principal, item, region_code=decision_list.region_code,
            org_id=decision_list.responsible_org_id, org_name=org_name, now=now,
        )
        project.status = ProjectStatus.filed
        project.filed_at = now
        project.decision_list_id = decision_list.id
        project.filing_batch = decision_list.batch
        self.session.add(project)
        return project

    async def get(self, principal: Principal, list_id: str) -> DecisionListDetail:
        decision_list = await self.lists.get(list_id)
        if decision_list is None or not can_see_list(principal, decision_list):
            raise DecisionListNotFound()
        projects = await self.lists.items(list_id)
        withdrawn = [p.id for p in projects if p.status == ProjectStatus.withdrawn]
        reasons = await self.lists.withdraw_reasons(withdrawn)
        return self._detail(decision_list, projects, reasons, local_today())

    async def list(
        self, principal: Principal, page: PageParams, *, batch: str | None, year: int | None, region_code: str | None
    ) -> tuple[list[DecisionListPublic], str | None]:
        rows = await self.lists.list(principal, page, batch=batch, year=year, region_code=region_code)
        items, cursor = page.page(rows, key=lambda d: [d.created_at, d.id])
        today = local_today()
        counts = {d.id: CloseOutCounts() for d in items}
        for list_id, status, deadline, count in await self.lists.item_states([d.id for d in items]):
            state = close_out_state(status, deadline, today)
            setattr(counts[list_id], state.value, getattr(counts[list_id], state.value) + count)
        return [_list_public(d, counts[d.id]) for d in items], cursor

    def _detail(
        self, decision_list: DecisionList, projects: Sequence[Project], reasons: dict[str, str], today: dt.date
    ) -> DecisionListDetail:
        counts = CloseOutCounts()
        items = []
        for position, project in enumerate(projects, start=1):
            state = close_out_state(project.status, project.deadline, today)
            setattr(counts, state.value, getattr(counts, state.value) + 1)
            items.append(
                public_view(
                    DecisionListItemPublic, project,
                    position=position,
                    project_id=project.id,
                    status_label=label_of(ProjectStatus, project.status),
                    close_out_state=state,
                    close_out_label=state.label,
                    close_out_reason=close_out_reason(project.status, reasons.get(project.id)),
                    days_left=_days_left(project.deadline, state, today),
                )
            )
        public = _list_public(decision_list, counts)
        return DecisionListDetail(**public.model_dump(), items=items)
