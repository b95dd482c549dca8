"""The list filters of api.md as one dependency, shared by the list and the Excel export so the two
can never drift apart."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from wenping_shared.contracts.vocab import Initiation, OverallLevel, ProjectCategory, ProjectStatus

from .repository import ProjectFilters


async def project_filters(  # async: a plain-def dependency would run in the thread pool
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="行政区划（含下级）")] = None,
    status: Annotated[list[ProjectStatus] | None, Query(description="状态（可重复）")] = None,
    category: ProjectCategory | None = None,
    initiation: Initiation | None = None,
    risk_level: OverallLevel | None = None,
    responsible_org_id: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    overdue: bool | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="标题或编号关键字")] = None,
) -> ProjectFilters:
    return ProjectFilters(
        region_code=region_code,
        status=[s.value for s in status or []],
        category=category.value if category else None,
        initiation=initiation.value if initiation else None,
        risk_level=risk_level.value if risk_level else None,
        responsible_org_id=responsible_org_id,
        year=year,
        overdue=overdue,
        q=q.strip() if q and q.strip() else None,
    )


ProjectFiltersDep = Annotated[ProjectFilters, Depends(project_filters)]
