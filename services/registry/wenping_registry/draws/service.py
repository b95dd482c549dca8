"""Rules for expert draws: who may draw, the candidate pool as it is now, the recorded draw,
the 409 when the pool is too small, and verification of a recorded draw."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    Conflict,
    Forbidden,
    PageParams,
    Principal,
    ProjectNotFound,
    UnknownRegion,
    enqueue,
    local_date,
    public_view,
    region_contains,
    utcnow,
)
from wenping_shared import sees_project as project_visible
from wenping_shared.contracts import messages
from wenping_shared.contracts.vocab import ProjectStatus, label_of, matching_expert_fields
from wenping_shared.metrics import EXPERT_DRAWS

from ..audit import service as audit
from ..database import OutboxMessage
from ..errors import (
    ConcurrentDraw,
    DeclineAfterAssessment,
    DeclineForbidden,
    DrawAlreadyDeclined,
    DrawFieldsRequired,
    DrawForbidden,
    DrawNotFound,
    DrawOutsideRegion,
    DrawProjectClosed,
    NotEnoughExperts,
    UnsupportedDrawAlgorithm,
)
from ..identity.repository import RegionRepository
from .algorithm import (
    ALGORITHM_VERSION,
    EXCLUSION_LABELS,
    DrawCandidate,
    DrawRequest,
    ExclusionReason,
    NotEnoughEligibleExperts,
    UnsupportedAlgorithmVersion,
    draw_experts,
    new_seed,
    verify,
)
from .models import ExpertDraw, ExpertDrawSelection
from .repository import ExpertDrawRepository
from .schemas import (
    DrawDecline,
    DrawnExpert,
    DrawProject,
    DrawVerification,
    ExclusionCount,
    ExpertDrawCreate,
    ExpertDrawPublic,
    PoolEntry,
    sorted_candidate_json,
)

OUT_OF_TERM_LABEL = "不在聘期内"

#: Once the assessment is over (the report approved, the decision taken, or the project ended),
#: a drawn expert can no longer decline.
ASSESSMENT_ENDED: frozenset[str] = frozenset({
    ProjectStatus.approved, ProjectStatus.implement, ProjectStatus.implement_with_measures, ProjectStatus.deferred,
    ProjectStatus.rejected, ProjectStatus.tracking, ProjectStatus.evaluated, ProjectStatus.closed,
    ProjectStatus.withdrawn,
})

#: Projects in these states take no more experts, and how the refusal words each ("项目已撤回").
CLOSED_STATES: dict[str, str] = {
    ProjectStatus.withdrawn: "撤回",
    ProjectStatus.closed: "销号",
    ProjectStatus.rejected: "决定不予实施",
}


def _in_region(principal: Principal, region_code: str) -> bool:
    return principal.region_code is not None and region_contains(principal.region_code, region_code)


def may_draw(principal: Principal, project: DrawProject) -> bool:
    """The filer of the project's organisation, reviewers and admins of its region subtree."""
    if principal.kind != "user":
        return False
    if principal.has_role("filer") and project.responsible_org_id and principal.org_id == project.responsible_org_id:
        return True
    return principal.has_role("reviewer", "admin") and _in_region(principal, project.region_code)


def sees_project(principal: Principal, project: DrawProject) -> bool:
    """Whether the caller may know the project exists (else 404, never 403): the platform's rule
    (``wenping_shared.sees_project``, as intake decides it), and whoever may draw for it."""
    return project_visible(principal, project) or may_draw(principal, project)


def sees_draw(principal: Principal, draw: ExpertDraw) -> bool:
    if principal.kind == "service":
        return True
    if principal.has_role("reviewer", "admin", "supervisor") and _in_region(principal, draw.project_region_code):
        return True
    return principal.has_role("filer") and bool(principal.org_id) and principal.org_id == draw.decision_body_org_id


def _is_expert(principal: Principal) -> bool:
    return principal.kind == "user" and principal.has_role("expert")


def in_draw(expert_id: str, draw: ExpertDraw) -> bool:
    return expert_id in draw.chosen_expert_ids


