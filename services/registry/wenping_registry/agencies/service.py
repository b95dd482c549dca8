"""Rules for agencies: province-wide visibility ("一地备案、全省通行"), management by admins of
the agency's region subtree, filings, gradings against configured thresholds, practitioners,
misconduct records that restrict province-wide, review performance, and eligibility."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic_core import to_jsonable_python
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import (
    AgencyNotFound,
    PageParams,
    Principal,
    UnknownRegion,
    local_today,
    public_view,
    region_prefix,
    utcnow,
)
from wenping_shared.contracts import messages
from wenping_shared.contracts.vocab import AgencyGrade, AgencyStatus, ProjectLevel, label_of

from ..audit import service as audit
from ..config import RegistrySettings
from ..errors import (
    AgencyManageForbidden,
    AgencyOrganizationKind,
    AgencyOrganizationNotFound,
    AgencyOutsideRegion,
    CreditCodeMismatch,
    DuplicateCertificate,
    DuplicateCreditCode,
    DuplicateOrganizationName,
    FilingOutsideProvince,
    GradingCriteriaNotMet,
    MisconductInFuture,
    MisconductOutsideRegion,
    OrganizationTaken,
)
from ..identity.access import administered, manages_region
from ..identity.models import Organization
from ..identity.repository import OrganizationRepository, RegionRepository
from .eligibility import (
    AgencySnapshot,
    Certificate,
    MisconductRecord,
    Practitioner,
    check_eligibility,
    province_of,
    years_before,
)
from .grading import AgencyGrading, GradingCriteria, current_grading, suggest_grade, unmet_criteria
from .models import (
    Agency,
    AgencyGradingRecord,
    AgencyMisconduct,
    AgencyPerformanceRecord,
    AgencyPractitioner,
    PractitionerCertificate,
)
from .repository import AgencyRepository
from .schemas import (
    AgencyCreate,
    AgencyFiling,
    AgencyPerformance,
    AgencyPublic,
    AgencyUpdate,
    CertificatePublic,
    GradingCreate,
    GradingPublic,
    MisconductCreate,
    MisconductPublic,
    PerformancePublic,
    PractitionerCreate,
    PractitionerPublic,
)


def _province_prefix(region_code: str) -> str:
    return region_code[:2]


def sees_agency(principal: Principal, agency: Agency) -> bool:
    """Province-wide: the agency's own province and every province it is on file in."""
    if principal.kind == "service":
        return True
    if principal.org_id and principal.org_id == agency.org_id:
        return True
    if principal.region_code is None:
        return False
    provinces = {_province_prefix(agency.region_code)} | {f["province_code"][:2] for f in agency.filings}
    return _province_prefix(principal.region_code) in provinces


def grading_model(row: AgencyGradingRecord) -> AgencyGrading:
    return AgencyGrading(
        grade=AgencyGrade(row.grade),
        graded_on=row.graded_on,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        criteria=GradingCriteria.model_validate(row.criteria) if row.criteria else None,
    )


def grading_public(row: AgencyGradingRecord) -> GradingPublic:
    return public_view(GradingPublic, row)


def certificate_of(row: PractitionerCertificate) -> Certificate:
    return Certificate.model_validate(row, from_attributes=True)


def current_grading_row(rows: Sequence[AgencyGradingRecord], today: dt.date) -> AgencyGradingRecord | None:
    chosen = current_grading([grading_model(r) for r in rows], today)
    if chosen is None:
        return None
    return next(
        r
        for r in sorted(rows, key=lambda r: r.created_at, reverse=True)
        if (r.grade, r.graded_on, r.valid_from, r.valid_until)
        == (chosen.grade.value, chosen.graded_on, chosen.valid_from, chosen.valid_until)
    )


