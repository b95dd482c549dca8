"""Request and response models of the targets API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wenping_shared import Text
from wenping_shared.contracts.vocab import ProjectCategory

#: What counts toward a target, stated once for the API and the workbook.
COUNTING_RULE = (
    "完成数由项目计算，不可填报：统计年度内（北京时间 1 月 1 日至 12 月 31 日）评估报告审查通过的项目"
    "（以最近一次审查通过日期计）；单位目标计该单位为责任单位的项目，区划目标计该区划及下级的项目；"
    "指定类别的目标只计该类别的项目。"
)


class TargetSet(BaseModel):
    """一个单位（org_id）或一个区划及其下级（region_code）的年度考核目标。"""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100, description="考核年度")
    region_code: str | None = Field(
        default=None, pattern=r"^\d{6}$", description="区划目标的行政区划代码（与 org_id 二选一）"
    )
    org_id: Text | None = Field(default=None, min_length=1, max_length=64, description="单位目标的单位 ID（与 region_code 二选一）")
    category: ProjectCategory | None = Field(default=None, description="只计该类别项目时填写；为空则计全部类别")
    target_count: int = Field(ge=0, le=10000, description="应完成的评估数")

    @model_validator(mode="after")
    def _one_scope(self) -> TargetSet:
        if (self.region_code is None) == (self.org_id is None):
            raise ValueError("region_code 与 org_id 须且只须填写一项")
        return self


class TargetPublic(BaseModel):
    """考核目标及其完成进度（由项目计算）。"""

    id: str
    year: int
    region_code: str = Field(description="区划目标的区划；单位目标为该单位所在区划")
    org_id: str | None
    org_name: str | None
    category: ProjectCategory | None
    category_label: str | None
    target_count: int = Field(description="应完成的评估数")
    completed: int = Field(description="已完成数（由项目计算）")
    remaining: int = Field(description="尚差数（不小于 0）")
    met: bool = Field(description="是否已完成目标")
    set_by: str = Field(description="最后设定者（令牌主体）")
    updated_at: dt.datetime
    version: int


class TargetBoard(BaseModel):
    """某年度本辖区的考核目标及完成进度。"""

    year: int
    region_code: str
    counting_rule: str = Field(description="完成数的计算规则")
    items: list[TargetPublic]


class TargetImportResult(BaseModel):
    """目标分解表的导入结果。"""

    created: int = Field(description="新设定的目标数")
    replaced: int = Field(description="替换原有目标的数量")
    items: list[TargetPublic]
