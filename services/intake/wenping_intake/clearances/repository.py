"""Queries of the clearances package."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..projects.models import Project
from .models import Clearance


class ClearanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest(self, project_id: str) -> Clearance | None:
        result = await self.session.exec(
            select(Clearance).where(Clearance.project_id == project_id)
            .order_by(col(Clearance.issued_at).desc(), col(Clearance.id).desc()).limit(1)
        )
        return result.first()

    async def project_by_number(self, number: str) -> Project | None:
        return (await self.session.exec(select(Project).where(Project.number == number))).first()
