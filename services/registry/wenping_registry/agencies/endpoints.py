from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from wenping_shared import Page, PageParamsDep, Principal, check_if_match, etag_for, run_idempotent
from wenping_shared.contracts import messages
from wenping_shared.contracts.vocab import AgencyGrade, AgencyStatus, ProjectLevel

from ..audit.service import refusals_audited
from ..database import IdempotencyRecord
from ..deps import AdminPrincipal, CurrentPrincipal, ReviewService, SessionDep, SessionmakerDep, SettingsDep
from .models import Agency
from .schemas import (
    AgencyCreate,
    AgencyPublic,
    AgencyUpdate,
    GradingCreate,
    GradingPublic,
    MisconductCreate,
    MisconductPublic,
    PerformanceCreate,
    PerformancePublic,
    PractitionerCreate,
    PractitionerPublic,
)
from .service import AgencyService, performance_public

Body = TypeVar("Body", bound=BaseModel)


class AgencyAdmin:
    """An admin changing one agency: the change (an AgencyService step given the admin, the agency
    and the request's body) runs once per Idempotency-Key, on the agency as the admin may touch it
    (``managed``; ``visible`` where any admin of its province may act), and a refusal is audited
    under ``action``."""

    #: The OpenAPI document declares the Idempotency-Key header on the routes that depend on it.
    idempotent = True

    def __init__(
        self, request: Request, session: SessionDep, sessionmaker: SessionmakerDep, principal: AdminPrincipal,
        settings: SettingsDep,
    ) -> None:
        self.request, self.session, self.sessionmaker = request, session, sessionmaker
        self.principal, self.settings = principal, settings

    async def change(
        self, agency_id: str, action: str, change: Callable[[AgencyService, Principal, Agency, Body], Awaitable[BaseModel]],
        data: Body, *, visible_is_enough: bool = False,
    ) -> Response:
        async def work() -> BaseModel:
            service = AgencyService(self.session, self.settings)
            async with refusals_audited(self.session, self.sessionmaker, self.principal, action, "agency", agency_id):
                find = service.visible if visible_is_enough else service.managed
                return await change(service, self.principal, await find(self.principal, agency_id), data)

        return await run_idempotent(self.request, self.session, self.principal, IdempotencyRecord, work)


AgencyAdminDep = Annotated[AgencyAdmin, Depends()]


class AgencyReader:
    """A caller reading what belongs to one agency it may see."""

    def __init__(self, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep) -> None:
        self.service, self.principal = AgencyService(session, settings), principal

    async def agency(self, agency_id: str) -> Agency:
        return await self.service.visible(self.principal, agency_id)


AgencyReaderDep = Annotated[AgencyReader, Depends()]


router = APIRouter(prefix="/api/v1", tags=["agencies"])


@router.get("/agencies", response_model=Page[AgencyPublic], summary="第三方稳评机构列表（本省）")
async def list_agencies(
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    page: PageParamsDep,
    status: AgencyStatus | None = None,
    grade: Annotated[AgencyGrade | None, Query(description="现行等级")] = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="所在地区（含下级）")] = None,
    q: Annotated[str | None, Query(max_length=100, description="名称或信用代码关键字")] = None,
) -> Page[AgencyPublic]:
    service = AgencyService(session, settings)
    rows = await service.list_agencies(principal, page, status=status.value if status else None,
                              grade=grade.value if grade else None, region_code=region_code, q=q)
    items, cursor = page.page(rows, key=lambda a: [a.name, a.id])
    return Page(items=await service.public_many(items), next_cursor=cursor)


@router.post("/agencies", response_model=AgencyPublic, status_code=201, summary="登记机构（管理员，本辖区）")
async def create_agency(
    request: Request, data: AgencyCreate, session: SessionDep, sessionmaker: SessionmakerDep,
    principal: AdminPrincipal, settings: SettingsDep,
) -> Response:
    async def work() -> AgencyPublic:
        service = AgencyService(session, settings)
        async with refusals_audited(session, sessionmaker, principal, "agency.create", "agency", None, data.region_code):
            agency = await service.create(principal, data)
        return await service.public(agency)

    return await run_idempotent(request, session, principal, IdempotencyRecord, work,
                                headers=lambda a: {"ETag": etag_for(a.version)})


