"""Risk-watch rules: the supervisor's board, the warning register (预警台账) written when a
high-risk decision is rejected or deferred, and the flags of filings that resemble an entry.

The register and the flags are written by hooks the project rules call in their own transaction
(``register_decision`` after ``decide``, ``flag_filings`` when a project is filed); the rest is read."""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any, cast

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import PageParams, Principal, Reader, region_contains, sees_project
from wenping_shared.contracts.messages import WarningFlagFacts
from wenping_shared.contracts.vocab import (
    MonitoringRegime,
    OverallLevel,
    ProjectStatus,
    Recommendation,
    RiskPhase,
    WarningMatchField,
    WatchLevel,
    label_of,
)

from ..errors import OutsideSubtree, RiskWatchReaderOnly, RiskWatchSupervisorOnly, WarningNotFound
from ..ledger import service as ledger
from ..projects.access import ProjectView, drawn_experts_for, ensure_visible, needs_drawn_experts
from ..projects.models import Project
from ..tracking.repository import TrackingRepository
from . import similarity
from .models import WarningEntry, WarningFlag
from .repository import RiskWatchRepository, project_flagged
from .schemas import (
    BoardCell,
    BoardLevel,
    BoardProject,
    FlaggedFiling,
    PhaseColumn,
    RiskBoard,
    WarningDetail,
    WarningFlagPublic,
    WarningPublic,
)

S = ProjectStatus
#: The board's phases and the statuses each groups (drafts are not on the board: not filed yet).
PHASE_STATUSES = MappingProxyType({
    RiskPhase.filing: (S.filed,),
    RiskPhase.assessment: (S.assessing, S.returned),
    RiskPhase.review: (S.report_submitted, S.under_review),
    RiskPhase.decision: (S.approved, S.deferred, S.rejected),
    RiskPhase.implementation: (S.implement, S.implement_with_measures, S.tracking, S.evaluated),
    RiskPhase.closed: (S.closed, S.withdrawn),
})
PHASE_OF: dict[str, str] = {status.value: phase.value for phase, statuses in PHASE_STATUSES.items() for status in statuses}
REGIME = MappingProxyType({
    WatchLevel.high: MonitoringRegime.veto_warning,
    WatchLevel.medium: MonitoringRegime.key_control,
    WatchLevel.low: MonitoringRegime.routine,
    WatchLevel.unknown: MonitoringRegime.pending,
})
#: Decisions that enter a high-risk project in the register, by the status they leave it in.
WARNED_OUTCOMES = MappingProxyType({S.deferred: Recommendation.defer, S.rejected: Recommendation.reject})
BOARD_ROLES = ("supervisor",)
REGISTER_ROLES = ("supervisor", "reviewer")


def _reader_region(principal: Principal, region_code: str | None, roles: tuple[str, ...]) -> str:
    if principal.kind != "user" or not principal.has_role(*roles) or not principal.region_code:
        raise RiskWatchSupervisorOnly() if roles == BOARD_ROLES else RiskWatchReaderOnly()
    region = region_code or principal.region_code
    if not region_contains(principal.region_code, region):
        raise OutsideSubtree()
    return region


def warning_public(entry: WarningEntry) -> WarningPublic:
    return WarningPublic(
        **entry.model_dump(exclude={"risk_level", "outcome"}),
        risk_level=OverallLevel(entry.risk_level),
        risk_level_label=label_of(OverallLevel, entry.risk_level),
        outcome=Recommendation(entry.outcome),
        outcome_label=label_of(Recommendation, entry.outcome),
        regime=MonitoringRegime.veto_warning,
        regime_label=MonitoringRegime.veto_warning.label,
    )


def _facts(flag: WarningFlag, entry: WarningEntry) -> WarningFlagFacts:
    scores = flag.scores or {}
    return WarningFlagFacts(
        warning_id=entry.id,
        matched_fields=[WarningMatchField(f) for f in flag.matched_fields],
        score=flag.score,
        title_score=scores.get("title", 0),
        place_score=scores.get("place", 0),
        organization_score=scores.get("organization", 0),
        warned_region_code=entry.region_code,
        warned_outcome=entry.outcome,
    )


def _side(project: Project) -> similarity.Side:
    return similarity.Side(
        title=project.title, region_code=project.region_code, org_id=project.responsible_org_id,
        org_name=project.responsible_org_name, place_text=f"{project.title} {project.description or ''}",
    )


