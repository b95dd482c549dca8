"""Every query of drawn experts and their opinions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from wenping_shared.contracts.vocab import OpinionAdoption

from ..projects.models import Project
from .models import ExpertOpinion, ProjectExpert


def drawn_project_ids(subject: str) -> SelectOfScalar[str]:
    """The projects an expert account was drawn for and has not declined (a subquery)."""
    return select(ProjectExpert.project_id).where(
        ProjectExpert.subject == subject, col(ProjectExpert.declined_at).is_(None)
    )


class AdoptionRow:
    """Counts of one group (an expert, a project or a region)."""

    def __init__(self, key: str, name: str | None, counts: Sequence[int]) -> None:
        self.key = key
        self.name = name
        self.opinions, self.adopted, self.partly_adopted, self.not_adopted = (int(n or 0) for n in counts)


class ExpertOpinionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- drawn experts ---------------------------------------------------------------------

    async def assignment(self, project_id: str, expert_id: str) -> ProjectExpert | None:
        return await self.session.get(ProjectExpert, (project_id, expert_id))

    async def current_subjects(self, project_id: str) -> set[str]:
        query = select(ProjectExpert.subject).where(
            ProjectExpert.project_id == project_id,
            col(ProjectExpert.declined_at).is_(None),
            col(ProjectExpert.subject).is_not(None),
        )
        return {s for s in (await self.session.exec(query)).all() if s}

    async def current_assignment_of(self, project_id: str, subject: str) -> ProjectExpert | None:
        query = select(ProjectExpert).where(
            ProjectExpert.project_id == project_id,
            ProjectExpert.subject == subject,
            col(ProjectExpert.declined_at).is_(None),
        )
        return (await self.session.exec(query)).first()

    # --- opinions ----------------------------------------------------------------------------

    async def get_for_update(self, project_id: str, opinion_id: str) -> ExpertOpinion | None:
        query = (
            select(ExpertOpinion)
            .where(ExpertOpinion.id == opinion_id, ExpertOpinion.project_id == project_id)
            .with_for_update()
        )
        return (await self.session.exec(query)).first()

    async def of_project(self, project_id: str) -> Sequence[ExpertOpinion]:
        query = (
            select(ExpertOpinion)
            .where(ExpertOpinion.project_id == project_id)
            .order_by(col(ExpertOpinion.submitted_at), col(ExpertOpinion.id))
        )
        return (await self.session.exec(query)).all()

    async def unanswered(self, project_id: str) -> Sequence[ExpertOpinion]:
        query = (
            select(ExpertOpinion)
            .where(ExpertOpinion.project_id == project_id, col(ExpertOpinion.adoption).is_(None))
            .order_by(col(ExpertOpinion.submitted_at), col(ExpertOpinion.id))
        )
        return (await self.session.exec(query)).all()

    # --- statistics ----------------------------------------------------------------------------

    async def adoption_counts(self, visible: ColumnElement[bool], group: str) -> list[AdoptionRow]:
        """Opinions and their adoption by ``group`` (expert | project | region) over the
        projects the ``visible`` filter admits."""
        keys: dict[str, tuple[Any, Any]] = {
            "expert": (col(ExpertOpinion.expert_id), func.max(ExpertOpinion.expert_name)),
            "project": (col(Project.id), func.max(Project.title)),
            "region": (col(Project.region_code), func.max(Project.region_code)),
        }
        key, name = keys[group]

        def counted(state: OpinionAdoption) -> Any:
            return func.sum(case((col(ExpertOpinion.adoption) == state.value, 1), else_=0))

        query = (
            select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four columns
                key,
                name,
                func.count(col(ExpertOpinion.id)),
                counted(OpinionAdoption.adopted),
                counted(OpinionAdoption.partly_adopted),
                counted(OpinionAdoption.not_adopted),
            )
            .join(Project, col(Project.id) == col(ExpertOpinion.project_id))
            .where(visible)
            .group_by(key)
            .order_by(key)
        )
        return [AdoptionRow(str(row[0]), row[1], row[2:]) for row in (await self.session.exec(query)).all()]
