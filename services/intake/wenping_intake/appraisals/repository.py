"""Appraisal queries: the year's projects of a subtree with their first rounds, returns,
evaluations; and the region's scheme versions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared.contracts.vocab import ReviewVerdict

from ..projects.access import in_region_subtree
from ..projects.models import Project
from ..reports.models import ReportRound
from ..tracking.models import EffectEvaluation, Incident
from .models import AppraisalScheme


async def count_by_project(
    session: AsyncSession, project_id: Any, project_ids: Sequence[str], *where: ColumnElement[bool]
) -> dict[str, int]:
    """project → how many rows of a table name it (``project_id`` is that table's column), under ``where``:
    one GROUP BY for a unit's cases of a penalty part."""
    if not project_ids:
        return {}
    query = select(project_id, func.count()).where(project_id.in_(list(project_ids)), *where).group_by(project_id)
    return {pid: int(n) for pid, n in (await session.exec(query)).all()}


class AppraisalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def projects(self, year: int, region_code: str) -> Sequence[Project]:
        query = (
            select(Project)
            .where(col(Project.year) == year, in_region_subtree(col(Project.region_code), region_code))
            .where(col(Project.status) != "draft")
            .order_by(col(Project.number))
        )
        return (await self.session.exec(query)).all()

    async def first_verdicts(self, project_ids: Sequence[str]) -> dict[str, str]:
        """project → verdict of its first decided round."""
        if not project_ids:
            return {}
        query = select(col(ReportRound.project_id), col(ReportRound.verdict)).where(
            col(ReportRound.project_id).in_(list(project_ids)), col(ReportRound.round) == 1,
            col(ReportRound.verdict).is_not(None),
        )
        return {pid: str(verdict) for pid, verdict in (await self.session.exec(query)).all()}

    async def reassessment_returns(self, project_ids: Sequence[str]) -> dict[str, int]:
        return await count_by_project(
            self.session, col(ReportRound.project_id), project_ids,
            col(ReportRound.verdict) == ReviewVerdict.returned_for_reassessment,
        )

    async def incidents(self, project_ids: Sequence[str]) -> dict[str, int]:
        """project → incidents reported while it was implemented."""
        return await count_by_project(self.session, col(Incident.project_id), project_ids)

    async def evaluated(self, project_ids: Sequence[str]) -> set[str]:
        if not project_ids:
            return set()
        query = select(col(EffectEvaluation.project_id)).where(col(EffectEvaluation.project_id).in_(list(project_ids)))
        return set((await self.session.exec(query)).all())

    async def latest_scheme(self, region_code: str) -> AppraisalScheme | None:
        query = (
            select(AppraisalScheme)
            .where(col(AppraisalScheme.region_code) == region_code)
            .order_by(col(AppraisalScheme.version).desc())
            .limit(1)
        )
        return (await self.session.exec(query)).first()

    async def schemes_of(self, region_codes: Sequence[str]) -> Sequence[AppraisalScheme]:
        query = select(AppraisalScheme).where(col(AppraisalScheme.region_code).in_(list(region_codes)))
        return (await self.session.exec(query)).all()

    async def scheme_version(self, region_code: str, version: int) -> AppraisalScheme | None:
        query = select(AppraisalScheme).where(
            col(AppraisalScheme.region_code) == region_code, col(AppraisalScheme.version) == version
        )
        return (await self.session.exec(query)).first()

    def add(self, row: Any) -> None:
        self.session.add(row)
