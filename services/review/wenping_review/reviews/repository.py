from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, insert, update
from sqlmodel import col, select

from wenping_shared import PageParams, Repository, next_in_series, region_prefix

from .access import ListScope
from .models import DocumentNumberSequence, Review, ReviewAudit, ReviewItem


@dataclass(frozen=True, slots=True)
class ReviewFilters:
    """What a caller may narrow the review list to (within their scope)."""

    status: str | None = None
    project_id: str | None = None
    region_code: str | None = None


class ReviewRepository(Repository[Review]):
    row = Review

    async def by_project_round(self, project_id: str, round_: int) -> Review | None:
        return (
            await self.session.exec(select(Review).where(Review.project_id == project_id, Review.round == round_))
        ).first()

    async def previous_round(self, review: Review) -> Review | None:
        return (
            await self.session.exec(
                select(Review)
                .where(Review.project_id == review.project_id, col(Review.round) < review.round)
                .order_by(col(Review.round).desc())
                .limit(1)
            )
        ).first()

    async def items(self, review_id: str) -> list[ReviewItem]:
        return list(
            (
                await self.session.exec(
                    select(ReviewItem).where(ReviewItem.review_id == review_id).order_by(col(ReviewItem.position))
                )
            ).all()
        )

    async def item(self, review_id: str, code: str) -> ReviewItem | None:
        return await self.session.get(ReviewItem, (review_id, code))

    async def list_page(self, page: PageParams, scope: ListScope, filters: ReviewFilters) -> Sequence[Review]:
        """Oldest first (the queue order), keyset on (created_at, id)."""
        query = select(Review)
        if scope.region_code is not None:
            query = query.where(col(Review.region_code).startswith(region_prefix(scope.region_code)))
        if scope.responsible_org_id is not None:
            query = query.where(Review.responsible_org_id == scope.responsible_org_id)
        if scope.agency_org_id is not None:
            query = query.where(Review.agency_org_id == scope.agency_org_id)
        if filters.status is not None:
            query = query.where(Review.status == filters.status)
        if filters.project_id is not None:
            query = query.where(Review.project_id == filters.project_id)
        return (await self.session.exec(page.from_cursor(query, col(Review.created_at), col(Review.id)))).all()

    async def bump_version(self, review: Review, now: dt.datetime) -> bool:
        """Optimistic concurrency: move from the version we read to the next one, or report
        that someone else changed the review in between."""
        result = await self.session.exec(
            update(Review)
            .where(col(Review.id) == review.id, col(Review.version) == review.version)
            .values(version=review.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        review.version += 1
        review.updated_at = now
        return True

    async def next_document_number(self, issuing_region_code: str, year: int) -> int:
        """Allocate the next number of the series in one atomic upsert (no gaps under
        concurrency on either database)."""
        table: Any = DocumentNumberSequence.__table__  # type: ignore[attr-defined]  # SQLModel does not declare __table__
        key = {"issuing_region_code": issuing_region_code, "year": year}
        return await next_in_series(self.session, table, key, "last_number")

    async def insert_items(self, rows: list[dict[str, Any]]) -> None:
        table: Any = ReviewItem.__table__  # type: ignore[attr-defined]  # SQLModel does not declare __table__; Core, not ORM bulk: one executemany
        await self.session.exec(insert(table), params=rows)

    def add(self, *rows: Any) -> None:
        self.session.add_all(rows)

    async def audit(self, review_id: str) -> list[ReviewAudit]:
        return list(
            (
                await self.session.exec(
                    select(ReviewAudit).where(ReviewAudit.review_id == review_id).order_by(col(ReviewAudit.at))
                )
            ).all()
        )

    # --- statistics --------------------------------------------------------------------

    async def failed_counts(
        self, region_code: str, start: dt.datetime | None, end: dt.datetime | None
    ) -> tuple[int, int, list[tuple[str, str, int]], list[tuple[str, int]]]:
        """(decided reviews, returned reviews, [(item code, category code, reviews failing it)],
        [(category code, reviews failing any of its items)]) in a region subtree and period."""
        prefix = region_prefix(region_code)
        conds: list[ColumnElement[bool]] = [
            col(Review.status) == "decided",
            col(Review.region_code).startswith(prefix),
        ]
        if start is not None:
            conds.append(col(Review.decided_at) >= start)
        if end is not None:
            conds.append(col(Review.decided_at) < end)
        decided = (await self.session.exec(select(func.count()).select_from(Review).where(*conds))).one()
        returned = (
            await self.session.exec(
                select(func.count()).select_from(Review).where(*conds, col(Review.verdict) != "approved")
            )
        ).one()
        joined = [*conds, col(ReviewItem.review_id) == col(Review.id), col(ReviewItem.result) == "fail"]
        by_item = (
            await self.session.exec(
                select(ReviewItem.code, ReviewItem.category_code, func.count())
                .where(*joined)
                .group_by(col(ReviewItem.code), col(ReviewItem.category_code))
            )
        ).all()
        by_category = (
            await self.session.exec(
                select(ReviewItem.category_code, func.count(func.distinct(ReviewItem.review_id)))
                .where(*joined)
                .group_by(col(ReviewItem.category_code))
            )
        ).all()
        return (
            int(decided),
            int(returned),
            [(c, cat, int(n)) for c, cat, n in by_item],
            [(cat, int(n)) for cat, n in by_category],
        )
