"""Request and response models of the decision-list API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wenping_shared import Text
from wenping_shared.contracts.vocab import FilingBatch, ProjectCategory, ProjectStatus

from ..inputs import required_text
from ..projects.schemas import ProjectCreate
from .closeout import CloseOutState

MAX_ITEMS = 500


class DecisionListCreate(BaseModel):
    """A department's list, filed for the caller's own organisation and region (from the token)."""

    model_config = ConfigDict(extra="forbid")

    batch: FilingBatch = Field(description="清单批次：start_of_year 年初、mid_year 年中")
    year: int = Field(ge=2000, le=2100, description="清单年度")
    title: Text = Field(min_length=1, max_length=200, description="清单名称")
    items: list[ProjectCreate] = Field(
        min_length=1,
        max_length=MAX_ITEMS,
        description=f"清单事项（1 到 {MAX_ITEMS} 项），字段与 POST /api/v1/projects 相同；filing_batch 可省略（取清单批次）",
    )

    @field_validator("batch")
    @classmethod
    def _list_batch(cls, value: FilingBatch) -> FilingBatch:
        if value == FilingBatch.ad_hoc:
            raise ValueError("决策清单的批次只能为 start_of_year（年初）或 mid_year（年中）")
        return value

    _title = field_validator("title")(required_text)


class DecisionListItemPublic(BaseModel):
    position: int = Field(description="在清单中的序号（从 1 开始）")
    project_id: str
    number: str
    title: str
    category: ProjectCategory
    status: ProjectStatus
    status_label: str
    deadline: dt.date | None
    planned_decision_date: dt.date | None
    close_out_state: CloseOutState = Field(description="销号状态：closed_out 已销号、open 未销号、overdue 逾期未销号")
    close_out_label: str
    close_out_reason: str | None = Field(description="撤回或不予实施而视同销号时的原因")
    days_left: int | None = Field(description="距评估完成时限的天数（负数为已逾期；已销号或无时限为 null）")
    closed_at: dt.datetime | None


class CloseOutCounts(BaseModel):
    closed_out: int = 0
    open: int = 0
    overdue: int = 0


class DecisionListPublic(BaseModel):
    id: str
    title: str
    batch: FilingBatch
    batch_label: str
    year: int
    region_code: str
    responsible_org_id: str
    responsible_org_name: str | None
    item_count: int
    close_out: CloseOutCounts = Field(description="各销号状态的事项数（由项目当前状态计算）")
    created_by: str
    created_at: dt.datetime
    version: int


class DecisionListDetail(DecisionListPublic):
    items: list[DecisionListItemPublic]
