"""Target queries, the completed-assessment counts behind progress, and the oversight audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, current_request_id

from ..projects.access import in_region_subtree
from ..projects.models import Project
from .models import AssessmentTarget, OversightChange


def scope_key(year: int, region_code: str, org_id: str | None, category: str | None) -> str:
    return f"{year}|{region_code}|{org_id or '*'}|{category or '*'}"


class TargetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_key(self, key: str) -> AssessmentTarget | None:
        query = select(AssessmentTarget).where(col(AssessmentTarget.scope_key) == key)
        return (await self.session.exec(query)).first()

    async def of_subtree(self, year: int, region_code: str, org_id: str | None = None) -> Sequence[AssessmentTarget]:
        query = select(AssessmentTarget).where(
            col(AssessmentTarget.year) == year, in_region_subtree(col(AssessmentTarget.region_code), region_code)
        )
        if org_id is not None:
            query = query.where(col(AssessmentTarget.org_id) == org_id)
        query = query.order_by(col(AssessmentTarget.region_code), col(AssessmentTarget.org_id), col(AssessmentTarget.category))
        return (await self.session.exec(query)).all()

    async def completed(self, year: int, region_code: str) -> Sequence[Any]:
        """(responsible org, region, category, count) of the subtree's projects whose assessment was
        approved in the year: one GROUP BY, folded per target by the service."""
        query = (
            select(col(Project.responsible_org_id), col(Project.region_code), col(Project.category), func.count())
            .where(
                in_region_subtree(col(Project.region_code), region_code),
                col(Project.approved_on) >= dt.date(year, 1, 1),
                col(Project.approved_on) <= dt.date(year, 12, 31),
            )
            .group_by(col(Project.responsible_org_id), col(Project.region_code), col(Project.category))
        )
        return (await self.session.exec(query)).all()

    async def record_change(
        self, principal: Principal, area: str, object_id: str, action: str, details: dict[str, Any]
    ) -> None:
        self.session.add(
            OversightChange(
                area=area,
                object_id=object_id,
                action=action,
                actor=principal.subject,
                actor_region_code=principal.region_code,
                details=details,
                request_id=current_request_id(),
            )
        )

    async def changes(self, area: str, object_id: str) -> Sequence[OversightChange]:
        query = (
            select(OversightChange)
            .where(col(OversightChange.area) == area, col(OversightChange.object_id) == object_id)
            .order_by(col(OversightChange.at))
        )
        return (await self.session.exec(query)).all()
