"""The checklist as versioned data: GET /api/v1/checklists and /{version}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from wenping_shared.contracts.vocab import ItemMode, Severity, label_of

from ..deps import CurrentPrincipal
from ..errors import ChecklistVersionNotFound
from .definitions import AVAILABLE_VERSIONS, POINTS_PER_CATEGORY, load_checklist

router = APIRouter(prefix="/api/v1/checklists", tags=["checklists"])


class ChecklistItemPublic(BaseModel):
    code: str
    title: str
    mode: str
    mode_label: str
    severity: str
    severity_label: str
    rule: str
    require: str
    points: float = Field(description="本项分值（类别10分由各项均分）")


class ChecklistCategoryPublic(BaseModel):
    code: str
    title: str
    title_en: str
    points: int
    items: list[ChecklistItemPublic]


class ChecklistPublic(BaseModel):
    version: str
    title: str
    categories: list[ChecklistCategoryPublic]
    item_count: int
    auto_item_count: int
    manual_item_count: int


class ChecklistVersion(BaseModel):
    version: str
    title: str
    item_count: int
    current: bool


def checklist_public(version: str) -> ChecklistPublic:
    c = load_checklist(version)
    return ChecklistPublic(
        version=c.version,
        title=c.title,
        categories=[
            ChecklistCategoryPublic(
                code=cat.code,
                title=cat.title,
                title_en=cat.title_en,
                points=POINTS_PER_CATEGORY,
                items=[
                    ChecklistItemPublic(
                        code=i.code,
                        title=i.title,
                        mode=i.mode.value,
                        mode_label=label_of(ItemMode, i.mode.value),
                        severity=i.severity.value,
                        severity_label=label_of(Severity, i.severity.value),
                        rule=i.rule,
                        require=i.require,
                        points=round(POINTS_PER_CATEGORY / len(cat.items), 4),
                    )
                    for i in cat.items
                ],
            )
            for cat in c.categories
        ],
        item_count=len(c.items),
        auto_item_count=sum(1 for i in c.items if i.mode == ItemMode.auto),
        manual_item_count=sum(1 for i in c.items if i.mode == ItemMode.manual),
    )


@router.get("", response_model=list[ChecklistVersion], summary="审查标准的各版本")
async def list_checklists(principal: CurrentPrincipal) -> list[ChecklistVersion]:
    out = []
    for v in AVAILABLE_VERSIONS:
        c = load_checklist(v)
        out.append(ChecklistVersion(version=v, title=c.title, item_count=len(c.items), current=v == AVAILABLE_VERSIONS[-1]))
    return out


@router.get("/{version}", response_model=ChecklistPublic, summary="某一版本的审查标准：类别与条目")
async def get_checklist(
    version: Annotated[str, Path(max_length=16, description="版本，如 v1")], principal: CurrentPrincipal
) -> ChecklistPublic:
    if version not in AVAILABLE_VERSIONS:
        raise ChecklistVersionNotFound(f"审查标准版本 {version} 不存在")
    return checklist_public(version)
