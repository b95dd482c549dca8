"""Resolving a region's review configuration: the newest version of the nearest region in the
chain county -> city -> province that has one, merged over the defaults of domain.md. The
nearest region's version applies whole (it does not stack on its ancestors'), so what a region
stored is exactly what its reviews use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, RegionNotFound, region_contains, validation_problem

from ..checklist import DEFAULT_CONFIG, RegionReviewConfig
from ..errors import OutsideJurisdiction, RegionConfigRoleRequired
from ..sources import MISSING, TTLCache
from .models import RegionConfigVersion
from .repository import RegionConfigRepository

#: A precheck resolves the configuration from this cache; a review always reads the database.
RESOLVED_TTL = 5.0


@dataclass(frozen=True, slots=True)
class ResolvedConfig:
    config: RegionReviewConfig
    source_region_code: str | None  # None: the defaults
    version: int | None
    overrides: dict[str, Any]

    def source(self) -> dict[str, Any]:
        return {"region_code": self.source_region_code, "version": self.version}


def resolve(row: RegionConfigVersion | None, region_code: str) -> ResolvedConfig:
    if row is None:
        return ResolvedConfig(DEFAULT_CONFIG.model_copy(update={"region_code": region_code}), None, None, {})
    config = DEFAULT_CONFIG.with_overrides({**row.overrides, "region_code": region_code})
    return ResolvedConfig(config, row.region_code, row.version, dict(row.overrides))


def validated_overrides(overrides: dict[str, Any]) -> RegionReviewConfig:
    if "region_code" in overrides:
        raise validation_problem(
            [{"loc": ("body", "overrides", "region_code"), "type": "value_error", "ctx": {"error": "地区由路径指定，不可在配置中设置"}}]
        )
    try:
        return DEFAULT_CONFIG.with_overrides(overrides)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", "overrides", *e["loc"])} for e in exc.errors()]
        raise validation_problem(errors) from None


def _check_visible(principal: Principal, region_code: str) -> None:
    # domain.md: a region outside the caller's subtree answers 404, as if it did not exist.
    if principal.kind == "service":
        return
    if not principal.region_code or not region_contains(principal.region_code, region_code):
        raise RegionNotFound()


class RegionConfigService:
    def __init__(self, session: AsyncSession) -> None:
        self.repo = RegionConfigRepository(session)

    async def effective(self, region_code: str) -> ResolvedConfig:
        return resolve(await self.repo.latest_for_chain(region_code), region_code)

    async def read(self, principal: Principal, region_code: str) -> ResolvedConfig:
        _check_visible(principal, region_code)
        return await self.effective(region_code)

    async def versions(self, principal: Principal, region_code: str) -> list[RegionConfigVersion]:
        _check_visible(principal, region_code)
        return list(await self.repo.versions(region_code))

    async def store(
        self, principal: Principal, region_code: str, overrides: dict[str, Any], comment: str | None
    ) -> RegionConfigVersion:
        if not principal.has_role("admin", "supervisor"):
            raise RegionConfigRoleRequired()
        if not principal.region_code or not region_contains(principal.region_code, region_code):
            raise OutsideJurisdiction()
        validated_overrides(overrides)
        version = await self.repo.latest_version_number(region_code) + 1
        row = RegionConfigVersion(
            region_code=region_code, version=version, overrides=overrides, comment=comment, created_by=principal.subject
        )
        self.repo.add(row)
        await self.repo.session.flush()
        return row


class RegionConfigCache:
    """Resolved configurations for prechecks, briefly cached; a PUT on this process clears it."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._cache: TTLCache[ResolvedConfig] = TTLCache(RESOLVED_TTL, max_entries=4096)

    async def get(self, region_code: str) -> ResolvedConfig:
        hit = self._cache.get(region_code)
        if hit is not MISSING:
            return hit
        async with self._sessionmaker() as session:
            resolved = await RegionConfigService(session).effective(region_code)
            await session.rollback()
        self._cache.put(region_code, resolved)
        return resolved

    def clear(self) -> None:
        self._cache.clear()
