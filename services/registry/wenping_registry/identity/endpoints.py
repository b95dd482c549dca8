from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wenping_shared import Page, PageParamsDep

from ..deps import AdminPrincipal, CurrentPrincipal, PeerService, SessionDep, SettingsDep
from .external import ExternalIdentityIn, ExternalIdentityLinked, ExternalIdentityService
from .models import OrganizationKind, Role
from .schemas import Me, OrganizationCreate, OrganizationPublic, RegionDetail, RegionPublic, UserCreate, UserPublic
from .service import IdentityService, organization_public, user_public

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.get("/regions", response_model=list[RegionPublic], summary="行政区划列表")
async def list_regions(
    session: SessionDep,
    principal: CurrentPrincipal,
    parent_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="只列出该区划的下级")] = None,
) -> list[RegionPublic]:
    return await IdentityService(session).list_regions(principal, parent_code)


@router.get("/regions/{code}", response_model=RegionDetail, summary="行政区划及其下级")
async def get_region(code: str, session: SessionDep, principal: CurrentPrincipal) -> RegionDetail:
    return await IdentityService(session).region_detail(code)


@router.get("/organizations", response_model=Page[OrganizationPublic], summary="本辖区单位列表")
async def list_organizations(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: PageParamsDep,
    kind: OrganizationKind | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="含下级区划")] = None,
    q: Annotated[str | None, Query(max_length=100, description="名称关键字")] = None,
) -> Page[OrganizationPublic]:
    rows = await IdentityService(session).list_organizations(
        principal, page, kind=kind.value if kind else None, region_code=region_code, q=q
    )
    items, cursor = page.page(rows, key=lambda o: [o.name, o.id])
    return Page(items=[organization_public(o) for o in items], next_cursor=cursor)


@router.get("/organizations/{org_id}", response_model=OrganizationPublic, summary="单位详情")
async def get_organization(org_id: str, session: SessionDep, principal: CurrentPrincipal) -> OrganizationPublic:
    return organization_public(await IdentityService(session).visible_organization(principal, org_id))


@router.post("/organizations", response_model=OrganizationPublic, status_code=201, summary="创建单位（管理员，本辖区）")
async def create_organization(data: OrganizationCreate, session: SessionDep, principal: AdminPrincipal) -> OrganizationPublic:
    return organization_public(await IdentityService(session).create_organization(principal, data))


@router.get("/users/me", response_model=Me, summary="当前用户")
async def me(session: SessionDep, principal: CurrentPrincipal) -> Me:
    user, org = await IdentityService(session).me(principal)
    aud = principal.claims.get("aud", [])
    return Me(**user_public(user, org).model_dump(), audience=aud if isinstance(aud, list) else [aud],
              scope=" ".join(sorted(principal.scopes)))


@router.get("/users", response_model=Page[UserPublic], summary="本辖区用户列表（管理员）")
async def list_users(
    session: SessionDep,
    principal: AdminPrincipal,
    page: PageParamsDep,
    role: Role | None = None,
    org_id: str | None = None,
    q: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[UserPublic]:
    rows = await IdentityService(session).list_users(principal, page, role=role.value if role else None, org_id=org_id, q=q)
    items, cursor = page.page(rows, key=lambda u: [u.username])
    return Page(items=[user_public(u) for u in items], next_cursor=cursor)


@router.post("/users", response_model=UserPublic, status_code=201, summary="创建用户（管理员，本辖区）")
async def create_user(data: UserCreate, session: SessionDep, principal: AdminPrincipal) -> UserPublic:
    user, org = await IdentityService(session).create_user(principal, data)
    return user_public(user, org)


@router.post(
    "/external-identities",
    response_model=ExternalIdentityLinked,
    summary="关联外部身份与本地用户（系统服务）",
    description=(
        "受理、审查服务在验证受信任外部签发者（配置 external_issuers）的令牌后调用：按签发者与主体找到或新建本地用户，"
        "角色、单位、行政区划随映射更新；首次关联与映射变化记入审计（操作人为该本地用户）。"
    ),
    responses={400: {"description": "签发者不受信任，或映射的单位/角色不存在"}, 403: {"description": "非系统服务"}},
)
async def link_external_identity(
    data: ExternalIdentityIn, session: SessionDep, settings: SettingsDep, principal: PeerService
) -> ExternalIdentityLinked:
    return await ExternalIdentityService(session, settings.external_issuers).link(principal, data)
