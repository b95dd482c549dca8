from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wenping_shared import MultiLineText, Text
from wenping_shared.contracts.vocab import ExpertField

from .algorithm import SEED_MAX


class ExpertDrawCreate(BaseModel):
    """A draw request. Without ``fields`` the project's matching fields (C02.3) are used;
    without ``seed`` the service generates an unpredictable one."""

    model_config = ConfigDict(extra="forbid")

    project_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="稳评项目 id（intake）")
    fields: list[ExpertField] | None = Field(default=None, min_length=1, max_length=11, description="专业领域")
    count: int = Field(ge=1, le=50, description="抽取人数")
    region_code: str = Field(pattern=r"^\d{6}$", description="抽取范围：该地区及其下级的专家")
    avoid_org_ids: list[Text] = Field(default_factory=list, max_length=100, description="另需回避的单位 id")
    seed: int | None = Field(default=None, ge=0, le=SEED_MAX, description="随机种子（可选）")

    @field_validator("avoid_org_ids")
    @classmethod
    def _avoid(cls, value: list[str]) -> list[str]:
        cleaned = sorted({v.strip() for v in value if v.strip()})
        if any(len(v) > 64 for v in cleaned):
            raise ValueError("回避单位 id 过长")
        return cleaned


class DrawProject(BaseModel):
    """What a draw needs to know about the project (from intake ``GET /api/v1/projects/{id}``)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    number: str | None = None
    title: str | None = None
    status: str | None = None
    region_code: str = Field(pattern=r"^\d{6}$")
    responsible_org_id: str | None = None
    implementing_org_id: str | None = None
    agency_org_id: str | None = None
    category: str | None = None
    sub_kind: str | None = None
    interests: list[str] = Field(default_factory=list)


class DrawnExpert(BaseModel):
    position: int
    expert_id: str
    name: str
    fields: list[str]
    employer_org_id: str | None
    employer_name: str | None = Field(description="工作单位名称（含非平台单位）；早于记录单位名称的抽取为 null")
    region_code: str
    draws_this_year: int = Field(description="抽取时本年度已被抽取次数（谢绝的不计）")
    declined: bool = Field(default=False, description="该专家已谢绝本次抽取")


class PoolEntry(BaseModel):
    """A candidate as recorded at the moment of the draw, and what became of it."""

    expert_id: str
    name: str
    fields: list[str]
    employer_org_id: str | None
    employer_name: str | None = Field(description="工作单位名称（含非平台单位）")
    status: str
    region_code: str
    draws_this_year: int
    previously_drawn_for_project: bool
    chosen: bool
    excluded_for: list[str] = Field(description="排除原因（代码）")
    excluded_for_labels: list[str]


class DeclineCreate(BaseModel):
    """The drawn expert declines (谢绝) the draw, saying why."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: MultiLineText = Field(min_length=2, max_length=500, description="谢绝理由")


class DrawDecline(BaseModel):
    """A chosen expert who declined, and who replaced them (by a draw of its own)."""

    expert_id: str
    name: str
    declined_at: dt.datetime = Field(description="谢绝时间")
    reason: str
    replacement_draw_id: str | None = Field(description="替补抽取记录；无符合条件的替补专家时为 null")
    replacement_expert_id: str | None = Field(description="补抽到的专家；无人可补时为 null")


class ExclusionCount(BaseModel):
    reason: str
    label: str
    count: int


class ExpertDrawPublic(BaseModel):
    id: str
    project_id: str
    project_number: str | None
    project_title: str | None
    project_region_code: str
    decision_body_org_id: str | None
    implementing_org_id: str | None
    region_code: str
    fields: list[str]
    count: int
    avoid_org_ids: list[str]
    algorithm_version: str
    seed: int
    seed_supplied: bool = Field(description="种子是否由请求方指定")
    year: int
    drawn_at: dt.datetime
    drawn_by: str
    eligible_count: int
    pool_size: int
    exclusion_counts: list[ExclusionCount] = Field(description="各排除原因的人数（一人可有多项原因）")
    chosen: list[DrawnExpert]
    declines: list[DrawDecline] = Field(description="谢绝记录（含替补抽取）")
    replaces_draw_id: str | None = Field(description="替补抽取：所替补的原抽取记录")
    replaces_expert_id: str | None = Field(description="替补抽取：谢绝的专家")
    pool: list[PoolEntry] | None = Field(
        description="候选名单（抽取时每位候选专家的状态）；仅 GET /api/v1/expert-draws/{id} 向专家以外的调用方返回，其余为 null"
    )


class DrawVerification(BaseModel):
    draw_id: str
    verified: bool
    algorithm_version: str
    seed: int
    pool_size: int
    recorded_expert_ids: list[str]
    rerun_expert_ids: list[str]
    detail: str


def sorted_candidate_json(candidate: Any) -> dict[str, Any]:
    """A DrawCandidate as stored: JSON, with its fields sorted (sets have no stable order)."""
    data: dict[str, Any] = candidate.model_dump(mode="json")
    data["fields"] = sorted(data["fields"])
    return data