def _entry_side(entry: WarningEntry) -> similarity.Side:
    return similarity.Side(
        title=entry.title, region_code=entry.region_code, org_id=entry.responsible_org_id,
        org_name=entry.responsible_org_name, place_text=entry.place,
    )


# --- hooks of the project rules (same transaction as the change) ---------------------------------


async def register_decision(session: AsyncSession, project: Project, actor: Principal) -> WarningEntry | None:
    """A high-risk project just decided reject or defer enters the register (否决预警)."""
    if project.risk_level != OverallLevel.high or project.status not in WARNED_OUTCOMES:
        return None
    report = await TrackingRepository(session).approved_report(project.id) or {}
    place = str((report.get("overview") or {}).get("location") or "").strip() or None
    entry = WarningEntry(
        project_id=project.id, project_number=project.number, title=project.title,
        place=place[:500] if place else None, region_code=project.region_code,
        responsible_org_id=project.responsible_org_id, responsible_org_name=project.responsible_org_name,
        risk_level=project.risk_level, outcome=WARNED_OUTCOMES[S(project.status)].value, decided_by=actor.subject,
    )
    RiskWatchRepository(session).add(entry)
    await ledger.append(
        session, project, actor, "warning_registered", project.status, project.status,
        {"warning_id": entry.id, "risk_level": entry.risk_level, "outcome": entry.outcome, "place": entry.place},
    )
    return entry


async def flag_filings(session: AsyncSession, actor: Principal, projects: Sequence[Project]) -> None:
    """Compare each project just filed (a project is filed once) with its province's register;
    record a flag per close entry, and a ledger line naming them."""
    repository = RiskWatchRepository(session)
    registers: dict[str, Sequence[WarningEntry]] = {}
    for project in projects:
        province = project.region_code[:2]
        if province not in registers:
            registers[province] = await repository.province_entries(project.region_code, project.id)
        filing = _side(project)
        flagged = []
        for entry in registers[province]:
            match = None if entry.project_id == project.id else similarity.compare(filing, _entry_side(entry))
            if match is None:
                continue
            flag = WarningFlag(
                project_id=project.id, warning_id=entry.id, matched_fields=[f.value for f in match.matched],
                score=match.score, scores={f.value: v for f, v in match.scores.items()},
            )
            repository.add(flag)
            flagged.append({"warning_id": entry.id, "score": match.score, "matched_fields": flag.matched_fields})
        if flagged:
            await ledger.append(
                session, project, actor, "warning_flagged", project.status, project.status, {"flags": flagged}
            )


async def handoff_flags(session: AsyncSession, project_id: str) -> list[WarningFlagFacts]:
    """The project's flags as the review hand-off carries them (no names of other projects)."""
    return [_facts(flag, entry) for flag, entry in await RiskWatchRepository(session).flags_of(project_id)]


async def reader_flags(session: AsyncSession, principal: Principal, project_id: str) -> list[WarningFlagPublic]:
    """The project's flags for a caller who sees the project; the warned project named only to
    a caller who may see it too."""
    repository = RiskWatchRepository(session)
    rows = await repository.flags_of(project_id)
    if not rows:
        return []
    warned = await repository.projects([entry.project_id for _, entry in rows])
    out = []
    for flag, entry in rows:
        facts = _facts(flag, entry)
        shown = warned.get(entry.project_id)
        named = shown is not None and sees_project(principal, shown)
        out.append(WarningFlagPublic(
            **facts.model_dump(),
            matched_labels=[label_of(WarningMatchField, f) for f in flag.matched_fields],
            warned_outcome_label=label_of(Recommendation, entry.outcome),
            warned_project_id=entry.project_id if named else None,
            warned_project_number=entry.project_number if named else None,
            warned_title=entry.title if named else None,
            flagged_at=flag.created_at,
        ))
    return out


