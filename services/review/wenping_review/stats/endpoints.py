"""Return-reason statistics: which checklist categories and items decided reviews failed, in a
region subtree and period, most frequent first."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from wenping_shared import Principal, region_contains, require_roles, start_of_local_day

from ..checklist import load_checklist
from ..checklist.definitions import AVAILABLE_VERSIONS
from ..deps import SessionDep
from ..errors import InvalidPeriod, StatsRegionNotFound
from ..reviews.repository import ReviewRepository

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])

StatsPrincipal = Annotated[Principal, Depends(require_roles("reviewer", "supervisor"))]


class CategoryCount(BaseModel):
    code: str
    title: str
    count: int = Field(description="至少有一项不通过的已决审查数")


class ItemCount(BaseModel):
    code: str
    title: str
    category_code: str
    category_title: str
    severity: str
    count: int = Field(description="该项不通过的已决审查数")


class ReturnReasons(BaseModel):
    region_code: str
    from_: dt.date | None = Field(alias="from", serialization_alias="from")
    to: dt.date | None
    decided_reviews: int
    returned_reviews: int
    categories: list[CategoryCount]
    items: list[ItemCount]


@router.get(
    "/return-reasons",
    response_model=ReturnReasons,
    response_model_by_alias=True,
    summary="退回原因统计：各类别、各条目不通过的次数（本辖区、按结论日期）",
    responses={404: {"description": "region_code 不在本辖区内"}},
)
async def return_reasons(
    session: SessionDep,
    principal: StatsPrincipal,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="地区（含下级），默认本辖区")] = None,
    from_: Annotated[dt.date | None, Query(alias="from", description="结论日期起（含）")] = None,
    to: Annotated[dt.date | None, Query(description="结论日期止（含）")] = None,
) -> ReturnReasons:
    own = principal.region_code
    region = region_code or own
    if not own or region is None or not region_contains(own, region):
        raise StatsRegionNotFound()
    if from_ is not None and to is not None and from_ > to:
        raise InvalidPeriod()
    start = start_of_local_day(from_) if from_ else None
    end = start_of_local_day(to + dt.timedelta(days=1)) if to else None
    decided, returned, by_item, by_category = await ReviewRepository(session).failed_counts(region, start, end)
    checklist = load_checklist(AVAILABLE_VERSIONS[-1])
    cat_titles = {c.code: c.title for c in checklist.categories}
    items = []
    for code, cat, n in by_item:
        d = checklist.by_code.get(code)
        items.append(
            ItemCount(
                code=code,
                title=d.title if d else code,
                category_code=cat,
                category_title=cat_titles.get(cat, cat),
                severity=d.severity.value if d else "",
                count=n,
            )
        )
    items.sort(key=lambda i: (-i.count, i.code))
    categories = sorted(
        (CategoryCount(code=c, title=cat_titles.get(c, c), count=n) for c, n in by_category),
        key=lambda c: (-c.count, c.code),
    )
    return ReturnReasons.model_validate(
        {
            "region_code": region,
            "from": from_,
            "to": to,
            "decided_reviews": decided,
            "returned_reviews": returned,
            "categories": categories,
            "items": items,
        }
    )
