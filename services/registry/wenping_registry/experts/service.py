"""Rules for the expert pool: region-subtree scoping, personal data, and audited changes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    PageParams,
    Principal,
    UnknownRegion,
    public_view,
    region_contains,
    utcnow,
)
from wenping_shared.contracts.vocab import ExpertField, ExpertStatus, label_of

from ..audit import service as audit
from ..errors import (
    DuplicateIdNumber,
    EmployerNotFound,
    EmployerRequired,
    ExpertManageForbidden,
    ExpertNotFound,
    ExpertOutsideRegion,
    ExpertUserNotFound,
    InvalidImport,
    InvalidTerm,
    UserAlreadyLinked,
    UserNotExpert,
)
from ..identity.access import administered, manages_region
from ..identity.models import Organization
from ..identity.repository import OrganizationRepository, RegionRepository, UserRepository
from ..identity.service import sees_region
from . import xlsx
from .models import Expert, new_id
from .repository import ExpertFilters, ExpertRepository
from .schemas import ExpertContact, ExpertCreate, ExpertDetail, ExpertPublic, ExpertUpdate, ParticipationEntry

PERSONAL_FIELDS = frozenset({"phone", "email", "id_number"})


def sees_expert(principal: Principal, expert: Expert) -> bool:
    return sees_region(principal, expert.region_code)


def sees_personal_data(principal: Principal, expert: Expert) -> bool:
    """Contact details and ID numbers: admins and reviewers of the expert's region subtree only
    (never services, integration clients, filers, supervisors, agencies or experts)."""
    return (
        principal.kind == "user"
        and principal.has_role("admin", "reviewer")
        and principal.region_code is not None
        and region_contains(principal.region_code, expert.region_code)
    )


def expert_public(expert: Expert, principal: Principal) -> ExpertPublic:
    return public_view(ExpertPublic, expert, **_derived_fields(expert, principal))


def _derived_fields(expert: Expert, principal: Principal) -> dict[str, Any]:
    """What an expert's public view adds to the row's own columns: labels, and the contact details
    for whom may read them."""
    return {
        "field_labels": [label_of(ExpertField, f) for f in expert.fields],
        "status_label": label_of(ExpertStatus, expert.status),
        "contact": public_view(ExpertContact, expert) if sees_personal_data(principal, expert) else None,
    }


def _audit_value(name: str, value: Any) -> Any:
    # The audit trail says that personal data changed, never what it is.
    if name in PERSONAL_FIELDS:
        return "（已修改）" if value else None
    if isinstance(value, list):
        return [str(v) for v in value]
    return value if value is None or isinstance(value, str | int | bool) else str(value)


class ExpertService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.experts = ExpertRepository(session)
        self.regions = RegionRepository(session)
        self.organizations = OrganizationRepository(session)
        self.users = UserRepository(session)

    async def visible(self, principal: Principal, expert_id: str) -> Expert:
        expert = await self.experts.get(expert_id)
        if expert is None or not sees_expert(principal, expert):
            raise ExpertNotFound()
        return expert

    async def managed(self, principal: Principal, expert_id: str) -> Expert:
        return administered(principal, await self.visible(principal, expert_id), ExpertManageForbidden)

    def filters_for(self, principal: Principal, **given: Any) -> ExpertFilters | None:
        """The caller's filters confined to what it may see; None when it may see nothing."""
        if principal.kind == "service":
            return ExpertFilters(subtree_of=None, **given)
        if principal.region_code is None:
            return None
        return ExpertFilters(subtree_of=principal.region_code, **given)

    async def list_experts(self, principal: Principal, page: PageParams, **given: Any) -> Sequence[Expert]:
        filters = self.filters_for(principal, **given)
        return [] if filters is None else await self.experts.page_of(page, filters)

    async def detail(self, principal: Principal, expert: Expert, year: int) -> ExpertDetail:
        this_year, total = await self.experts.draw_counts(expert.id, year)
        history = await self.experts.participation(expert.id)
        return public_view(
            ExpertDetail,
            expert,
            **_derived_fields(expert, principal),
            draws_this_year=this_year,
            draws_total=total,
            participation=[
                public_view(
                    ParticipationEntry,
                    draw,
                    draw_id=draw.id,
                    drawn_at=selection.drawn_at,
                    declined_at=selection.declined_at,
                )
                for selection, draw in history
            ],
        )

    async def check_region(self, principal: Principal, region_code: str) -> None:
        if await self.regions.get(region_code) is None:
            raise UnknownRegion(f"行政区划 {region_code} 不存在")
        if not manages_region(principal, region_code):
            raise ExpertOutsideRegion()

    async def employer(self, principal: Principal, org_id: str) -> Organization:
        org = await self.organizations.get(org_id)
        if org is None or not sees_region(principal, org.region_code):
            raise EmployerNotFound()
        return org

    async def check_user(self, principal: Principal, user_id: str, expert_id: str | None = None) -> None:
        user = await self.users.get(user_id)
        if user is None or not sees_region(principal, user.region_code):
            raise ExpertUserNotFound()
        if "expert" not in user.roles:
            raise UserNotExpert()
        linked = await self.experts.by_user_id(user_id)
        if linked is not None and linked.id != expert_id:
            raise UserAlreadyLinked()

    async def create(self, principal: Principal, data: ExpertCreate) -> Expert:
        await self.check_region(principal, data.region_code)
        employer_name = data.employer_name
        if data.employer_org_id:
            # The platform's name wins: avoidance matches the organisation, so the name must too.
            employer_name = (await self.employer(principal, data.employer_org_id)).name
        if data.id_number and await self.experts.by_id_numbers([data.id_number]):
            raise DuplicateIdNumber()
        if data.user_id:
            await self.check_user(principal, data.user_id)
        assert employer_name is not None  # the schema requires one of the two
        expert = await self.experts.add(
            Expert.model_validate(data, update={"employer_name": employer_name, "created_by": principal.subject})
        )
        changes = {k: _audit_value(k, v) for k, v in data.model_dump(mode="json").items() if v is not None}
        audit.record(
            self.session,
            principal,
            "expert.create",
            "expert",
            expert.id,
            region_code=expert.region_code,
            changes=changes,
        )
        return expert

    async def update(self, principal: Principal, expert: Expert, data: ExpertUpdate) -> Expert:
        given = data.model_dump(exclude_unset=True)
        if "region_code" in given:
            await self.check_region(principal, given["region_code"])
        if given.get("employer_org_id"):
            org = await self.employer(principal, given["employer_org_id"])
            given["employer_name"] = org.name
        if given.get("id_number") and given["id_number"] != expert.id_number:
            if await self.experts.by_id_numbers([given["id_number"]]):
                raise DuplicateIdNumber()
        if "employer_name" in given and given["employer_name"] is None:
            raise EmployerRequired()
        start = given.get("term_start", expert.term_start)
        end = given.get("term_end", expert.term_end)
        if start and end and end < start:
            raise InvalidTerm()

        changes: dict[str, Any] = {}
        for name, value in given.items():
            if name == "fields":
                value = [str(f) for f in value]
            elif name == "status" and value is not None:
                value = str(value)
            if getattr(expert, name) != value:
                changes[name] = {"from": _audit_value(name, getattr(expert, name)), "to": _audit_value(name, value)}
                setattr(expert, name, value)
        if "fields" in changes:
            await self.experts.replace_fields(expert, expert.fields)
        if changes:
            expert.version += 1
            expert.updated_at = utcnow()
            self.session.add(expert)
            audit.record(
                self.session,
                principal,
                "expert.update",
                "expert",
                expert.id,
                region_code=expert.region_code,
                changes=changes,
            )
        return expert