def sees_pool(principal: Principal) -> bool:
    """The whole candidate pool (names and employers of everyone considered): not for experts."""
    return principal.kind == "service" or principal.has_role("reviewer", "admin", "supervisor", "filer")


def candidate_of(data: dict[str, Any]) -> DrawCandidate:
    return DrawCandidate.model_validate(data)


def draw_request_of(draw: ExpertDraw) -> DrawRequest:
    return DrawRequest.model_validate(draw, from_attributes=True)


def draw_public(
    draw: ExpertDraw, *, with_pool: bool = False, declined: Sequence[ExpertDrawSelection] = ()
) -> ExpertDrawPublic:
    """The draw and its declines; the (possibly large) candidate pool only when asked for (the single GET)."""
    declined_ids = {d.expert_id for d in declined}
    excluded = {e["expert_id"]: e["reasons"] for e in draw.exclusions}
    counts = Counter(reason for reasons in excluded.values() for reason in reasons)
    chosen = set(draw.chosen_expert_ids)
    by_id = {c["expert_id"]: c for c in draw.pool}
    return public_view(
        ExpertDrawPublic,
        draw,
        pool_size=len(draw.pool),
        exclusion_counts=[
            ExclusionCount(reason=reason.value, label=EXCLUSION_LABELS[reason], count=counts[reason.value])
            for reason in ExclusionReason
            if counts[reason.value]
        ],
        chosen=[
            DrawnExpert(
                position=i,
                expert_id=expert_id,
                name=by_id[expert_id]["name"],
                fields=list(by_id[expert_id]["fields"]),
                employer_org_id=by_id[expert_id].get("employer_org_id"),
                employer_name=by_id[expert_id].get("employer_name"),
                region_code=by_id[expert_id]["region_code"],
                draws_this_year=by_id[expert_id]["draws_this_year"],
                declined=expert_id in declined_ids,
            )
            for i, expert_id in enumerate(draw.chosen_expert_ids, start=1)
        ],
        declines=[
            DrawDecline(
                expert_id=d.expert_id,
                name=by_id[d.expert_id]["name"],
                declined_at=d.declined_at,
                reason=d.decline_reason or "",
                replacement_draw_id=d.replacement_draw_id,
                replacement_expert_id=d.replacement_expert_id,
            )
            for d in declined
            if d.declined_at is not None
        ],
        pool=[
            PoolEntry(
                expert_id=c["expert_id"],
                name=c["name"],
                fields=list(c["fields"]),
                employer_org_id=c.get("employer_org_id"),
                employer_name=c.get("employer_name"),
                status=c["status"],
                region_code=c["region_code"],
                draws_this_year=c["draws_this_year"],
                previously_drawn_for_project=c.get("previously_drawn_for_project", False),
                chosen=c["expert_id"] in chosen,
                excluded_for=list(excluded.get(c["expert_id"], [])),
                excluded_for_labels=[EXCLUSION_LABELS[ExclusionReason(r)] for r in excluded.get(c["expert_id"], [])],
            )
            for c in draw.pool
        ]
        if with_pool
        else None,
    )


