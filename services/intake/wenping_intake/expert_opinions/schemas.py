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
    expert_name: str = Field(description="提出意见的专家")
    text: str = Field(description="意见内容")
    after_round: int = Field(description="提出意见时已报送的报告轮次数")
    answered_by_round: int = Field(description="须在报送该轮报告前记录采纳情况")
    submitted_at: dt.datetime
    adoption: OpinionAdoption | None = Field(description="采纳情况；评估主体尚未答复时为 null")
    adoption_label: str | None = Field(description="采纳情况的中文名称")
    adoption_reason: str | None = Field(description="采纳或不采纳的理由")
    adopted_by: str | None = Field(description="记录采纳情况的人")
    adopted_at: dt.datetime | None = Field(description="记录采纳情况的时间")
    version: int


class DrawnExpertsAnswer(BaseModel):
    project_id: str
    changed: int = Field(description="本次消息改变的专家人数（重复消息为 0）")


class AdoptionFigures(BaseModel):
    """One expert's, project's or region's opinions and how they were taken up. Rates are over
    the answered opinions (adoption recorded); null when none is answered yet."""

    key: str = Field(description="专家 id、项目 id 或行政区划代码")
    name: str | None = Field(description="专家姓名、项目名称或行政区划名称")
    opinions: int = Field(description="意见条数")
    answered: int = Field(description="已记录采纳情况的条数")
    adopted: int = Field(description="采纳")
    partly_adopted: int = Field(description="部分采纳")
    not_adopted: int = Field(description="未采纳")
    adoption_rate: float | None = Field(description="(采纳 + 部分采纳) / 已答复")
    full_adoption_rate: float | None = Field(description="采纳 / 已答复")


class ExpertOpinionStats(BaseModel):
    by_expert: list[AdoptionFigures] = Field(description="按专家")
    by_project: list[AdoptionFigures] = Field(description="按项目")
    by_region: list[AdoptionFigures]
