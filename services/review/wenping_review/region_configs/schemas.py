from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wenping_shared import MultiLineText, Text


class RegionConfigUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overrides: dict[Text, Any] = Field(
        description="覆盖默认值的部分配置，如 {\"notice_days\": 10, \"grading\": {\"method\": \"index\"}}",
        examples=[{"notice_days": 10, "revision_deadline_days": 20}],
    )
    comment: MultiLineText | None = Field(default=None, max_length=500, description="变更说明")


class RegionConfigVersionPublic(BaseModel):
    region_code: str
    version: int
    overrides: dict[str, Any]
    comment: str | None
    created_by: str
    created_at: datetime


class EffectiveRegionConfig(BaseModel):
    region_code: str = Field(description="所查询的地区")
    source_region_code: str | None = Field(description="生效配置所属地区（本级或最近的上级）；null 为默认配置")
    version: int | None = Field(description="生效配置的版本；null 为默认配置")
    overrides: dict[str, Any]
    config: dict[str, Any] = Field(description="合并默认值后的完整配置")