class ExpertImportResult(BaseModel):
    created: int
    updated: int
    expert_ids: list[str]


class ExpertSpreadsheets:
    """Import (all or nothing) and export of the expert spreadsheet (layout: experts/xlsx.py)."""

    def __init__(self, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.session = session
        self.sessionmaker = sessionmaker
        self.experts = ExpertRepository(session)
        self.regions = RegionRepository(session)
        self.organizations = OrganizationRepository(session)

    async def import_file(self, principal: Principal, data: bytes, filename: str | None, today: dt.date) -> ExpertImportResult:
        assert principal.region_code is not None
        organizations = await self.experts.organization_lookup(principal.region_code)
        region_codes = {r.code for r in await self.regions.list(None, None)}
        parsed = await asyncio.to_thread(
            xlsx.parse_import, data, organizations=organizations, known_region_codes=region_codes, today=today
        )
        problems = list(parsed.errors)
        existing: dict[str, Expert] = {}
        if parsed.ok:
            for row in parsed.rows:
                if not region_contains(principal.region_code, row.region_code):
                    problems.append(xlsx.SheetProblem(
                        row=row.row_number, column=xlsx.H_REGION, message=f"所属地区 {row.region_code} 不在本辖区内"
                    ))
            found = await self.experts.by_id_numbers([r.id_number for r in parsed.rows if r.id_number])
            existing = {e.id_number: e for e in found if e.id_number}
            for row in parsed.rows:
                other = existing.get(row.id_number or "")
                if other is not None and not manages_region(principal, other.region_code):
                    problems.append(xlsx.SheetProblem(
                        row=row.row_number, column=xlsx.H_ID, message="该身份证号的专家已在其他辖区的专家库中，不能在此导入"
                    ))
        if problems:
            await audit.record_refusal(self.session, self.sessionmaker, principal, "expert.import", "expert", None,
                                       region_code=principal.region_code, result="failed",
                                       changes={"filename": filename, "errors": len(problems)})
            shown = sorted(problems, key=lambda p: (p.row or 0))
            rows = sorted({p.row for p in problems if p.row is not None})
            where = f"第 {'、'.join(str(r) for r in rows[:10])}{' 等' if len(rows) > 10 else ''} 行有错误" if rows else "文件有错误"
            raise InvalidImport(
                f"导入失败：{where}，未导入任何专家，请修改后重新导入",
                errors=[{"row": p.row, "column": p.column, "message": p.message} for p in shown],
            )

        created, updated, ids = 0, 0, []
        new_experts: list[dict[str, Any]] = []
        now = utcnow()
        for row in parsed.rows:
            values: dict[str, Any] = {
                "name": row.name,
                "fields": sorted(f.value for f in row.fields),
                "title": row.title,
                "employer_org_id": row.employer_org_id,
                "employer_name": row.employer_name or "（无工作单位）",
                "region_code": row.region_code,
                "phone": row.phone,
                "id_number": row.id_number,
                "term_start": row.term_start,
                "term_end": row.term_end,
                "status": row.status.value,
            }
            expert = existing.get(row.id_number or "")
            if expert is None:
                # Plain rows, not entities: thousands of ORM objects cost seconds to build.
                new_experts.append({**values, "id": new_id(), "version": 1, "created_at": now, "updated_at": now,
                                    "created_by": principal.subject})
                ids.append(new_experts[-1]["id"])
                created += 1
                continue
            fields_changed = expert.fields != values["fields"]
            for name, value in values.items():
                setattr(expert, name, value)
            if fields_changed:
                await self.experts.replace_fields(expert, expert.fields)
            expert.version += 1
            expert.updated_at = now
            self.session.add(expert)
            updated += 1
            ids.append(expert.id)
        await self.experts.add_many(new_experts)  # two round trips, not two per row
        audit.record(self.session, principal, "expert.import", "expert", None, region_code=principal.region_code,
                     changes={"filename": filename, "created": created, "updated": updated, "expert_ids": ids})
        return ExpertImportResult(created=created, updated=updated, expert_ids=ids)

    async def region_names(self) -> dict[str, str]:
        """code -> name, shown beside each expert's region code in the export."""
        return {r.code: r.name for r in await self.regions.list(None, None)}

    async def export_rows(self, filters: ExpertFilters, batch_size: int = 500) -> list[xlsx.ExpertSheetRow]:
        rows: list[xlsx.ExpertSheetRow] = []
        after: tuple[str, str] | None = None
        while True:
            batch = await self.experts.batch(filters, after, batch_size)
            rows.extend(_sheet_row(e) for e in batch)
            if len(batch) < batch_size:
                return rows
            after = (batch[-1].name, batch[-1].id)


def _sheet_row(expert: Expert) -> xlsx.ExpertSheetRow:
    return public_view(xlsx.ExpertSheetRow, expert)