@router.get("/agencies/{agency_id}", response_model=AgencyPublic, summary="机构详情（等级、备案、业绩）")
async def get_agency(
    agency_id: str, response: Response, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> AgencyPublic:
    service = AgencyService(session, settings)
    agency = await service.visible(principal, agency_id)
    response.headers["ETag"] = etag_for(agency.version)
    return await service.public(agency)


@router.patch("/agencies/{agency_id}", response_model=AgencyPublic, summary="修改机构（管理员，须 If-Match）")
async def update_agency(
    agency_id: str, data: AgencyUpdate, request: Request, response: Response,
    session: SessionDep, sessionmaker: SessionmakerDep, principal: AdminPrincipal, settings: SettingsDep,
) -> AgencyPublic:
    service = AgencyService(session, settings)
    async with refusals_audited(session, sessionmaker, principal, "agency.update", "agency", agency_id):
        agency = await service.managed(principal, agency_id)
        check_if_match(request, etag_for(agency.version))
        agency = await service.update(principal, agency, data)
    response.headers["ETag"] = etag_for(agency.version)
    return await service.public(agency)


@router.post("/agencies/{agency_id}/gradings", response_model=GradingPublic, status_code=201,
             summary="等级评定（A-D，有效期与评定依据）")
async def create_grading(agency_id: str, data: GradingCreate, admin: AgencyAdminDep) -> Response:
    return await admin.change(agency_id, "agency.grade", AgencyService.grade, data)


@router.get("/agencies/{agency_id}/gradings", response_model=list[GradingPublic], summary="等级评定记录")
async def list_gradings(agency_id: str, reader: AgencyReaderDep) -> list[GradingPublic]:
    return await reader.service.gradings(await reader.agency(agency_id))


@router.get("/agencies/{agency_id}/eligibility", response_model=messages.EligibilityAnswer, summary="承接资格判断")
async def agency_eligibility(
    agency_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    project_level: Annotated[ProjectLevel, Query(description="项目层级：county 县级、city 市级、province 省级")],
    on: Annotated[dt.date | None, Query(description="判断日期，默认今天")] = None,
    project_region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="项目所在地区（判断本省备案与不良记录）")] = None,
) -> messages.EligibilityAnswer:
    service = AgencyService(session, settings)
    agency = await service.visible(principal, agency_id)
    return await service.eligibility(agency, project_level, on, project_region_code)


@router.get("/agencies/{agency_id}/practitioners", response_model=list[PractitionerPublic], summary="从业人员及证书")
async def list_practitioners(agency_id: str, reader: AgencyReaderDep) -> list[PractitionerPublic]:
    return await reader.service.practitioners(await reader.agency(agency_id))


@router.post("/agencies/{agency_id}/practitioners", response_model=PractitionerPublic, status_code=201,
             summary="登记从业人员（含资格证书）")
async def create_practitioner(agency_id: str, data: PractitionerCreate, admin: AgencyAdminDep) -> Response:
    return await admin.change(agency_id, "agency.practitioner.create", AgencyService.add_practitioner, data)


@router.get("/agencies/{agency_id}/misconduct", response_model=list[MisconductPublic], summary="不良行为记录")
async def list_misconduct(agency_id: str, reader: AgencyReaderDep) -> list[MisconductPublic]:
    return await reader.service.misconduct(await reader.agency(agency_id))


@router.post("/agencies/{agency_id}/misconduct", response_model=MisconductPublic, status_code=201,
             summary="登记不良行为（全省范围内限制承接）")
async def create_misconduct(agency_id: str, data: MisconductCreate, admin: AgencyAdminDep) -> Response:
    # Any admin of the agency's province may record what happened in their own subtree.
    return await admin.change(
        agency_id, "agency.misconduct.create", AgencyService.record_misconduct, data, visible_is_enough=True
    )


@router.post("/agencies/{agency_id}/performance", response_model=PerformancePublic, status_code=201,
             summary="审查结果回流（仅审查服务；按 review_id 幂等）",
             responses={200: {"model": PerformancePublic, "description": "同一 review_id 已记录，未作改变"}})
async def record_performance(
    agency_id: str, data: PerformanceCreate, session: SessionDep, principal: ReviewService, settings: SettingsDep
) -> JSONResponse:
    service = AgencyService(session, settings)
    agency = await service.visible(principal, agency_id)
    record, created = await service.record_performance(principal, agency, data)
    return JSONResponse(performance_public(record).model_dump(mode="json"), status_code=201 if created else 200)
