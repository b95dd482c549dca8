"""Tracking and evaluation queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import PageParams
from wenping_shared.contracts.vocab import ReviewVerdict

from ..reports.models import ReportRound
from .models import EffectEvaluation, Incident, TrackedMeasure, TrackingRecord


class TrackingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def approved_report(self, project_id: str) -> dict[str, Any] | None:
        """The structured report of the project's latest approved round."""
        query = (
            select(ReportRound)
            .where(col(ReportRound.project_id) == project_id, col(ReportRound.verdict) == ReviewVerdict.approved)
            .order_by(col(ReportRound.round).desc())
            .limit(1)
        )
        row = (await self.session.exec(query)).first()
        return dict(row.report or {}) if row is not None else None

    async def measures(self, project_id: str) -> Sequence[TrackedMeasure]:
        query = select(TrackedMeasure).where(col(TrackedMeasure.project_id) == project_id).order_by(
            col(TrackedMeasure.measure_index).is_(None), col(TrackedMeasure.measure_index), col(TrackedMeasure.created_at)
        )
        return (await self.session.exec(query)).all()

    async def records(self, project_id: str, page: PageParams) -> Sequence[TrackingRecord]:
        query = select(TrackingRecord).where(col(TrackingRecord.project_id) == project_id)
        return (await self.session.exec(page.newest_first(query, col(TrackingRecord.recorded_at), col(TrackingRecord.id)))).all()

    async def evaluation(self, project_id: str) -> EffectEvaluation | None:
        query = select(EffectEvaluation).where(col(EffectEvaluation.project_id) == project_id)
        return (await self.session.exec(query)).first()

    async def incidents(self, project_id: str, page: PageParams) -> Sequence[Incident]:
        query = select(Incident).where(col(Incident.project_id) == project_id)
        return (await self.session.exec(page.newest_first(query, col(Incident.reported_at), col(Incident.id)))).all()
