"""Report rounds, review events and return reasons."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import ReportRound, ReviewEvent


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def rounds(self, project_id: str) -> Sequence[ReportRound]:
        result = await self.session.exec(
            select(ReportRound).where(col(ReportRound.project_id) == project_id).order_by(col(ReportRound.round))
        )
        return result.all()

    async def round(self, project_id: str, number: int) -> ReportRound | None:
        result = await self.session.exec(
            select(ReportRound).where(col(ReportRound.project_id) == project_id, col(ReportRound.round) == number)
        )
        return result.first()

    async def event(self, review_id: str, event: str) -> ReviewEvent | None:
        result = await self.session.exec(
            select(ReviewEvent).where(col(ReviewEvent.review_id) == review_id, col(ReviewEvent.event) == event)
        )
        return result.first()