async def project_for_reader(
    reader: Reader, principal: Principal, project_id: str
) -> tuple[Any, list[WarningFlagPublic]]:
    """The project (a row of its public columns) for a reader who sees it
    (``projects.access.visible_project``'s rule, drawn experts included; 404 otherwise) with its
    flags as ``reader_flags`` gives them. One statement for most callers; an expert's drawn
    experts and a flagged project's flags are read in a session opened only for them."""
    row = await project_flagged(reader, project_id)
    project = cast(ProjectView | None, row)  # the rule reads the row's columns by name
    if row is None or not (row.flagged or needs_drawn_experts(principal, project)):
        ensure_visible(principal, project, set())  # 404 when there is no row
        return row, []
    async with reader.session() as session:  # one session for both, opened only when needed
        ensure_visible(principal, project, await drawn_experts_for(session, principal, project))
        return row, await reader_flags(session, principal, project_id) if row.flagged else []


class RiskWatchService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.watch = RiskWatchRepository(session)

    async def board(self, principal: Principal, region_code: str | None, year: int | None, per_cell: int) -> RiskBoard:
        region = _reader_region(principal, region_code, BOARD_ROLES)
        counts: dict[tuple[str, str], int] = {}
        by_status: dict[str, int] = {}
        rows = await self.watch.board_counts(principal, region, year)
        for level, status, n in rows:
            key = (str(level), PHASE_OF.get(str(status), RiskPhase.closed.value))
            counts[key] = counts.get(key, 0) + int(n)
            by_status[str(status)] = by_status.get(str(status), 0) + int(n)
        listed: dict[tuple[str, str], list[BoardProject]] = {}
        # Only the non-empty (level, status) pairs are listed; newest first within each cell (the
        # query gave each status's newest, a phase keeps its own).
        nonempty = [(str(level), str(status)) for level, status, n in rows if n and str(status) in PHASE_OF]
        projects = await self.watch.board_projects(principal, region, year, nonempty, per_cell)
        for project in sorted(projects, key=lambda p: (p.created_at, p.id), reverse=True):
            cell = (project.risk_level or WatchLevel.unknown.value, PHASE_OF[project.status])
            if len(listed.get(cell, [])) >= per_cell:
                continue
            listed.setdefault(cell, []).append(BoardProject(
                id=project.id, number=project.number, title=project.title, status=ProjectStatus(project.status),
                status_label=label_of(ProjectStatus, project.status), region_code=project.region_code,
                responsible_org_name=project.responsible_org_name,
                decision_outcome=Recommendation(project.decision_outcome) if project.decision_outcome else None,
                created_at=project.created_at, updated_at=project.updated_at,
            ))
        levels = []
        for level in WatchLevel:
            cells = [
                BoardCell(phase=phase, phase_label=phase.label, count=counts.get((level.value, phase.value), 0),
                          projects=listed.get((level.value, phase.value), []))
                for phase in RiskPhase
            ]
            levels.append(BoardLevel(
                risk_level=level, risk_level_label=level.label, regime=REGIME[level], regime_label=REGIME[level].label,
                count=sum(c.count for c in cells), cells=cells,
            ))
        phases = [
            PhaseColumn(phase=phase, phase_label=phase.label, statuses=list(statuses),
                        count=sum(by_status.get(s.value, 0) for s in statuses))
            for phase, statuses in PHASE_STATUSES.items()
        ]
        return RiskBoard(
            region_code=region, year=year, total=sum(counts.values()), projects_per_cell=per_cell,
            phases=phases, levels=levels,
        )

    async def warnings(
        self, principal: Principal, page: PageParams, region_code: str | None, outcome: str | None
    ) -> tuple[list[WarningPublic], str | None]:
        region = _reader_region(principal, region_code, REGISTER_ROLES)
        rows = await self.watch.entries(page, region, outcome)
        items, cursor = page.page(rows, key=lambda e: [e.created_at, e.id])
        return [warning_public(e) for e in items], cursor

    async def warning(self, principal: Principal, warning_id: str) -> WarningDetail:
        _reader_region(principal, None, REGISTER_ROLES)
        entry = await self.watch.entry(warning_id)
        if entry is None or not region_contains(principal.region_code or "", entry.region_code):
            raise WarningNotFound()
        flagged = [
            FlaggedFiling(
                project_id=project.id, project_number=project.number, title=project.title,
                region_code=project.region_code, status=ProjectStatus(project.status), score=flag.score,
                matched_fields=list(flag.matched_fields), flagged_at=flag.created_at,
            )
            for flag, project in await self.watch.flagged_filings(principal, entry.id)
        ]
        return WarningDetail(**warning_public(entry).model_dump(), flagged_filings=flagged)
