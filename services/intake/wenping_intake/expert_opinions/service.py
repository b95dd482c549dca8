"""Experts drawn for a project, their written opinions, and the assessor's answer to each.

The registry draws experts and tells intake (``ExpertsAssigned`` via its outbox); intake keeps
who may see which project (``wenping_shared.sees_project``, the expert rule). An opinion made
after ``n`` report rounds is answered by round ``n + 1``: that round is refused until the
assessor has recorded, for every open opinion, whether it was adopted and why.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Precondition, Principal, ProjectNotFound, etag_for, public_view, utcnow
from wenping_shared.contracts import messages
from wenping_shared.contracts.vocab import OpinionAdoption, ProjectStatus, label_of

from ..errors import (
    AdoptionAnswered,
    AdoptionForbidden,
    OpinionForbidden,
    OpinionNotFound,
    OpinionsClosed,
    OpinionsUnanswered,
)
from ..ledger import service as ledger
from ..projects.access import drawn_experts_for, ensure_visible, is_agency_of, is_filer_of, visible_filter
from ..projects.models import Project
from ..projects.repository import ProjectRepository
from ..public import label_or_none
from .models import ExpertOpinion, ProjectExpert
from .repository import AdoptionRow, ExpertOpinionRepository
from .schemas import AdoptionFigures, AdoptionRecord, ExpertOpinionPublic, ExpertOpinionStats, OpinionCreate

S = ProjectStatus

#: An opinion can still be answered by a report round only while the assessment runs.
OPEN_FOR_OPINIONS = frozenset({S.filed, S.assessing, S.report_submitted, S.under_review, S.returned})


def is_expert(principal: Principal) -> bool:
    return principal.kind == "user" and principal.has_role("expert")


def is_assessor_of(principal: Principal, project: Project) -> bool:
    """Whoever submits the project's report rounds: the commissioned agency, else the filer."""
    return is_agency_of(principal, project) if project.assessor_kind == "agency" else is_filer_of(principal, project)


async def ensure_opinions_answered(session: AsyncSession, project_id: str) -> None:
    """Refuse a report round while an expert opinion waits for its adoption record."""
    waiting = await ExpertOpinionRepository(session).unanswered(project_id)
    if waiting:
        listed = "；".join(f"{o.expert_name}（{o.submitted_at:%Y-%m-%d}，意见 {o.id}）" for o in waiting)
        raise OpinionsUnanswered(
            f"还有 {len(waiting)} 条专家意见未记录采纳情况，请先逐条记录是否采纳及理由再报送：{listed}",
            unanswered_opinion_ids=[o.id for o in waiting],
        )


def opinion_public(row: ExpertOpinion) -> ExpertOpinionPublic:
    return public_view(
        ExpertOpinionPublic, row,
        answered_by_round=row.after_round + 1, adoption_label=label_or_none(OpinionAdoption, row.adoption),
    )


def _figures(row: AdoptionRow) -> AdoptionFigures:
    answered = row.adopted + row.partly_adopted + row.not_adopted
    return public_view(
        AdoptionFigures, row,
        answered=answered,
        adoption_rate=round((row.adopted + row.partly_adopted) / answered, 4) if answered else None,
        full_adoption_rate=round(row.adopted / answered, 4) if answered else None,
    )


class ExpertOpinionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.projects = ProjectRepository(session)
        self.opinions = ExpertOpinionRepository(session)

    async def _project(self, principal: Principal, project_id: str, *, for_update: bool) -> Project:
        project = await (self.projects.get_for_update(project_id) if for_update else self.projects.get(project_id))
        return ensure_visible(principal, project, await drawn_experts_for(self.session, principal, project))

    async def assign(self, principal: Principal, project_id: str, data: messages.ExpertsAssigned) -> int:
        """Apply the registry's message: new experts are recorded, a decline is final. A
        repeated message changes nothing (0)."""
        project = await self.projects.get_for_update(project_id)
        if project is None or data.project_id != project_id:
            raise ProjectNotFound()
        changed = 0
        for a in data.assignments:
            row = await self.opinions.assignment(project.id, a.expert_id)
            if row is None:
                row = ProjectExpert(
                    project_id=project.id, expert_id=a.expert_id, expert_name=a.expert_name, subject=a.subject,
                    region_code=a.region_code, draw_id=a.draw_id, drawn_at=a.drawn_at,
                )
                self.session.add(row)
                await ledger.append(
                    self.session, project, principal, "expert_drawn", project.status, project.status,
                    {"expert_id": a.expert_id, "expert_name": a.expert_name, "draw_id": a.draw_id},
                )
                changed += 1
            if a.declined_at is not None and row.declined_at is None:
                row.declined_at = a.declined_at
                self.session.add(row)
                await ledger.append(
                    self.session, project, principal, "expert_declined", project.status, project.status,
                    {"expert_id": a.expert_id, "expert_name": a.expert_name, "draw_id": row.draw_id},
                )
                changed += 1
        await self.session.flush()
        return changed

    async def submit(self, principal: Principal, project_id: str, data: OpinionCreate) -> ExpertOpinion:
        project = await self._project(principal, project_id, for_update=True)
        assignment = await self.opinions.current_assignment_of(project.id, principal.subject) if is_expert(principal) else None
        if assignment is None:
            raise OpinionForbidden()
        if project.status not in OPEN_FOR_OPINIONS:
            raise OpinionsClosed(f"项目当前状态为「{label_of(ProjectStatus, project.status)}」，评估阶段已结束，不再接收专家意见")
        opinion = ExpertOpinion(
            project_id=project.id,
            expert_id=assignment.expert_id,
            expert_name=assignment.expert_name,
            submitted_by=principal.subject,
            text=data.text,
            after_round=project.report_rounds,
            submitted_at=utcnow(),
        )
        self.session.add(opinion)
        await ledger.append(
            self.session, project, principal, "expert_opinion", project.status, project.status,
            {"opinion_id": opinion.id, "expert_id": assignment.expert_id, "expert_name": assignment.expert_name,
             "answered_by_round": opinion.after_round + 1},
        )
        await self.session.flush()
        return opinion

    async def of_project(self, principal: Principal, project_id: str) -> Sequence[ExpertOpinion]:
        project = await self._project(principal, project_id, for_update=False)
        return await self.opinions.of_project(project.id)

    async def record_adoption(
        self, principal: Principal, project_id: str, opinion_id: str, data: AdoptionRecord, precondition: Precondition
    ) -> ExpertOpinion:
        project = await self._project(principal, project_id, for_update=True)
        opinion = await self.opinions.get_for_update(project.id, opinion_id)
        if opinion is None:
            raise OpinionNotFound()
        if not is_assessor_of(principal, project):
            raise AdoptionForbidden()
        precondition(etag_for(opinion.version))
        if project.report_rounds > opinion.after_round:
            raise AdoptionAnswered(
                f"该意见已由第 {opinion.after_round + 1} 轮评估报告答复，采纳情况不能再修改"
            )
        previous = opinion.adoption
        opinion.adoption = data.adoption.value
        opinion.adoption_reason = data.reason
        opinion.adopted_by = principal.subject
        opinion.adopted_at = utcnow()
        opinion.version += 1
        self.session.add(opinion)
        await ledger.append(
            self.session, project, principal, "expert_opinion_adoption", project.status, project.status,
            {"opinion_id": opinion.id, "expert_id": opinion.expert_id, "adoption": data.adoption.value,
             "previous": previous, "reason": data.reason},
        )
        await self.session.flush()
        return opinion

    async def stats(self, principal: Principal) -> ExpertOpinionStats:
        """Adoption per expert, project and region over the projects the caller sees."""
        visible = visible_filter(principal)
        by = {group: [_figures(r) for r in await self.opinions.adoption_counts(visible, group)]
              for group in ("expert", "project", "region")}
        return ExpertOpinionStats(by_expert=by["expert"], by_project=by["project"], by_region=by["region"])
