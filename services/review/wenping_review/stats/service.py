"""Return-reason statistics: which checklist categories and items decided reviews failed, in a
region subtree and period (decision dates, the platform's calendar), most frequent first."""

from __future__ import annotations

import datetime as dt

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, region_contains, start_of_local_day

from ..checklist import load_checklist
from ..checklist.definitions import AVAILABLE_VERSIONS
from ..errors import InvalidPeriod, StatsRegionNotFound
from ..reviews.repository import ReviewRepository
from .schemas import CategoryCount, ItemCount, ReturnReasons


class ReturnReasonStats:
    def __init__(self, session: AsyncSession) -> None:
        self.reviews = ReviewRepository(session)

    async def count(
        self, principal: Principal, region_code: str | None, from_: dt.date | None, to: dt.date | None
    ) -> ReturnReasons:
        """The caller's region subtree by default; another region only inside it (404 outside)."""
        own = principal.region_code
        region = region_code or own
        if not own or region is None or not region_contains(own, region):
            raise StatsRegionNotFound()
        if from_ is not None and to is not None and from_ > to:
            raise InvalidPeriod()
        start = start_of_local_day(from_) if from_ else None
        end = start_of_local_day(to + dt.timedelta(days=1)) if to else None
        decided, returned, by_item, by_category = await self.reviews.failed_counts(region, start, end)
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


__all__ = ["ReturnReasonStats"]
