"""What the rules look at: the report, the project record, the region's configuration, the
submission date and the registry's facts, with the values several rules derive computed once.

`ReportReading` is the part that needs only the report and the project record; it already
knows which agency and experts the rules will ask the registry about, so the caller fetches
exactly `registry_needs` before building the full `RuleContext`.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import NamedTuple

from wenping_shared.contracts.report import Concern, Measure, Report
from wenping_shared.contracts.vocab import (
    AssessorKind,
    ConsultationGroup,
    Interest,
    OverallLevel,
    ProcedureStep,
    ProjectCategory,
)

from ..config import RegionReviewConfig
from ..facts import AgencyFacts, ExpertFacts, ProjectFacts, RegistryFacts


class RegistryNeeds(NamedTuple):
    """What to fetch from the registry before evaluating: the commissioned agency (None for a
    self-assessment) and the team's registry experts, in report order."""

    agency_id: str | None
    expert_ids: list[str]


class ReportReading:
    """The report (with its project record, when there is one) read once for all the rules."""

    def __init__(self, report: Report, project: ProjectFacts | None) -> None:
        self.report = report
        self.project = project

    # --- the project's nature, as the report states it -----------------------------------

    @cached_property
    def category(self) -> ProjectCategory | None:
        ov, ff = self.report.overview, self.report.filing_form
        if ov is not None and ov.category is not None:
            return ov.category
        return ff.category if ff is not None else None

    @cached_property
    def interests(self) -> list[Interest]:
        ov = self.report.overview
        return list(ov.interests) if ov is not None else []

    # --- procedure dates -----------------------------------------------------------------

    @cached_property
    def step_dates(self) -> dict[ProcedureStep, dt.date | None]:
        """Date of the first done entry of each step in procedure.steps (None: done, no date)."""
        out: dict[ProcedureStep, dt.date | None] = {}
        proc = self.report.procedure
        for rec in proc.steps if proc is not None else ():
            if not rec.done:
                continue
            if rec.step not in out or (out[rec.step] is None and rec.date is not None):
                out[rec.step] = rec.date
        return out

    @cached_property
    def plan_date(self) -> dt.date | None:
        proc = self.report.procedure
        return proc.plan.date if proc is not None and proc.plan is not None else None

    @cached_property
    def compilation_date(self) -> dt.date | None:
        """The report compilation date: the date of the report_compilation step."""
        return self.step_dates.get(ProcedureStep.report_compilation)

    # --- consultations -------------------------------------------------------------------

    @cached_property
    def participants_by_group(self) -> dict[ConsultationGroup, tuple[int, int]]:
        """group -> (consultations, participants in total)."""
        out: dict[ConsultationGroup, tuple[int, int]] = {}
        for c in self.report.consultations:
            n, total = out.get(c.group, (0, 0))
            out[c.group] = (n + 1, total + (c.participants or 0))
        return out

    @cached_property
    def concerns(self) -> list[Concern]:
        return [k for c in self.report.consultations for k in c.concerns]

    # --- risks and measures --------------------------------------------------------------

    @cached_property
    def answered_concerns(self) -> set[str]:
        return {cid for r in self.report.risks for cid in r.related_concerns}

    @cached_property
    def measure_items(self) -> list[Measure]:
        ms = self.report.measures
        return list(ms.items) if ms is not None else []

    @cached_property
    def measured_risks(self) -> set[str]:
        ms = self.report.measures
        return {rid for m in ms.items for rid in m.risk_ids} if ms is not None else set()

    # --- the conclusion ------------------------------------------------------------------

    @cached_property
    def initial_level(self) -> OverallLevel | None:
        """The overall level before measures, as the conclusion states it."""
        c = self.report.conclusion
        return c.initial_level if c is not None else None

    @cached_property
    def residual_level(self) -> OverallLevel | None:
        """The overall level after measures, as the conclusion states it."""
        c = self.report.conclusion
        return c.residual_level if c is not None else None

    # --- the assessor --------------------------------------------------------------------

    @cached_property
    def assessed_by_agency(self) -> bool:
        """The report's assessor kind decides; without one, the project's."""
        a = self.report.assessor
        if a is not None and a.kind is not None:
            return a.kind == AssessorKind.agency
        return self.project is not None and self.project.assessor_kind == AssessorKind.agency

    @cached_property
    def agency_id(self) -> str | None:
        """The commissioned agency: the report's, else the project's; None for a self-assessment."""
        if not self.assessed_by_agency:
            return None
        a = self.report.assessor
        if a is not None and a.agency_id:
            return a.agency_id
        return self.project.agency_id if self.project is not None else None

    @cached_property
    def team_expert_ids(self) -> list[str]:
        """Registry ids of the assessment team, each once, in report order."""
        seen: dict[str, None] = {}
        for m in self.report.assessment_team:
            if m.expert_id:
                seen.setdefault(m.expert_id, None)
        return list(seen)

    @property
    def registry_needs(self) -> RegistryNeeds:
        return RegistryNeeds(self.agency_id, self.team_expert_ids)


class RuleContext(ReportReading):
    """Everything the rules look at: the reading of the report plus the region's thresholds,
    the submission date and what the registry said about the agency and experts."""

    def __init__(
        self,
        report: Report,
        config: RegionReviewConfig,
        submitted_on: dt.date,
        project: ProjectFacts | None,
        registry: RegistryFacts | None,
    ) -> None:
        super().__init__(report, project)
        self.config = config
        self.scheme = config.grading
        self.submitted_on = submitted_on
        self.registry = registry

    @cached_property
    def agency(self) -> AgencyFacts | None:
        """The registry's agency, only if it is the one the report names."""
        reg = self.registry
        if reg is None or reg.agency is None or self.agency_id is None:
            return None
        return reg.agency if reg.agency.id == self.agency_id else None

    @cached_property
    def registry_experts(self) -> dict[str, ExpertFacts]:
        """The team's experts the registry knows, by id (an id missing here is not in the registry)."""
        return self.registry.experts if self.registry is not None else {}


def registry_needs(report: Report, project: ProjectFacts | None = None) -> RegistryNeeds:
    """(agency id, expert ids) the caller must fetch from the registry before `evaluate`."""
    return ReportReading(report, project).registry_needs


__all__ = ["RegistryNeeds", "ReportReading", "RuleContext", "registry_needs"]
