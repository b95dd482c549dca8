"""The statistics summary for the caller's scope.

Scope: reviewers and supervisors — their region subtree (a requested region must lie
inside it); filers — their organisation's projects, agency staff — their commissioned projects
(the project visibility rule); an integration client with ``projects:read`` — its region
subtree; a service token — everything. A region subtree (+ year) scope sums the tallies kept at
every change (stats/tallies.py), so it costs the same at 10,000 and 1,000,000 projects; an
organisation's scope groups its own projects. Both give the same Counts, folded here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, local_today, region_contains, utcnow
from wenping_shared.contracts.vocab import Initiation, OverallLevel, ProjectCategory, ProjectStatus, label_of

from ..errors import StatsForbidden, StatsRegionOutOfScope
from ..projects.access import READ_SCOPE, in_region_subtree, visible_filter
from ..projects.lifecycle import FINISHED_STATUSES
from ..projects.models import Project
from .repository import StatsRepository
from .schemas import (
    Bucket,
    OnTime,
    RegionFigures,
    ReturnCategory,
    ReviewRounds,
    StatsSummary,
    YearFigures,
)

S = ProjectStatus
#: Assessment completed: approved, and every state after it (the decided states included).
COMPLETED_STATUSES: frozenset[str] = frozenset(
    {S.approved, S.implement, S.implement_with_measures, S.deferred, S.rejected, S.tracking, S.evaluated, S.closed}
)
#: Who reads statistics for a whole region subtree: those who see its projects (access.py).
#: Admins manage the registry and see no projects, so they read no project statistics either.
REGION_STATS_ROLES = ("reviewer", "supervisor")

#: Category titles of checklist v1 (the review service's standard, 审查标准 v1).
CHECKLIST_CATEGORIES: dict[str, str] = {
    "C01": "报备表规范性",
    "C02": "评估主体与组织",
    "C03": "事项概况",
    "C04": "评估依据",
    "C05": "评估程序",
    "C06": "意见征求（五必听）",
    "C07": "风险识别",
    "C08": "风险估计与等级",
    "C09": "防范化解措施",
    "C10": "评估结论",
}


@dataclass(frozen=True)
class Scope:
    clauses: list[ColumnElement[bool]]
    region_code: str | None  # the region whose direct children the figures roll up to
    year: int | None
    by_region_only: bool  # no visibility filter beyond region subtree and year (return_reason has both)


def resolve_scope(principal: Principal, region_code: str | None, year: int | None) -> Scope:
    if principal.kind == "service":
        base = region_code
        clauses: list[ColumnElement[bool]] = []
    elif principal.kind == "client":
        if READ_SCOPE not in principal.scopes or not principal.region_code:
            raise StatsForbidden("对接平台须具有 projects:read 权限才能读取统计")
        base = _inside(principal.region_code, region_code)
        clauses = []
    elif principal.has_role(*REGION_STATS_ROLES) and principal.region_code:
        base = _inside(principal.region_code, region_code)
        clauses = []
    elif principal.has_role("filer", "agency") and principal.org_id:
        # Their own organisation's (or agency's) projects, as the project list shows them.
        base = region_code or principal.region_code
        clauses = [visible_filter(principal)]
    else:
        raise StatsForbidden()
    by_region_only = not clauses  # before the region and year clauses, which return_reason carries itself
    if base:
        clauses.append(in_region_subtree(col(Project.region_code), base))
    if year is not None:
        clauses.append(col(Project.year) == year)
    return Scope(clauses, base, year, by_region_only)


def _inside(own: str, requested: str | None) -> str:
    if requested is None:
        return own
    if not region_contains(own, requested):
        raise StatsRegionOutOfScope()
    return requested


def child_of(base: str | None, code: str) -> str:
    """The direct child of ``base`` (or ``base`` itself) that a project's region rolls up to."""
    if base is None:
        return code[:2] + "0000"
    if base.endswith("0000"):
        return code[:4] + "00"
    return code


def filed_count(status: str, projects: int, with_filed_at: int) -> int:
    """Past draft: of the withdrawn, only those with a filing time (withdrawn while still a draft:
    never filed)."""
    if status == S.draft:
        return 0
    return with_filed_at if status == S.withdrawn else projects


def _buckets(counts: dict[str | None, int], values: Iterable[str], label: type) -> list[Bucket]:
    out = [Bucket(value=v, label=label_of(label, v), count=counts.get(v, 0)) for v in values]
    out += [Bucket(value=v, label=str(v), count=n) for v, n in counts.items() if v is not None and v not in set(values)]
    return out


