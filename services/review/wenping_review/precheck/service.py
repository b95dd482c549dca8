"""Precheck: a draft report checked against the auto items; nothing is stored and the database is
not touched (the region configuration comes from a brief cache), so a precheck stays cheap.

Without a project the items that need its record (C01.2, C02.1, C02.2) are not_applicable; with
one, the caller must see the project by the platform's one rule (`wenping_shared.sees_project`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wenping_shared import Principal, ProjectNotFound, local_today, sees_project
from wenping_shared.contracts.vocab import ItemMode, ItemResult

from ..checklist import Checklist, ItemOutcome, ProjectFacts, load_checklist, score, verdict
from ..errors import PrecheckIntakeUnavailable
from ..evaluation import CURRENT_CHECKLIST, evaluate_with_registry
from ..region_configs.service import RegionConfigCache
from ..sources import IntakeSource, PeerDown, RegistrySource
from .schemas import ManualSuggestion, PrecheckItem, PrecheckRequest, PrecheckResult

NO_REGION = "000000"
"""The region whose configuration applies when neither a project nor the caller names one."""


@dataclass(frozen=True, slots=True)
class _Parties:
    """Who a project belongs to, as intake's answer states it (what `sees_project` needs)."""

    region_code: str
    responsible_org_id: str | None
    agency_org_id: str | None

    @classmethod
    def of(cls, project: dict[str, Any]) -> _Parties:
        return cls(
            str(project.get("region_code") or ""), project.get("responsible_org_id"), project.get("agency_org_id")
        )


class PrecheckService:
    def __init__(self, registry: RegistrySource, intake: IntakeSource, region_configs: RegionConfigCache) -> None:
        self.registry = registry
        self.intake = intake
        self.region_configs = region_configs

    async def check(self, principal: Principal, data: PrecheckRequest) -> PrecheckResult:
        project = await self._project(principal, data.project_id)
        region = project.region_code if project is not None else (principal.region_code or NO_REGION)
        resolved = await self.region_configs.get(region)
        checklist = load_checklist(CURRENT_CHECKLIST)
        submitted_on = local_today()  # a precheck judges the draft as if submitted today
        outcomes, answer = await evaluate_with_registry(
            data.report,
            checklist=checklist,
            config=resolved.config,
            submitted_on=submitted_on,
            project=project,
            registry=self.registry,
        )
        items, manual, assumed = _split(checklist, outcomes)
        counts = {r.value: 0 for r in ItemResult}
        for item in items:
            counts[item["result"]] += 1
        provisional = verdict(assumed, checklist)
        assert provisional is not None  # every item has an assumed result
        return PrecheckResult.model_construct(
            checklist_version=checklist.version,
            project_id=data.project_id,
            submitted_on=submitted_on.isoformat(),
            config_source=resolved.source(),
            items=items,
            manual_items=manual,
            counts=counts,
            failed_items=[i["code"] for i in items if i["result"] == ItemResult.fail],
            pending_items=[i["code"] for i in items if i["result"] == ItemResult.pending],
            provisional_verdict=provisional.value,
            provisional_score=score(assumed, checklist),
            registry_unavailable=answer.unavailable,
        )

    async def _project(self, principal: Principal, project_id: str | None) -> ProjectFacts | None:
        if project_id is None:
            return None
        try:
            raw = await self.intake.project(project_id)
        except PeerDown as exc:
            raise PrecheckIntakeUnavailable() from exc
        if raw is None or not sees_project(principal, _Parties.of(raw)):
            raise ProjectNotFound()
        return ProjectFacts.from_dict(raw)


def _split(
    checklist: Checklist, outcomes: list[ItemOutcome]
) -> tuple[list[PrecheckItem], list[ManualSuggestion], dict[str, ItemResult]]:
    """(auto items, manual suggestions, the result each item is assumed to get): manual and
    pending items are assumed to pass, so the provisional verdict shows what the auto items
    alone would cost. Details stay as the engine gave them; `precheck_json` writes them."""
    items: list[PrecheckItem] = []
    manual: list[ManualSuggestion] = []
    assumed: dict[str, ItemResult] = {}
    for definition, o in zip(checklist.items, outcomes, strict=True):
        category = checklist.category_of[definition.code].code
        if definition.mode == ItemMode.manual:
            manual.append(
                ManualSuggestion(
                    code=o.code,
                    title=definition.title,
                    category_code=category,
                    suggestion=o.suggestion.value if o.suggestion is not None else None,
                    evidence=o.evidence,
                )
            )
            assumed[o.code] = ItemResult.pass_
            continue
        assumed[o.code] = ItemResult.pass_ if o.result == ItemResult.pending else o.result
        items.append(
            PrecheckItem(
                code=o.code,
                title=definition.title,
                category_code=category,
                severity=definition.severity.value,
                result=o.result.value,
                evidence=o.evidence,
                details=o.details,
                require=definition.require,
            )
        )
    return items, manual, assumed


__all__ = ["PrecheckService"]