class ExpertDrawService:
    def __init__(self, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], time_zone: str) -> None:
        self.session = session
        self.sessionmaker = sessionmaker
        self.time_zone = time_zone
        self.draws = ExpertDrawRepository(session)
        self.regions = RegionRepository(session)

    async def _refuse(self, principal: Principal, project: DrawProject, error: Exception, result: str) -> None:
        """Audit a refused or failed draw durably (the refusal rolls the request back)."""
        extra: dict[str, Any] = {"reason": str(error), "project_id": project.id}
        if isinstance(error, Conflict):
            extra.update({k: v for k, v in error.extra.items() if k != "exclusions"})
        await audit.record_refusal(self.session, self.sessionmaker, principal, "expert_draw.create", "project",
                                   project.id, region_code=project.region_code, changes=extra, result=result)

    async def authorize(self, principal: Principal, project: DrawProject, region_code: str) -> None:
        if not sees_project(principal, project):
            raise ProjectNotFound()
        if not may_draw(principal, project):
            error: Forbidden = DrawForbidden()
            await self._refuse(principal, project, error, "denied")
            raise error
        if await self.regions.get(region_code) is None:
            raise UnknownRegion(f"行政区划 {region_code} 不存在")
        if not _in_region(principal, region_code):
            error = DrawOutsideRegion()
            await self._refuse(principal, project, error, "denied")
            raise error
        if project.status in CLOSED_STATES:
            raise DrawProjectClosed(f"项目已{_status_word(project.status)}，不能再抽取专家")

    async def draw(self, principal: Principal, data: ExpertDrawCreate, project: DrawProject) -> ExpertDraw:
        """Draw experts for ``project`` (its facts as intake reported them)."""
        await self.authorize(principal, project, data.region_code)
        fields = sorted(
            {f.value for f in data.fields}
            if data.fields
            else {f.value for f in matching_expert_fields(project.category, project.sub_kind, project.interests)}
        )
        if not fields:
            raise DrawFieldsRequired()
        request = DrawRequest(
            fields=frozenset(fields),
            count=data.count,
            avoid_org_ids=frozenset(data.avoid_org_ids),
            decision_body_org_id=project.responsible_org_id,
            implementing_org_id=project.implementing_org_id,
            region_code=data.region_code,
        )
        try:
            draw = await self._run(principal, project, request, data.seed)
        except NotEnoughExperts as error:
            await self._refuse(principal, project, error, "failed")
            EXPERT_DRAWS.labels("not_enough_experts").inc()
            raise
        self._announce(project.id, draw, await self._assignments(draw, draw.chosen_expert_ids))
        EXPERT_DRAWS.labels("drawn").inc()
        return draw

    async def _run(
        self,
        principal: Principal,
        project: DrawProject,
        request: DrawRequest,
        supplied_seed: int | None,
        replaces: ExpertDrawSelection | None = None,
    ) -> ExpertDraw:
        """Run the current algorithm on today's pool and record the draw. Raises
        :class:`NotEnoughExperts` (nothing recorded) or :class:`ConcurrentDraw`."""
        fields = sorted(f.value for f in request.fields)
        now = utcnow()
        today = local_date(now, self.time_zone)
        year = today.year
        region_code = request.region_code or project.region_code
        experts = await self.draws.pool(region_code, fields, today)
        counts = await self.draws.draws_in_year(region_code, fields, year, today)
        already = await self.draws.drawn_for_project(project.id)
        pool = [
            public_view(
                DrawCandidate,
                e,
                expert_id=e.id,
                draws_this_year=counts.get(e.id, 0),
                previously_drawn_for_project=e.id in already,
            )
            for e in experts
        ]
        seed = supplied_seed if supplied_seed is not None else new_seed()
        try:
            result = draw_experts(pool, request, seed)
        except NotEnoughEligibleExperts as short:
            raise await self._shortfall(short, region_code, fields, today) from None
        record = ExpertDraw(
            project_id=project.id,
            project_number=project.number,
            project_title=(project.title or "")[:300] or None,
            project_region_code=project.region_code,
            decision_body_org_id=request.decision_body_org_id,
            implementing_org_id=request.implementing_org_id,
            region_code=region_code,
            fields=fields,
            count=request.count,
            avoid_org_ids=sorted(request.avoid_org_ids),
            algorithm_version=result.algorithm_version,
            seed=seed,
            seed_supplied=supplied_seed is not None,
            pool=[sorted_candidate_json(c) for c in sorted(pool, key=lambda c: c.expert_id)],
            chosen_expert_ids=list(result.chosen_expert_ids),
            exclusions=[{"expert_id": e.expert_id, "reasons": [r.value for r in e.reasons]} for e in result.exclusions],
            eligible_count=result.eligible_count,
            year=year,
            drawn_at=now,
            drawn_by=principal.subject,
            drawn_by_roles=sorted(principal.roles),
            replaces_draw_id=replaces.draw_id if replaces else None,
            replaces_expert_id=replaces.expert_id if replaces else None,
        )
        try:
            draw = await self.draws.add(record)
        except IntegrityError:
            raise ConcurrentDraw("同一项目的另一次抽取刚刚完成，请刷新后重试") from None
        audit.record(
            self.session, principal, "expert_draw.create", "expert_draw", draw.id,
            region_code=project.region_code,
            changes={
                "project_id": project.id,
                "fields": fields,
                "count": request.count,
                "region_code": region_code,
                "avoid_org_ids": sorted(request.avoid_org_ids),
                "algorithm_version": result.algorithm_version,
                "seed": str(seed),
                "pool_size": len(pool),
                "eligible_count": result.eligible_count,
                "chosen_expert_ids": list(result.chosen_expert_ids),
                **({"replaces_draw_id": draw.replaces_draw_id, "replaces_expert_id": draw.replaces_expert_id}
                   if replaces else {}),
            },
        )
        return draw

    async def _shortfall(
        self, short: NotEnoughEligibleExperts, region_code: str, fields: list[str], today: dt.date
    ) -> NotEnoughExperts:
        exclusions = [
            {"reason": reason.value, "label": EXCLUSION_LABELS[reason], "count": n}
            for reason, n in short.exclusion_counts.items()
        ]
        message = short.message
        out_of_term = await self.draws.out_of_term(region_code, fields, today)
        if out_of_term:
            # Not candidates at all (outside their term today), but the caller should know.
            exclusions.append({"reason": "out_of_term", "label": OUT_OF_TERM_LABEL, "count": out_of_term})
            message += f"；另有 {out_of_term} 人{OUT_OF_TERM_LABEL}，未列入候选"
        return NotEnoughExperts(
            message,
            requested=short.requested,
            eligible_count=short.eligible_count,
            pool_size=short.pool_size,
            excluded_count=short.excluded_count,
            out_of_term_count=out_of_term,
            exclusions=exclusions,
        )

    async def decline(self, principal: Principal, draw_id: str, reason: str, project: DrawProject) -> ExpertDraw:
        """The drawn expert declines; one replacement is drawn by the current algorithm on
        today's pool under the original request (everyone drawn for the project, the decliner
        included, stays avoided). No eligible replacement leaves the decline recorded all the same."""
        draw = await self.visible(principal, draw_id)
        expert_id = await self.draws.expert_of_account(principal.subject) if principal.has_role("expert") else None
        selection = await self.draws.selection_for_update(draw.id, expert_id) if expert_id else None
        if selection is None:
            raise DeclineForbidden()
        if selection.declined_at is not None:
            raise DrawAlreadyDeclined()
        if project.status in ASSESSMENT_ENDED:
            raise DeclineAfterAssessment(
                f"项目已{label_of(ProjectStatus, project.status or '')}，评估阶段已结束，不能再谢绝抽取"
            )
        selection.declined_at = utcnow()
        selection.decline_reason = reason
        selection.declined_by = principal.subject
        self.session.add(selection)
        await self.session.flush()
        request = draw_request_of(draw).model_copy(update={"count": 1})
        replacement: ExpertDraw | None = None
        shortfall: str | None = None
        try:
            replacement = await self._run(principal, project, request, None, replaces=selection)
        except NotEnoughExperts as error:
            shortfall = str(error)
        if replacement is not None:
            selection.replacement_draw_id = replacement.id
            selection.replacement_expert_id = replacement.chosen_expert_ids[0]
            self.session.add(selection)
        audit.record(
            self.session, principal, "expert_draw.decline", "expert_draw", draw.id,
            region_code=draw.project_region_code,
            changes={
                "project_id": draw.project_id,
                "expert_id": selection.expert_id,
                "reason": reason,
                "replacement_draw_id": replacement.id if replacement else None,
                "replacement_expert_ids": list(replacement.chosen_expert_ids) if replacement else [],
                **({"shortfall": shortfall} if shortfall else {}),
            },
        )
        changed = await self._assignments(draw, [selection.expert_id], declined_at=selection.declined_at)
        if replacement is not None:
            changed += await self._assignments(replacement, replacement.chosen_expert_ids)
        self._announce(draw.project_id, replacement or draw, changed)
        await self.session.flush()
        EXPERT_DRAWS.labels("declined").inc()
        return draw

    async def _assignments(
        self,
        draw: ExpertDraw,
        expert_ids: Sequence[str],
        declined_at: dt.datetime | None = None,
    ) -> list[messages.ExpertAssignment]:
        accounts = await self.draws.accounts(expert_ids)
        by_id = {c["expert_id"]: c for c in draw.pool}
        return [
            messages.ExpertAssignment(
                expert_id=expert_id,
                expert_name=by_id[expert_id]["name"],
                subject=accounts.get(expert_id),
                region_code=by_id[expert_id]["region_code"],
                draw_id=draw.id,
                drawn_at=draw.drawn_at,
                declined_at=declined_at,
            )
            for expert_id in expert_ids
        ]

    def _announce(self, project_id: str, draw: ExpertDraw, assignments: list[messages.ExpertAssignment]) -> None:
        """Tell intake who may now see the project (outbox: delivered once, never lost)."""
        enqueue(
            self.session,
            OutboxMessage,
            "intake",
            f"/api/v1/projects/{project_id}/drawn-experts",
            messages.ExpertsAssigned(project_id=project_id, draw_id=draw.id, assignments=assignments),
        )

    async def visible(self, principal: Principal, draw_id: str) -> ExpertDraw:
        draw = await self.draws.get(draw_id)
        if draw is None:
            raise DrawNotFound()
        if sees_draw(principal, draw):
            return draw
        # An expert sees the draws that chose them (to decline one), and no other.
        expert_id = await self.draws.expert_of_account(principal.subject) if _is_expert(principal) else None
        if expert_id is None or not in_draw(expert_id, draw):
            raise DrawNotFound()
        return draw

    async def declines(self, draws: Sequence[ExpertDraw]) -> dict[str, list[ExpertDrawSelection]]:
        return await self.draws.declined([d.id for d in draws])

    async def public(self, draw: ExpertDraw, *, with_pool: bool = False) -> ExpertDrawPublic:
        declined = await self.draws.declined([draw.id])
        return draw_public(draw, with_pool=with_pool, declined=declined.get(draw.id, []))

    async def list_draws(self, principal: Principal, page: PageParams, project_id: str | None) -> Sequence[ExpertDraw]:
        if principal.kind == "service":
            return await self.draws.page_of(page, project_id=project_id, region_subtree=None, decision_body_org_id=None)
        region = principal.region_code if principal.has_role("reviewer", "admin", "supervisor") else None
        org = principal.org_id if principal.has_role("filer") else None
        expert_id = await self.draws.expert_of_account(principal.subject) if _is_expert(principal) else None
        if region is None and org is None and expert_id is None:
            return []
        return await self.draws.page_of(
            page, project_id=project_id, region_subtree=region, decision_body_org_id=org, expert_id=expert_id
        )

    def verify(self, draw: ExpertDraw) -> DrawVerification:
        """Re-run the recorded algorithm on the recorded pool, request and seed."""
        request = draw_request_of(draw)
        pool = [candidate_of(c) for c in draw.pool]
        rerun: list[str] = []
        try:
            if draw.algorithm_version != ALGORITHM_VERSION:
                raise UnsupportedAlgorithmVersion(draw.algorithm_version)
            rerun = list(draw_experts(pool, request, draw.seed).chosen_expert_ids)
            same = verify(pool, request, draw.seed, draw.chosen_expert_ids)
            detail = "复核一致：按记录的候选名单与随机种子重新抽取，结果与原抽取相同" if same else (
                "复核不一致：按记录的候选名单与随机种子重新抽取，结果与记录的抽取结果不同"
            )
        except UnsupportedAlgorithmVersion as exc:
            raise UnsupportedDrawAlgorithm(str(exc)) from None
        except NotEnoughEligibleExperts:
            same, detail = False, "复核不一致：记录的候选名单中符合条件的专家不足"
        return DrawVerification(
            draw_id=draw.id,
            verified=same,
            algorithm_version=draw.algorithm_version,
            seed=draw.seed,
            pool_size=len(pool),
            recorded_expert_ids=list(draw.chosen_expert_ids),
            rerun_expert_ids=rerun,
            detail=detail,
        )


def _status_word(status: str | None) -> str:
    return CLOSED_STATES.get(status or "", "结束")
