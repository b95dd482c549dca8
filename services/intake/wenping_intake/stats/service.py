"""The statistics summary for the caller's scope.

Scope: reviewers and supervisors — their region subtree (a requested region must lie
inside it); filers — their organisation's projects, agency staff — their commissioned projects
(the project visibility rule); an integration client with ``projects:read`` — its region
subtree; a service token — everything. Figures are folded in Python from three GROUP BY queries
(stats/repository.py), each answered from a covering index for a region subtree (+ year) scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

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


class StatsService:
    def __init__(self, session: AsyncSession) -> None:
        self.stats = StatsRepository(session)

    async def summary(self, principal: Principal, region_code: str | None, year: int | None) -> StatsSummary:
        scope = resolve_scope(principal, region_code, year)
        today = local_today()
        status_counts: dict[str | None, int] = defaultdict(int)
        regions: dict[str, dict[str, int]] = {}
        years: dict[int, dict[str, int]] = {}
        totals: dict[str, int] = defaultdict(int)
        rounds_total = reviewed = 0
        completed_with_deadline = on_time = 0
        facets = await self.stats.facets(scope.clauses, today)
        for code, row_year, status, n, marked_filed, late, rounds, with_rounds, with_deadline, in_time in facets:
            n, completed = int(n), status in COMPLETED_STATUSES
            figures = {
                "total": n,
                "filed": filed_count(status, n, int(marked_filed)),
                "completed": n if completed else 0,
                "deferred": n if status == S.deferred else 0,
                "rejected": n if status == S.rejected else 0,
                "withdrawn": n if status == S.withdrawn else 0,
                "overdue": int(late) if status not in FINISHED_STATUSES else 0,
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
                completed_with_deadline += int(with_deadline)
                on_time += int(in_time)

        categories: dict[str | None, int] = defaultdict(int)
        initiations: dict[str | None, int] = defaultdict(int)
        risks: dict[str | None, int] = defaultdict(int)
        for _code, _year, category, initiation, risk_level, n in await self.stats.kinds(scope.clauses):
            categories[category] += int(n)
            initiations[initiation] += int(n)
            risks[risk_level] += int(n)

        reasons: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        rows = await self.stats.return_reasons(scope.clauses, scope.region_code, scope.year, scope.by_region_only)
        for _code, _year, category_code, items, reviews in rows:
            reasons[category_code][0] += int(items)
            reasons[category_code][1] += int(reviews)

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
