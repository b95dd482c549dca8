"""Queries for agencies, their gradings, practitioners, misconduct and performance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, case, exists, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col, or_, select

from wenping_shared import PageParams, Repository

from .models import (
    Agency,
    AgencyGradingRecord,
    AgencyMisconduct,
    AgencyPerformanceRecord,
    AgencyPractitioner,
    PractitionerCertificate,
)
from .schemas import AgencyPerformance


def _valid_on(grading: type[AgencyGradingRecord], day: dt.date) -> ColumnElement[bool]:
    return and_(col(grading.valid_from) <= day, col(grading.valid_until) >= day)


class AgencyRepository(Repository[Agency]):
    row = Agency

    async def by_credit_code(self, credit_code: str) -> Agency | None:
        return (await self.session.exec(select(Agency).where(Agency.credit_code == credit_code))).first()

    async def by_org_id(self, org_id: str) -> Agency | None:
        return (await self.session.exec(select(Agency).where(Agency.org_id == org_id))).first()

    async def page_of(
        self,
        page: PageParams,
        *,
        province_prefix: str | None,
        region_prefix: str | None,
        status: str | None,
        grade: str | None,
        q: str | None,
        today: dt.date,
    ) -> Sequence[Agency]:
        query = select(Agency)
        if province_prefix is not None:
            query = query.where(col(Agency.region_code).startswith(province_prefix))
        if region_prefix is not None:
            query = query.where(col(Agency.region_code).startswith(region_prefix))
        if status is not None:
            query = query.where(Agency.status == status)
        if q:
            query = query.where(or_(col(Agency.name).contains(q), col(Agency.credit_code).contains(q.upper())))
        if grade is not None:
            # The current grade: a grading of that grade valid today with no later valid one.
            g, later = aliased(AgencyGradingRecord), aliased(AgencyGradingRecord)
            newer = exists().where(
                col(later.agency_id) == col(g.agency_id),
                _valid_on(later, today),
                or_(
                    col(later.graded_on) > col(g.graded_on),
                    and_(col(later.graded_on) == col(g.graded_on), col(later.valid_from) > col(g.valid_from)),
                ),
            )
            query = query.where(
                exists().where(
                    col(g.agency_id) == col(Agency.id), col(g.grade) == grade, _valid_on(g, today), ~newer
                )
            )
        return (await self.session.exec(page.from_cursor(query, col(Agency.name), col(Agency.id)))).all()

    def add(self, row: object) -> None:
        self.session.add(row)

    async def flush(self) -> None:
        await self.session.flush()

    # --- gradings ---------------------------------------------------------------------------

    async def gradings_for(self, agency_ids: Sequence[str]) -> dict[str, list[AgencyGradingRecord]]:
        found: dict[str, list[AgencyGradingRecord]] = defaultdict(list)
        if agency_ids:
            query = select(AgencyGradingRecord).where(col(AgencyGradingRecord.agency_id).in_(list(agency_ids)))
            for row in (await self.session.exec(query)).all():
                found[row.agency_id].append(row)
        return found

    async def gradings(self, agency_id: str) -> list[AgencyGradingRecord]:
        query = (
            select(AgencyGradingRecord)
            .where(AgencyGradingRecord.agency_id == agency_id)
            .order_by(col(AgencyGradingRecord.graded_on).desc(), col(AgencyGradingRecord.created_at).desc())
        )
        return list((await self.session.exec(query)).all())

    # --- performance ------------------------------------------------------------------------

    async def performance_for(self, agency_ids: Sequence[str]) -> dict[str, AgencyPerformance]:
        empty = AgencyPerformance(
            reviews_count=0, approved_count=0, returned_count=0, projects_completed=0, average_score=None
        )
        found = dict.fromkeys(agency_ids, empty)
        if not agency_ids:
            return found
        p = AgencyPerformanceRecord
        approved = case((col(p.verdict) == "approved", 1), else_=0)
        approved_project = case((col(p.verdict) == "approved", col(p.project_id)), else_=None)
        query = (
            select(  # type: ignore[call-overload]  # sqlmodel types select() for up to four fixed columns
                p.agency_id,
                func.count(),
                func.sum(approved),
                func.count(func.distinct(approved_project)),
                func.avg(p.score),
            )
            .where(col(p.agency_id).in_(list(agency_ids)))
            .group_by(col(p.agency_id))
        )
        for agency_id, total, approved_n, projects, average in (await self.session.exec(query)).all():
            found[agency_id] = AgencyPerformance(
                reviews_count=total,
                approved_count=int(approved_n or 0),
                returned_count=total - int(approved_n or 0),
                projects_completed=projects,
                average_score=round(float(average), 2) if average is not None else None,
            )
        return found

    async def performance_by_review(self, review_id: str) -> AgencyPerformanceRecord | None:
        query = select(AgencyPerformanceRecord).where(AgencyPerformanceRecord.review_id == review_id)
        return (await self.session.exec(query)).first()

    async def add_performance(self, record: AgencyPerformanceRecord) -> AgencyPerformanceRecord | None:
        """Insert; None when the review is already recorded (a concurrent delivery won)."""
        try:
            async with self.session.begin_nested():
                self.session.add(record)
        except IntegrityError:
            return None
        return record

    # --- practitioners ----------------------------------------------------------------------

    async def practitioners(self, agency_id: str) -> list[tuple[AgencyPractitioner, list[PractitionerCertificate]]]:
        people = (
            await self.session.exec(
                select(AgencyPractitioner)
                .where(AgencyPractitioner.agency_id == agency_id)
                .order_by(col(AgencyPractitioner.name), col(AgencyPractitioner.id))
            )
        ).all()
        certs = (
            await self.session.exec(select(PractitionerCertificate).where(PractitionerCertificate.agency_id == agency_id))
        ).all()
        by_person: dict[str, list[PractitionerCertificate]] = defaultdict(list)
        for cert in certs:
            by_person[cert.practitioner_id].append(cert)
        return [(p, sorted(by_person[p.id], key=lambda c: c.issued_on)) for p in people]

    async def certificate_numbers_taken(self, numbers: Sequence[str]) -> list[str]:
        if not numbers:
            return []
        query = select(PractitionerCertificate.number).where(col(PractitionerCertificate.number).in_(list(numbers)))
        return list((await self.session.exec(query)).all())

    async def staff_counts(self, agency_ids: Sequence[str], day: dt.date) -> dict[str, tuple[int, int]]:
        """agency -> (practitioners employed, of whom certified on ``day``)."""
        found = dict.fromkeys(agency_ids, (0, 0))
        if not agency_ids:
            return found
        pr, c = AgencyPractitioner, PractitionerCertificate
        valid = exists().where(
            col(c.practitioner_id) == col(pr.id),
            col(c.issued_on) <= day,
            or_(col(c.expires_on).is_(None), col(c.expires_on) >= day),
        )
        query = (
            select(pr.agency_id, func.count(), func.sum(case((valid, 1), else_=0)))
            .where(col(pr.agency_id).in_(list(agency_ids)), col(pr.employed).is_(True))
            .group_by(col(pr.agency_id))
        )
        for agency_id, total, certified in (await self.session.exec(query)).all():
            found[agency_id] = (total, int(certified or 0))
        return found

    # --- misconduct -------------------------------------------------------------------------

    async def misconduct(self, agency: Agency, limit: int = 200) -> Sequence[AgencyMisconduct]:
        # By agency or by credit code: a record follows the agency's code across the province.
        query = (
            select(AgencyMisconduct)
            .where(or_(AgencyMisconduct.agency_id == agency.id, AgencyMisconduct.credit_code == agency.credit_code))
            .order_by(col(AgencyMisconduct.recorded_on).desc())
            .limit(limit)
        )
        return (await self.session.exec(query)).all()

    async def misconduct_counts(self, agencies: Sequence[Agency], since: dt.date) -> dict[str, int]:
        """agency -> records after ``since`` in the agency's own province."""
        found = dict.fromkeys((a.id for a in agencies), 0)
        if not agencies:
            return found
        query = select(AgencyMisconduct).where(
            col(AgencyMisconduct.agency_id).in_([a.id for a in agencies]), col(AgencyMisconduct.recorded_on) > since
        )
        provinces = {a.id: a.region_code[:2] for a in agencies}
        for row in (await self.session.exec(query)).all():
            if row.region_code[:2] == provinces[row.agency_id]:
                found[row.agency_id] += 1
        return found
