"""Appraisal rules: who may appraise which subtree, which scheme applies, and the table itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, region_contains

from ..accountability.repository import AccountabilityRepository
from ..errors import OutsideSubtree
from ..inspections.repository import InspectionRepository
from ..projects.models import Project
from ..targets.models import AssessmentTarget
from ..targets.repository import TargetRepository
from ..targets.service import completed_for, ensure_supervisor, reader_region
from . import scoring
from .models import AppraisalScheme
from .repository import AppraisalRepository
from .schemas import (
    DEFAULT_GRADES,
    DEFAULT_PENALTIES,
    DEFAULT_WEIGHTS,
    AppraisalTable,
    Grades,
    Penalties,
    SchemePublic,
    SchemeSet,
    UnitScore,
    Weights,
)

AREA = "appraisal_scheme"
BUILT_IN_REGION = "000000"


def ancestors(region_code: str) -> list[str]:
    """The region and the levels above it (county → city → province), nearest first."""
    chain = [region_code, region_code[:4] + "00", region_code[:2] + "0000"]
    return list(dict.fromkeys(chain))


def scheme_public(row: AppraisalScheme | None) -> SchemePublic:
    if row is None:
        return SchemePublic(
            region_code=BUILT_IN_REGION, version=0, weights=DEFAULT_WEIGHTS, penalties=DEFAULT_PENALTIES,
            grades=DEFAULT_GRADES, note="系统内置方案", created_by=None, created_at=None,
        )
    return SchemePublic(
        region_code=row.region_code, version=row.version, weights=Weights(**row.weights),
        penalties=Penalties(**row.penalties), grades=Grades(**row.grades), note=row.note,
        created_by=row.created_by, created_at=row.created_at,
    )


class AppraisalService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.appraisals = AppraisalRepository(session)
        self.targets = TargetRepository(session)

    async def scheme(self, principal: Principal, region_code: str) -> SchemePublic:
        """The scheme in force for the region: its own latest version, else the nearest level above's."""
        reader_region(principal, region_code)
        return await self._effective(region_code)

    async def _effective(self, region_code: str) -> SchemePublic:
        chain = ancestors(region_code)
        rows = await self.appraisals.schemes_of(chain)
        for code in chain:
            versions = [r for r in rows if r.region_code == code]
            if versions:
                return scheme_public(max(versions, key=lambda r: r.version))
        return scheme_public(None)

    async def set_scheme(self, principal: Principal, region_code: str, data: SchemeSet) -> SchemePublic:
        subtree = ensure_supervisor(principal)
        if not region_contains(subtree, region_code):
            raise OutsideSubtree()
        latest = await self.appraisals.latest_scheme(region_code)
        row = AppraisalScheme(
            region_code=region_code, version=(latest.version if latest else 0) + 1,
            weights=data.weights.model_dump(), penalties=data.penalties.model_dump(), grades=data.grades.model_dump(),
            note=data.note, created_by=principal.subject,
        )
        self.appraisals.add(row)
        await self.targets.record_change(
            principal, AREA, f"{region_code}.v{row.version}", "set",
            {"region_code": region_code, "version": row.version, **data.model_dump(mode="json")},
        )
        await self.session.flush()
        return scheme_public(row)

    async def table(self, principal: Principal, year: int, region_code: str | None) -> AppraisalTable:
        region = reader_region(principal, region_code)
        scheme = await self._effective(region)
        projects = await self.appraisals.projects(year, region)
        ids = [p.id for p in projects]
        first = await self.appraisals.first_verdicts(ids)
        returns = await self.appraisals.reassessment_returns(ids)
        evaluated = await self.appraisals.evaluated(ids)
        open_rectifications = await InspectionRepository(self.session).not_accepted_counts(ids)
        actions = await AccountabilityRepository(self.session).counts(ids)
        incidents = await self.appraisals.incidents(ids)
        targets = await self.targets.of_subtree(year, region)
        done = await self.targets.completed(year, region[:2].ljust(6, "0"))
        met = [(t, completed_for(t, done) >= t.target_count) for t in targets]

        by_org: dict[str, list[Project]] = defaultdict(list)
        names: dict[str, tuple[str | None, str]] = {}
        for p in projects:
            by_org[p.responsible_org_id].append(p)
            names[p.responsible_org_id] = (p.responsible_org_name, p.region_code)
        for t, _ in met:
            if t.org_id:
                by_org.setdefault(t.org_id, [])
                names.setdefault(t.org_id, (t.org_name, t.region_code))
        regions = sorted({region, *(p.region_code for p in projects), *(t.region_code for t, _ in met if t.org_id is None)})

        def unit(kind: str, key: str, name: str | None, unit_region: str, unit_projects: Sequence[Project],
                 unit_targets: Sequence[tuple[AssessmentTarget, bool]]) -> UnitScore:
            facts = scoring.UnitFacts(
                projects=unit_projects, targets=unit_targets,
                first_verdicts=first, reassessment_returns=returns, evaluated=evaluated, incidents=incidents,
                open_rectifications=open_rectifications, accountability_actions=actions,
            )
            parts = scoring.score_parts(facts, scheme.weights, scheme.penalties)
            score = scoring.total(parts)
            grade = scoring.grade(score, scheme.grades)
            return UnitScore(
                kind=kind, id=key, name=name, region_code=unit_region, rank=0, score=score, grade=grade,
                grade_label=grade.label, scheme_region_code=scheme.region_code, scheme_version=scheme.version, parts=parts,
            )

        organizations = [
            unit("organization", org_id, names[org_id][0], names[org_id][1], by_org[org_id],
                 [(t, m) for t, m in met if t.org_id == org_id])
            for org_id in sorted(by_org)
        ]
        region_rows = [
            unit("region", code, None, code, [p for p in projects if region_contains(code, p.region_code)],
                 [(t, m) for t, m in met if t.org_id is None and t.region_code == code])
            for code in regions
        ]
        return AppraisalTable(
            year=year, region_code=region, scheme=scheme, rules=scoring.RULES,
            organizations=_ranked(organizations), regions=_ranked(region_rows, by_level=True),
        )


def _level(region_code: str) -> int:
    """0 province, 1 city, 2 county: regions are ranked against their own level only."""
    return 0 if region_code.endswith("0000") else 1 if region_code.endswith("00") else 2


def _ranked(rows: list[UnitScore], *, by_level: bool = False) -> list[UnitScore]:
    groups: dict[int, list[UnitScore]] = defaultdict(list)
    for row in rows:
        groups[_level(row.id) if by_level else 0].append(row)
    for group in groups.values():
        for row, rank in zip(group, scoring.ranks([r.score for r in group]), strict=True):
            row.rank = rank
    return sorted(rows, key=lambda r: (_level(r.id) if by_level else 0, r.rank, r.id))
