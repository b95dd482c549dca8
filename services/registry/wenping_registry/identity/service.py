"""Rules for regions, organisations and users: everything is scoped to the caller's region subtree."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    PageParams,
    Principal,
    RegionNotFound,
    UnknownRegion,
    public_view,
    region_contains,
)
from wenping_shared.contracts.vocab import label_of

from ..audit import service as audit
from ..errors import (
    DuplicateOrganizationName,
    DuplicateUsername,
    OrganizationNotFound,
    OrganizationOutsideRegion,
    UserNotFound,
    UserOrganizationNotFound,
    UserRoleOrgMismatch,
)
from ..passwords import hash_password_async
from .models import Organization, OrganizationKind, Region, User
from .repository import OrganizationRepository, RegionRepository, UserRepository
from .schemas import OrganizationCreate, OrganizationPublic, RegionDetail, RegionPublic, UserCreate, UserPublic


def sees_region(principal: Principal, region_code: str) -> bool:
    """Services see everything; everyone else their own region and below, never a sibling or parent."""
    if principal.kind == "service":
        return True
    return principal.region_code is not None and region_contains(principal.region_code, region_code)


def organization_public(org: Organization) -> OrganizationPublic:
    return public_view(OrganizationPublic, org, kind_label=label_of(OrganizationKind, org.kind))


def user_public(user: User, org: Organization | None = None) -> UserPublic:
    return public_view(UserPublic, user, org_name=org.name if org else None)


def region_public(region: Region) -> RegionPublic:
    return public_view(RegionPublic, region)


class IdentityService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.regions = RegionRepository(session)
        self.organizations = OrganizationRepository(session)
        self.users = UserRepository(session)

    async def list_regions(self, principal: Principal, parent_code: str | None) -> list[RegionPublic]:
        # The region tree itself is reference data (GB/T 2260 is public): every caller may read it.
        return [region_public(r) for r in await self.regions.list(parent_code, None)]

    async def region_detail(self, code: str) -> RegionDetail:
        region = await self.regions.get(code)
        if region is None:
            raise RegionNotFound(f"行政区划 {code} 不存在")
        children = await self.regions.children(code)
        return RegionDetail(**region_public(region).model_dump(), children=[region_public(c) for c in children])

    async def visible_organization(self, principal: Principal, org_id: str) -> Organization:
        org = await self.organizations.get(org_id)
        if org is None or not sees_region(principal, org.region_code):
            raise OrganizationNotFound()
        return org

    async def list_organizations(
        self, principal: Principal, page: PageParams, *, kind: str | None, region_code: str | None, q: str | None
    ) -> Sequence[Organization]:
        subtree = None if principal.kind == "service" else principal.region_code
        if subtree is None and principal.kind != "service":
            return []
        return await self.organizations.list(page, subtree_of=subtree, kind=kind, region_code=region_code, q=q)

    async def create_organization(self, principal: Principal, data: OrganizationCreate) -> Organization:
        region = await self.regions.get(data.region_code)
        if region is None:
            raise UnknownRegion(f"行政区划 {data.region_code} 不存在")
        if not sees_region(principal, data.region_code):
            raise OrganizationOutsideRegion()
        if await self.organizations.by_name(data.name) is not None:
            raise DuplicateOrganizationName(f"单位“{data.name}”已存在")
        org = self.organizations.add(
            Organization(name=data.name, kind=data.kind.value, region_code=data.region_code, created_by=principal.subject)
        )
        audit.record(self.session, principal, "organization.create", "organization", org.id,
                     region_code=org.region_code, changes=data.model_dump(mode="json"))
        return org

    async def create_user(self, principal: Principal, data: UserCreate) -> tuple[User, Organization]:
        org = await self.organizations.get(data.org_id)
        if org is None or not sees_region(principal, org.region_code):
            raise UserOrganizationNotFound()
        if await self.users.by_username(data.username) is not None:
            raise DuplicateUsername(f"登录名“{data.username}”已被使用")
        roles = [r.value for r in data.roles]
        if "agency" in roles and org.kind != "agency":
            raise UserRoleOrgMismatch()
        user = self.users.add(
            User(
                username=data.username,
                display_name=data.display_name,
                password_hash=await hash_password_async(data.password),
                roles=roles,
                org_id=org.id,
                region_code=org.region_code,
                created_by=principal.subject,
            )
        )
        audit.record(self.session, principal, "user.create", "user", user.id, region_code=user.region_code,
                     changes={"username": user.username, "roles": roles, "org_id": org.id})
        return user, org

    async def list_users(
        self, principal: Principal, page: PageParams, *, role: str | None, org_id: str | None, q: str | None
    ) -> Sequence[User]:
        assert principal.region_code is not None
        return await self.users.list(page, subtree_of=principal.region_code, role=role, org_id=org_id, q=q)

    async def me(self, principal: Principal) -> tuple[User, Organization | None]:
        user = await self.users.get(principal.subject) if principal.kind == "user" else None
        if user is None:
            raise UserNotFound()
        return user, await self.organizations.get(user.org_id)
