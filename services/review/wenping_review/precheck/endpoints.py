"""Precheck: an agency (or filer, reviewer, supervisor) checks a draft against the auto items.
Nothing is stored and the database is not touched (the region configuration comes from a brief
cache), so the handler stays lean."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from wenping_shared import NotFound, Principal, ServiceUnavailable, region_contains, require_roles
from wenping_shared.contracts.vocab import ItemMode, ItemResult

from ..checklist import ProjectFacts, load_checklist, score, verdict
from ..clock import today_cn
from ..deps import IntakeSourceDep, RegistrySourceDep
from ..evaluation import evaluate_with_registry
from ..reviews.service import CURRENT_CHECKLIST, _plain
from ..sources import PeerDown
from .schemas import ManualSuggestion, PrecheckItem, PrecheckRequest, PrecheckResult

router = APIRouter(prefix="/api/v1", tags=["precheck"])

PrecheckPrincipal = Annotated[Principal, Depends(require_roles("agency", "filer", "reviewer", "supervisor"))]


def _may_see_project(principal: Principal, project: dict[str, Any]) -> bool:
    if principal.has_role("reviewer", "supervisor") and principal.region_code:
        if region_contains(principal.region_code, str(project.get("region_code") or "")):
            return True
    if principal.has_role("filer") and principal.org_id and principal.org_id == project.get("responsible_org_id"):
        return True
    return bool(principal.has_role("agency") and principal.org_id and principal.org_id == project.get("agency_org_id"))


@router.post(
    "/precheck",
    response_model=PrecheckResult,
    summary="预审：报告草稿按自动审查项检查，不保存任何内容",
    description="不带 project_id 时，需要项目信息的条目（C01.2、C02.1、C02.2）为 not_applicable 并说明原因。"
    "报送日期按今天计算。",
)
async def precheck(
    data: PrecheckRequest,
    request: Request,
    principal: PrecheckPrincipal,
    registry: RegistrySourceDep,
    intake: IntakeSourceDep,
) -> Response:
    project: ProjectFacts | None = None
    if data.project_id is not None:
        try:
            raw = await intake.project(data.project_id)
        except PeerDown as exc:
            raise ServiceUnavailable("受理服务暂不可用，请稍后重试或不带 project_id 预审", code="precheck.intake_unavailable") from exc
        if raw is None or not _may_see_project(principal, raw):
            raise NotFound("项目不存在", code="project.not_found")
        project = ProjectFacts.from_dict(raw)
    region = project.region_code if project is not None else (principal.region_code or "000000")
    resolved = await request.app.state.region_configs.get(region)
    checklist = load_checklist(CURRENT_CHECKLIST)
    submitted_on = today_cn()
    outcomes, answer = await evaluate_with_registry(
        data.report, checklist=checklist, config=resolved.config, submitted_on=submitted_on, project=project, registry=registry
    )
    # Models built without re-validation from values the engine produced, serialised once.
    items: list[PrecheckItem] = []
    manual: list[ManualSuggestion] = []
    counts = {r.value: 0 for r in ItemResult}
    assumed: dict[str, ItemResult] = {}
    for definition, o in zip(checklist.items, outcomes, strict=True):
        category = checklist.category_of[definition.code].code
        if definition.mode == ItemMode.manual:
            manual.append(
                ManualSuggestion.model_construct(
                    code=o.code,
                    title=definition.title,
                    category_code=category,
                    suggestion=o.suggestion.value if o.suggestion is not None else None,
                    evidence=o.evidence,
                )
            )
            assumed[o.code] = ItemResult.pass_
            continue
        counts[o.result.value] += 1
        assumed[o.code] = ItemResult.pass_ if o.result == ItemResult.pending else o.result
        items.append(
            PrecheckItem.model_construct(
                code=o.code,
                title=definition.title,
                category_code=category,
                severity=definition.severity.value,
                result=o.result.value,
                evidence=o.evidence,
                details=_plain(o.details),
                require=definition.require,
            )
        )
    provisional = verdict(assumed, checklist)
    assert provisional is not None
    result = PrecheckResult.model_construct(
        checklist_version=checklist.version,
        project_id=data.project_id,
        submitted_on=submitted_on.isoformat(),
        config_source=resolved.source(),
        items=items,
        manual_items=manual,
        counts=counts,
        failed_items=[i.code for i in items if i.result == ItemResult.fail],
        pending_items=[i.code for i in items if i.result == ItemResult.pending],
        provisional_verdict=provisional.value,
        provisional_score=score(assumed, checklist),
        registry_unavailable=answer.unavailable,
    )
    return Response(result.model_dump_json(), media_type="application/json")