@dataclass
class Counts:
    """The scope's figures before folding, from the tallies or grouped from the projects."""

    #: (region, year, status, projects, filed, rounds, reviewed, timed, on_time)
    statuses: list[tuple[Any, ...]] = field(default_factory=list)
    overdue: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # per region
    #: facet (category, initiation, risk_level) -> value (None: not graded) -> projects
    kinds: dict[str, dict[str | None, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    reasons: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # items, reviews


class StatsService:
    def __init__(self, session: AsyncSession) -> None:
        self.stats = StatsRepository(session)

    async def tallied(self, scope: Scope, today: dt.date) -> Counts:
        """A region subtree (+ year): sums of the tallies, as many rows whatever the projects."""
        counts = Counts()
        for code, row_year, facet, value, n, *rest in await self.stats.tallied(scope.region_code, scope.year):
            if facet == "status":
                counts.statuses.append((code, row_year, value, n, *rest))
            else:
                counts.kinds[facet][value or None] += int(n)  # risk level '' is not graded
        for code, late in await self.stats.tallied_overdue(scope.region_code, scope.year, today):
            counts.overdue[code] += int(late)
        for category_code, items, reviews in await self.stats.tallied_reasons(scope.region_code, scope.year):
            counts.reasons[category_code] = [int(items), int(reviews)]
        return counts

    async def grouped(self, scope: Scope, today: dt.date) -> Counts:
        """An organisation's projects (filers, agencies): grouped per request."""
        counts = Counts()
        for code, row_year, status, n, filed, late, *rest in await self.stats.facets(scope.clauses, today):
            counts.statuses.append((code, row_year, status, n, filed, *rest))
            if status not in FINISHED_STATUSES:
                counts.overdue[code] += int(late)
        for _code, _year, category, initiation, risk_level, n in await self.stats.kinds(scope.clauses):
            for facet, value in (("category", category), ("initiation", initiation), ("risk_level", risk_level)):
                counts.kinds[facet][value] += int(n)
        rows = await self.stats.return_reasons(scope.clauses, scope.region_code, scope.year, scope.by_region_only)
        for _code, _year, category_code, items, reviews in rows:
            counts.reasons[category_code][0] += int(items)
            counts.reasons[category_code][1] += int(reviews)
        return counts

    async def summary(self, principal: Principal, region_code: str | None, year: int | None) -> StatsSummary:
        scope = resolve_scope(principal, region_code, year)
        today = local_today()
        counts = await (self.tallied(scope, today) if scope.by_region_only else self.grouped(scope, today))
        status_counts: dict[str | None, int] = defaultdict(int)
        regions: dict[str, dict[str, int]] = {}
        years: dict[int, dict[str, int]] = {}
        totals: dict[str, int] = defaultdict(int)
        rounds_total = reviewed = 0
        completed_with_deadline = on_time = 0
        for code, row_year, status, n, marked_filed, rounds, with_rounds, with_deadline, in_time in counts.statuses:
            n, completed = int(n), status in COMPLETED_STATUSES
            if not n:  # a tally every project has left (each leaves all its figures with it)
                continue
            figures = {
                "total": n,
                "filed": filed_count(status, n, int(marked_filed or 0)),
                "completed": n if completed else 0,
                "deferred": n if status == S.deferred else 0,
                "rejected": n if status == S.rejected else 0,
                "withdrawn": n if status == S.withdrawn else 0,
            }
            status_counts[status] += n
            for key, value in figures.items():
                totals[key] += value
            region = regions.setdefault(child_of(scope.region_code, code), defaultdict(int))
            per_year = years.setdefault(int(row_year), defaultdict(int))
            for key, value in figures.items():
                region[key] += value
                per_year[key] += value
            rounds_total += int(rounds or 0)
            reviewed += int(with_rounds or 0)
            if completed:
                completed_with_deadline += int(with_deadline or 0)
                on_time += int(in_time or 0)
        for code, late in counts.overdue.items():
            totals["overdue"] += late
            regions.setdefault(child_of(scope.region_code, code), defaultdict(int))["overdue"] += late

        categories, initiations, risks = (counts.kinds[facet] for facet in ("category", "initiation", "risk_level"))
        reasons = counts.reasons
        risk_buckets = _buckets(risks, [v.value for v in OverallLevel], OverallLevel)
        risk_buckets.append(Bucket(value=None, label="未定级", count=risks.get(None, 0)))
        return StatsSummary(
            region_code=scope.region_code,
            year=year,
            generated_at=utcnow(),
            total=totals["total"],
            filed=totals["filed"],
            completed=totals["completed"],
            deferred=totals["deferred"],
            rejected=totals["rejected"],
            withdrawn=totals["withdrawn"],
            overdue=totals["overdue"],
            by_status=_buckets(status_counts, [v.value for v in ProjectStatus], ProjectStatus),
            by_category=_buckets(categories, [v.value for v in ProjectCategory], ProjectCategory),
            by_initiation=_buckets(initiations, [v.value for v in Initiation], Initiation),
            by_risk_level=risk_buckets,
            by_year=[
                YearFigures(year=y, total=f["total"], filed=f["filed"], completed=f["completed"])
                for y, f in sorted(years.items())
            ],
            by_region=[
                RegionFigures(
                    region_code=code,
                    own_level=code == scope.region_code,
                    **{k: f[k] for k in ("total", "filed", "completed", "deferred", "rejected", "overdue")},
                )
                for code, f in sorted(regions.items())
            ],
            on_time=OnTime(
                completed_with_deadline=completed_with_deadline,
                on_time=on_time,
                rate=round(on_time / completed_with_deadline, 4) if completed_with_deadline else None,
            ),
            review_rounds=ReviewRounds(
                projects_reviewed=reviewed,
                rounds_total=rounds_total,
                average=round(rounds_total / reviewed, 3) if reviewed else None,
            ),
            return_reasons=[
                ReturnCategory(
                    category_code=code,
                    title=CHECKLIST_CATEGORIES.get(code, code),
                    failed_items=int(items),
                    returned_reviews=int(reviews),
                )
                for code, (items, reviews) in sorted(reasons.items())
            ],
        )