class AgencyService:
    def __init__(self, session: AsyncSession, settings: RegistrySettings) -> None:
        self.session = session
        self.settings = settings
        self.agencies = AgencyRepository(session)
        self.regions = RegionRepository(session)
        self.organizations = OrganizationRepository(session)

    @property
    def today(self) -> dt.date:
        return local_today(self.settings.time_zone)

    # --- reading ----------------------------------------------------------------------------

    async def visible(self, principal: Principal, agency_id: str) -> Agency:
        agency = await self.agencies.get(agency_id)
        if agency is None or not sees_agency(principal, agency):
            raise AgencyNotFound("机构不存在")
        return agency

    async def managed(self, principal: Principal, agency_id: str) -> Agency:
        return administered(principal, await self.visible(principal, agency_id), AgencyManageForbidden)

    async def list_agencies(
        self, principal: Principal, page: PageParams, *, status: str | None, grade: str | None,
        region_code: str | None, q: str | None,
    ) -> Sequence[Agency]:
        if principal.kind != "service" and principal.region_code is None:
            return []
        province = None if principal.kind == "service" else _province_prefix(principal.region_code or "")
        region = region_prefix(region_code) if region_code is not None else None
        return await self.agencies.page_of(
            page, province_prefix=province, region_prefix=region, status=status, grade=grade, q=q, today=self.today
        )

    async def public_many(self, agencies: Sequence[Agency]) -> list[AgencyPublic]:
        ids = [a.id for a in agencies]
        today = self.today
        gradings = await self.agencies.gradings_for(ids)
        performance = await self.agencies.performance_for(ids)
        staff = await self.agencies.staff_counts(ids, today)
        since = years_before(today, self.settings.eligibility.misconduct_lookback_years)
        misconduct = await self.agencies.misconduct_counts(agencies, since)
        return [
            self._public(a, gradings.get(a.id, []), performance[a.id], staff[a.id], misconduct[a.id], today)
            for a in agencies
        ]

    async def public(self, agency: Agency) -> AgencyPublic:
        return (await self.public_many([agency]))[0]

    def _public(
        self,
        agency: Agency,
        gradings: Sequence[AgencyGradingRecord],
        performance: AgencyPerformance,
        staff: tuple[int, int],
        misconduct: int,
        today: dt.date,
    ) -> AgencyPublic:
        current = current_grading_row(gradings, today)
        latest = max(gradings, key=lambda r: (r.graded_on, r.created_at), default=None)
        province = province_of(agency.region_code)
        return public_view(
            AgencyPublic,
            agency,
            status_label=label_of(AgencyStatus, agency.status),
            on_file=any(f["province_code"] == province for f in agency.filings),
            grade=current.grade if current else None,
            grade_label=label_of(AgencyGrade, current.grade) if current else None,
            grade_valid_from=current.valid_from if current else None,
            grade_valid_until=current.valid_until if current else None,
            latest_grading=grading_public(latest) if latest else None,
            certified_staff=staff[1],
            practitioners_count=staff[0],
            misconduct_last_year=misconduct,
            performance=performance,
        )

    # --- changes ----------------------------------------------------------------------------

    def _check_filings(self, principal: Principal, filings: Sequence[AgencyFiling]) -> None:
        own = _province_prefix(principal.region_code or "")
        for filing in filings:
            if filing.province_code[:2] != own:
                raise FilingOutsideProvince(
                    f"只能登记本省的备案（{filing.province_code} 不是本省）"
                )

    async def create(self, principal: Principal, data: AgencyCreate) -> Agency:
        if await self.regions.get(data.region_code) is None:
            raise UnknownRegion(f"行政区划 {data.region_code} 不存在")
        if not manages_region(principal, data.region_code):
            raise AgencyOutsideRegion()
        self._check_filings(principal, data.filings)
        if await self.agencies.by_credit_code(data.credit_code) is not None:
            raise DuplicateCreditCode()
        if data.org_id:
            org = await self.organizations.get(data.org_id)
            if org is None or not manages_region(principal, org.region_code):
                raise AgencyOrganizationNotFound()
            if org.kind != "agency":
                raise AgencyOrganizationKind()
            if await self.agencies.by_org_id(org.id) is not None:
                raise OrganizationTaken()
            if org.credit_code and org.credit_code != data.credit_code:
                raise CreditCodeMismatch()
        else:
            if await self.organizations.by_name(data.name) is not None:
                raise DuplicateOrganizationName(f"单位“{data.name}”已存在，请通过 org_id 关联")
            org = Organization(name=data.name, kind="agency", region_code=data.region_code,
                               credit_code=data.credit_code, created_by=principal.subject)
            self.organizations.add(org)
            await self.agencies.flush()
            audit.record(self.session, principal, "organization.create", "organization", org.id,
                         region_code=org.region_code, changes={"name": org.name, "kind": "agency"})
        # The agency is what was asked for, under the organisation found or created: so is the audit's record.
        given = data.model_dump(mode="json") | {"org_id": org.id}
        agency = Agency(**given, created_by=principal.subject)
        self.agencies.add(agency)
        await self.agencies.flush()
        audit.record(self.session, principal, "agency.create", "agency", agency.id, region_code=agency.region_code,
                     changes=given)
        return agency

    async def update(self, principal: Principal, agency: Agency, data: AgencyUpdate) -> Agency:
        given = data.model_dump(exclude_unset=True, mode="json")
        if "filings" in given:
            assert data.filings is not None
            self._check_filings(principal, data.filings)
            own = _province_prefix(principal.region_code or "")
            # Other provinces' filings are theirs to keep: replace only this province's.
            given["filings"] = [f for f in agency.filings if f["province_code"][:2] != own] + given["filings"]
        changes: dict[str, Any] = {}
        for name, value in given.items():
            if getattr(agency, name) != value:
                changes[name] = {"from": to_jsonable_python(getattr(agency, name)), "to": to_jsonable_python(value)}
                setattr(agency, name, value)
        if changes:
            agency.version += 1
            agency.updated_at = utcnow()
            self.session.add(agency)
            audit.record(self.session, principal, "agency.update", "agency", agency.id,
                         region_code=agency.region_code, changes=changes)
        return agency

    async def criteria_from_records(self, agency: Agency) -> GradingCriteria:
        today = self.today
        performance = (await self.agencies.performance_for([agency.id]))[agency.id]
        staff = (await self.agencies.staff_counts([agency.id], today))[agency.id]
        since = years_before(today, self.settings.eligibility.misconduct_lookback_years)
        misconduct = (await self.agencies.misconduct_counts([agency], since))[agency.id]
        return GradingCriteria(
            projects_completed=performance.projects_completed,
            average_review_score=performance.average_score,
            certified_staff=staff[1],
            misconduct_records=misconduct,
        )

    async def grade(self, principal: Principal, agency: Agency, data: GradingCreate) -> GradingPublic:
        criteria = data.criteria or await self.criteria_from_records(agency)
        thresholds = self.settings.grading
        suggested = suggest_grade(criteria, thresholds)
        gaps = unmet_criteria(criteria, data.grade, thresholds)
        if gaps:
            raise GradingCriteriaNotMet(
                f"评定依据达不到{label_of(AgencyGrade, data.grade)}标准：{'；'.join(gaps)}（依据可评为"
                f"{label_of(AgencyGrade, suggested)}）",
                unmet=gaps,
                suggested_grade=suggested.value,
                criteria=criteria.model_dump(mode="json"),
            )
        row = AgencyGradingRecord(
            agency_id=agency.id,
            grade=data.grade.value,
            graded_on=data.graded_on or self.today,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            criteria=criteria.model_dump(mode="json"),
            criteria_source="submitted" if data.criteria else "records",
            suggested_grade=suggested.value,
            note=data.note,
            graded_by=principal.subject,
        )
        self.agencies.add(row)
        await self.agencies.flush()
        audit.record(self.session, principal, "agency.grade", "agency", agency.id, region_code=agency.region_code,
                     changes={"grading_id": row.id, "grade": row.grade, "valid_from": row.valid_from.isoformat(),
                              "valid_until": row.valid_until.isoformat(), "criteria": row.criteria,
                              "suggested_grade": suggested.value})
        return grading_public(row)

    async def gradings(self, agency: Agency) -> list[GradingPublic]:
        return [grading_public(r) for r in await self.agencies.gradings(agency.id)]

    async def add_practitioner(
        self, principal: Principal, agency: Agency, data: PractitionerCreate
    ) -> PractitionerPublic:
        taken = await self.agencies.certificate_numbers_taken([c.number for c in data.certificates])
        if taken:
            raise DuplicateCertificate(f"证书编号已登记：{'、'.join(taken)}")
        person = AgencyPractitioner(agency_id=agency.id, name=data.name, full_time=data.full_time,
                                    education=data.education, created_by=principal.subject)
        self.agencies.add(person)
        await self.agencies.flush()
        certs = [
            PractitionerCertificate(practitioner_id=person.id, agency_id=agency.id, number=c.number,
                                    issued_on=c.issued_on, expires_on=c.expires_on)
            for c in data.certificates
        ]
        for cert in certs:
            self.agencies.add(cert)
        await self.agencies.flush()
        audit.record(self.session, principal, "agency.practitioner.create", "agency", agency.id,
                     region_code=agency.region_code,
                     changes={"practitioner_id": person.id, "name": person.name,
                              "certificates": [c.model_dump(mode="json") for c in data.certificates]})
        return self.practitioner_public(person, certs)

    def practitioner_public(self, person: AgencyPractitioner, certs: Sequence[PractitionerCertificate]) -> PractitionerPublic:
        today = self.today
        shown = [public_view(CertificatePublic, c, valid_today=certificate_of(c).is_valid_on(today)) for c in certs]
        return public_view(
            PractitionerPublic, person, certified=person.employed and any(c.valid_today for c in shown), certificates=shown
        )

    async def practitioners(self, agency: Agency) -> list[PractitionerPublic]:
        return [self.practitioner_public(p, certs) for p, certs in await self.agencies.practitioners(agency.id)]

    async def record_misconduct(self, principal: Principal, agency: Agency, data: MisconductCreate) -> MisconductPublic:
        region_code = data.region_code or principal.region_code
        assert region_code is not None
        if await self.regions.get(region_code) is None:
            raise UnknownRegion(f"行政区划 {region_code} 不存在")
        if not manages_region(principal, region_code):
            raise MisconductOutsideRegion()
        if data.recorded_on > self.today:
            raise MisconductInFuture()
        row = AgencyMisconduct(agency_id=agency.id, credit_code=agency.credit_code, recorded_on=data.recorded_on,
                               region_code=region_code, description=data.description, project_id=data.project_id,
                               recorded_by=principal.subject)
        self.agencies.add(row)
        await self.agencies.flush()
        audit.record(self.session, principal, "agency.misconduct.create", "agency", agency.id,
                     region_code=region_code,
                     changes={"misconduct_id": row.id, "recorded_on": row.recorded_on.isoformat(),
                              "region_code": region_code, "description": row.description})
        return misconduct_public(row)

    async def misconduct(self, agency: Agency) -> list[MisconductPublic]:
        return [misconduct_public(m) for m in await self.agencies.misconduct(agency)]

    async def record_performance(
        self, principal: Principal, agency: Agency, data: messages.AgencyPerformance
    ) -> tuple[AgencyPerformanceRecord, bool]:
        """(record, created). A repeat of a review id changes nothing."""
        existing = await self.agencies.performance_by_review(data.review_id)
        if existing is not None:
            return existing, False
        record = AgencyPerformanceRecord(agency_id=agency.id, review_id=data.review_id, project_id=data.project_id,
                                         round=data.round, verdict=data.verdict.value, score=data.score,
                                         decided_at=data.decided_at)
        if await self.agencies.add_performance(record) is None:
            existing = await self.agencies.performance_by_review(data.review_id)
            assert existing is not None
            return existing, False
        audit.record(self.session, principal, "agency.performance.record", "agency", agency.id,
                     region_code=agency.region_code, changes=data.model_dump(mode="json"))
        return record, True

    async def eligibility(
        self, agency: Agency, level: ProjectLevel, on: dt.date | None, project_region_code: str | None
    ) -> messages.EligibilityAnswer:
        day = on or self.today
        gradings = await self.agencies.gradings(agency.id)
        people = await self.agencies.practitioners(agency.id)
        records = await self.agencies.misconduct(agency, limit=1000)
        snapshot = AgencySnapshot(
            status=AgencyStatus(agency.status),
            region_code=agency.region_code,
            filing_province_codes=frozenset(f["province_code"] for f in agency.filings if f["filed_on"] <= day.isoformat()),
            gradings=tuple(grading_model(g) for g in gradings),
            practitioners=tuple(
                Practitioner(
                    name=p.name,
                    employed=p.employed,
                    certificates=tuple(certificate_of(c) for c in certs),
                )
                for p, certs in people
            ),
            misconduct=tuple(MisconductRecord.model_validate(m, from_attributes=True) for m in records),
        )
        answer = check_eligibility(
            snapshot, level, day, project_region_code=project_region_code,
            thresholds=self.settings.grading, rules=self.settings.eligibility,
        )
        current = current_grading_row(gradings, day)
        return messages.EligibilityAnswer(
            eligible=answer.eligible,
            reasons=list(answer.reasons),
            project_level=level,
            on=day,
            province_code=answer.province_code,
            certified_staff=answer.certified_staff,
            agency=messages.EligibilityAgency(
                id=agency.id, name=agency.name, org_id=agency.org_id, credit_code=agency.credit_code,
                region_code=agency.region_code, status=agency.status,
                on_file=answer.province_code in snapshot.filing_province_codes,
                grade=current.grade if current else None,
                grade_valid_until=current.valid_until if current else None,
            ),
        )


def misconduct_public(m: AgencyMisconduct) -> MisconductPublic:
    return public_view(MisconductPublic, m)


def performance_public(r: AgencyPerformanceRecord) -> PerformancePublic:
    return public_view(PerformancePublic, r)
