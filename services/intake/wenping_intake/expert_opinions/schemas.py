from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from wenping_shared import MultiLineText
from wenping_shared.contracts.vocab import OpinionAdoption


class OpinionCreate(BaseModel):
    """A drawn expert's written opinion on the project (the expert and the project come from
    the token and the path, never from the body)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: MultiLineText = Field(min_length=2, max_length=5000, description="书面意见")


class AdoptionRecord(BaseModel):
    """The assessor's answer to an opinion: adopted, partly adopted or not, and why."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    adoption: OpinionAdoption = Field(description="采纳情况")
    reason: MultiLineText = Field(min_length=2, max_length=1000, description="理由（采纳如何体现或不采纳的原因）")


class ExpertOpinionPublic(BaseModel):
    id: str
    project_id: str
    expert_id: str
    expert_name: str
    text: str
    after_round: int = Field(description="提出意见时已报送的报告轮次数")
    answered_by_round: int = Field(description="须在报送该轮报告前记录采纳情况")
    submitted_at: dt.datetime
    adoption: OpinionAdoption | None
    adoption_label: str | None
    adoption_reason: str | None
    adopted_by: str | None
    adopted_at: dt.datetime | None
    version: int


class DrawnExpertsAnswer(BaseModel):
    project_id: str
    changed: int = Field(description="本次消息改变的专家人数（重复消息为 0）")


class AdoptionFigures(BaseModel):
    """One expert's, project's or region's opinions and how they were taken up. Rates are over
    the answered opinions (adoption recorded); null when none is answered yet."""

    key: str = Field(description="专家 id、项目 id 或行政区划代码")
    name: str | None
    opinions: int
    answered: int
    adopted: int
    partly_adopted: int
    not_adopted: int
    adoption_rate: float | None = Field(description="(采纳 + 部分采纳) / 已答复")
    full_adoption_rate: float | None = Field(description="采纳 / 已答复")


class ExpertOpinionStats(BaseModel):
    by_expert: list[AdoptionFigures]
    by_project: list[AdoptionFigures]
    by_region: list[AdoptionFigures]
