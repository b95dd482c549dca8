"""Request and response models of the accountability API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wenping_shared import MultiLineText, Text
from wenping_shared.contracts.vocab import AccountabilityGround, AccountabilityKind, OfficialLevel

NAMES_RULE = (
    "被问责人员姓名（official_names）属个人信息，只有本辖区及上级的维稳办负责人和平台管理员可见；"
    "其他调用方看到人数和级别，姓名为 null。"
)
GROUND_RULE = (
    "每项措施须有依据（ground）：built_before_assessed 未评先建（报备时已实施）、implemented_before_approval "
    "审查通过前已决策实施、deadline_missed 超过评估完成时限、measure_deadline_missed "
    "防范化解措施逾期未完成、incident 跟踪期间发生事件、finding_not_rectified 督查问题未整改；"
    "系统核对该依据在该项目上成立（ground_ref 指明督查问题、措施或事件的 id），不成立的答 422；平台未记录的事件可不填 ground_ref 而以 ground_detail 说明。"
)


class AccountabilityCreate(BaseModel):
    """维稳办负责人记录的一项约谈、通报批评或问责。"""

    model_config = ConfigDict(extra="forbid")

    project_id: Text = Field(min_length=1, max_length=36, description="所涉项目（其责任单位为被约谈/问责单位）")
    kind: AccountabilityKind = Field(description="interview 约谈、criticism 通报批评、accountability 问责")
    ground: AccountabilityGround = Field(description="依据")
    ground_ref: Text | None = Field(None, max_length=64, description="依据所指的督查问题、措施或事件 id")
    ground_detail: MultiLineText | None = Field(None, max_length=2000, description="依据说明（incident 依据未填 ground_ref 时必填）")
    decided_on: dt.date = Field(description="决定日期（不晚于今天）")
    description: MultiLineText = Field(min_length=1, max_length=4000, description="措施内容")
    officials_count: int = Field(0, ge=0, le=1000, description="被问责人数（问责时至少 1 人）")
    officials_level: OfficialLevel | None = Field(None, description="被问责人员级别（问责时必填）")
    official_names: list[Text] = Field(default_factory=list, max_length=1000, description="被问责人员姓名（不多于人数）")

    @model_validator(mode="after")
    def _officials(self) -> AccountabilityCreate:
        if self.kind == AccountabilityKind.accountability and (self.officials_count < 1 or self.officials_level is None):
            raise ValueError("问责须填写被问责人数（officials_count 至少 1）和级别（officials_level）")
        if len(self.official_names) > self.officials_count:
            raise ValueError("被问责人员姓名不能多于被问责人数")
        if self.ground == AccountabilityGround.incident and not self.ground_ref and not self.ground_detail:
            raise ValueError("以平台未记录的事件为依据的，须填写依据说明（ground_detail）；已报告的事件填 ground_ref")
        return self


class AccountabilityPublic(BaseModel):
    id: str
    project_id: str
    project_number: str
    project_title: str
    region_code: str
    org_id: str = Field(description="被约谈/通报/问责的单位（项目责任单位）")
    org_name: str | None
    kind: AccountabilityKind
    kind_label: str
    ground: AccountabilityGround = Field(description="依据")
    ground_label: str = Field(description="依据（中文）")
    ground_ref: str | None = Field(description="依据所指的督查问题、措施或事件 id")
    ground_detail: str | None = Field(description="依据说明")
    decided_on: dt.date = Field(description="决定日期")
    description: str
    officials_count: int = Field(description="被问责人数")
    officials_level: OfficialLevel | None = Field(description="被问责人员级别")
    officials_level_label: str | None = Field(description="被问责人员级别（中文）")
    official_names: list[str] | None = Field(description="仅维稳办负责人和平台管理员可见，其他调用方为 null")
    recorded_by: str
    created_at: dt.datetime


class GroundProposal(BaseModel):
    """系统发现的一项可追责依据（供维稳办负责人参考，系统不自行采取任何措施）。"""

    ground: AccountabilityGround = Field(description="依据")
    ground_label: str = Field(description="依据（中文）")
    project_id: str
    project_number: str
    project_title: str
    region_code: str
    org_id: str
    org_name: str | None
    ground_ref: str | None = Field(description="所指的督查问题、措施或事件 id（记录措施时作为 ground_ref）")
    since: dt.date | None = Field(description="依据成立的日期（时限、事件日期等）")
    detail: str = Field(description="依据说明")
    actions: int = Field(description="已就该依据记录的措施数")


class GroundsBoard(BaseModel):
    region_code: str
    year: int
    margin_days: int = Field(description="时限类依据的宽限天数")
    rule: str
    items: list[GroundProposal]
