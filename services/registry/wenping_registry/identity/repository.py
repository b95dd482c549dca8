"""Queries for regions, organisations and users (the only place they are written)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, or_, select

from wenping_shared import PageParams, Repository, region_prefix

from .models import ApiClient, Organization, Region, User


class RegionRepository(Repository[Region]):
    row = Region

    async def children(self, code: str) -> Sequence[Region]:
        return (await self.session.exec(select(Region).where(Region.parent_code == code).order_by(Region.code))).all()

    async def list(self, parent_code: str | None, subtree_of: str | None) -> Sequence[Region]:
        query = select(Region).order_by(Region.code)
        if parent_code is not None:
            query = query.where(Region.parent_code == parent_code)
        if subtree_of is not None:
            query = query.where(col(Region.code).startswith(region_prefix(subtree_of)))
        return (await self.session.exec(query)).all()


class OrganizationRepository(Repository[Organization]):
    row = Organization

    async def get_many(self, ids: Sequence[str]) -> Sequence[Organization]:
        if not ids:
            return []
        return (await self.session.exec(select(Organization).where(col(Organization.id).in_(ids)))).all()

    async def by_name(self, name: str) -> Organization | None:
        return (await self.session.exec(select(Organization).where(Organization.name == name))).first()

    async def list(
        self, page: PageParams, *, subtree_of: str | None, kind: str | None, region_code: str | None, q: str | None
    ) -> Sequence[Organization]:
        query = select(Organization)
        if subtree_of is not None:
            query = query.where(col(Organization.region_code).startswith(region_prefix(subtree_of)))
        if region_code is not None:
            query = query.where(col(Organization.region_code).startswith(region_prefix(region_code)))
        if kind is not None:
            query = query.where(Organization.kind == kind)
        if q:
            query = query.where(col(Organization.name).contains(q))
        return (await self.session.exec(page.from_cursor(query, col(Organization.name), col(Organization.id)))).all()

    def add(self, org: Organization) -> Organization:
        self.session.add(org)
        return org


class UserRepository(Repository[User]):
    row = User

    async def by_username(self, username: str) -> User | None:
        return (await self.session.exec(select(User).where(User.username == username))).first()

    async def list(
        self, page: PageParams, *, subtree_of: str, role: str | None, org_id: str | None, q: str | None
    ) -> Sequence[User]:
        query = select(User).where(col(User.region_code).startswith(region_prefix(subtree_of)))
        if org_id is not None:
            query = query.where(User.org_id == org_id)
        if q:
            query = query.where(or_(col(User.username).contains(q), col(User.display_name).contains(q)))
        after = page.after([col(User.username)], descending=False)
        if after is not None:
            query = query.where(after)
        rows = (await self.session.exec(query.order_by(col(User.username)).limit(page.limit + 1 if not role else 1000))).all()
        if role:  # roles is a JSON list; filter in Python over a bounded page (user lists are small)
            rows = [u for u in rows if role in u.roles][: page.limit + 1]
        return rows

    def add(self, user: User) -> User:
        self.session.add(user)
        return user


class ApiClientRepository(Repository[ApiClient]):
    row = ApiClient
