from __future__ import annotations

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import RegionConfigVersion


def ancestors(region_code: str) -> list[str]:
    """The region itself, then its city, then its province (GB/T 2260), nearest first."""
    chain = [region_code, region_code[:4] + "00", region_code[:2] + "0000"]
    return list(dict.fromkeys(chain))


class RegionConfigRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest_for_chain(self, region_code: str) -> RegionConfigVersion | None:
        """The newest version of the nearest region (itself or an ancestor) that has one."""
        chain = ancestors(region_code)
        rows = (
            await self.session.exec(
                select(RegionConfigVersion)
                .where(col(RegionConfigVersion.region_code).in_(chain))
                .order_by(col(RegionConfigVersion.version).desc())
            )
        ).all()
        best: dict[str, RegionConfigVersion] = {}
        for row in rows:
            best.setdefault(row.region_code, row)
        for code in chain:
            if code in best:
                return best[code]
        return None

    async def latest_version_number(self, region_code: str) -> int:
        value = (
            await self.session.exec(
                select(func.max(RegionConfigVersion.version)).where(RegionConfigVersion.region_code == region_code)
            )
        ).one()
        return int(value or 0)

    async def versions(self, region_code: str) -> list[RegionConfigVersion]:
        return list(
            (
                await self.session.exec(
                    select(RegionConfigVersion)
                    .where(RegionConfigVersion.region_code == region_code)
                    .order_by(col(RegionConfigVersion.version).desc())
                )
            ).all()
        )

    def add(self, row: RegionConfigVersion) -> None:
        self.session.add(row)
