"""Request and response models of the inspections API (inspections, rectification, circulars)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wenping_shared import MultiLineText, Text
from wenping_shared.contracts.vocab import InspectionCheck, RectificationState

CHECK_RULE = (
    "每次督查须逐项记录四项检查（procedure 程序·查台账、implementation 落实·查进度、quality 质量·查效果、"
    "closure 整改·查整改）各一条发现；发现问题（problem=true）的须写明整改要求和整改时限，即成为一项整改，"
    "状态 required 待整改 → reported 已报告整改（被督查单位报告）→ accepted 已验收（维稳办负责人），"
    "或 returned 退回重新整改（维稳办负责人退回，被督查单位再次报告）。"
)


class CheckCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check: InspectionCheck = Field(description="检查项：procedure、implementation、quality、closure")
    finding: MultiLineText = Field(min_length=1, max_length=2000, description="检查发现")
    problem: bool = Field(False, description="是否发现问题（须整改）")
    requirement: MultiLineText | None = Field(None, min_length=1, max_length=2000, description="整改要求（发现问题时必填）")
    deadline: dt.date | None = Field(None, description="整改时限（发现问题时必填）")

    @model_validator(mode="after")
    def _rectification(self) -> CheckCreate:
        if self.problem and (self.requirement is None or self.deadline is None):
            raise ValueError("发现问题的检查项须填写整改要求（requirement）和整改时限（deadline）")
        if not self.problem and (self.requirement is not None or self.deadline is not None):
            raise ValueError("未发现问题的检查项不填写整改要求和整改时限")
        return self


class InspectionCreate(BaseModel):
    """一次现场督查：督查日期、督查人员、四项检查各一条发现。"""

    model_config = ConfigDict(extra="forbid")

    project_id: Text = Field(min_length=1, max_length=36, description="被督查的项目")
    inspected_on: dt.date = Field(description="督查日期（不晚于今天）")
    inspectors: list[Text] = Field(min_length=1, max_length=20, description="督查人员姓名")
    summary: MultiLineText | None = Field(None, max_length=2000, description="督查概况")
    checks: list[CheckCreate] = Field(min_length=4, max_length=4, description="四项检查，各一条")

    @model_validator(mode="after")
    def _four_checks(self) -> InspectionCreate:
        if {c.check for c in self.checks} != set(InspectionCheck):
            raise ValueError("四项检查（procedure、implementation、quality、closure）须各记录一条")
        for check in self.checks:
            if check.deadline is not None and check.deadline < self.inspected_on:
                raise ValueError("整改时限不能早于督查日期")
        return self


class RectificationReport(BaseModel):
    """被督查单位报告整改情况。"""

    model_config = ConfigDict(extra="forbid")

    report: MultiLineText = Field(min_length=1, max_length=4000, description="整改情况")


class RectificationDecision(BaseModel):
    """维稳办负责人验收或退回整改。退回时须说明理由，可另定整改时限。"""

    model_config = ConfigDict(extra="forbid")

    note: MultiLineText | None = Field(None, min_length=1, max_length=2000, description="验收意见或退回理由")
    deadline: dt.date | None = Field(None, description="退回时另定的整改时限（不填则沿用原时限）")


class FindingPublic(BaseModel):
    id: str
    inspection_id: str = Field(description="督查记录 id")
    project_id: str
    org_id: str
    inspected_on: dt.date = Field(description="督查日期")
    check: InspectionCheck = Field(description="检查项")
    check_label: str = Field(description="检查项（中文）")
    finding: str = Field(description="检查发现")
    problem: bool = Field(description="是否发现问题（须整改）")
    requirement: str | None = Field(description="整改要求")
    deadline: dt.date | None
    state: RectificationState | None = Field(description="整改状态（未发现问题时为 null）")
    state_label: str | None = Field(description="整改状态（中文）")
    overdue: bool = Field(description="整改未完成（待整改或退回）且已过整改时限")
    days_left: int | None = Field(description="距整改时限的天数（负数为已逾期；已报告、已验收或无须整改为 null）")
    report: str | None
    reported_at: dt.datetime | None = Field(description="报告整改时间")
    reported_by: str | None = Field(description="报告整改者（令牌主体）")
    decision_note: str | None = Field(description="验收意见或退回理由")
    decided_at: dt.datetime | None
    decided_by: str | None
    version: int


class InspectionPublic(BaseModel):
    id: str
    project_id: str
    project_number: str
    project_title: str
    region_code: str
    org_id: str = Field(description="被督查单位（项目责任单位）")
    org_name: str | None
    inspected_on: dt.date = Field(description="督查日期")
    inspectors: list[str] = Field(description="督查人员")
    summary: str | None
    recorded_by: str
    recorded_by_name: str | None
    created_at: dt.datetime
    open_rectifications: int = Field(description="尚未验收的整改数")
    findings: list[FindingPublic] = Field(description="检查发现")


class CircularCreate(BaseModel):
    """把一个期间本辖区督查发现的问题汇编成一份通报。"""

    model_config = ConfigDict(extra="forbid")

    period_start: dt.date = Field(description="期间起（督查日期）")
    period_end: dt.date = Field(description="期间止（含）")
    region_code: str | None = Field(None, pattern=r"^\d{6}$", description="发文区划（本辖区或其下级），默认本辖区")
    issuing_office: Text = Field(min_length=1, max_length=100, description="发文机关，如 景德镇市委政法委")
    number_prefix: Text = Field(min_length=1, max_length=20, description="发文机关代字，如 景政法通")
    title: Text | None = Field(None, min_length=1, max_length=200, description="标题；默认按期间生成")
    issued_on: dt.date | None = Field(None, description="成文日期，默认今天")

    @model_validator(mode="after")
    def _period(self) -> CircularCreate:
        if self.period_end < self.period_start:
            raise ValueError("period_end 不能早于 period_start")
        if (self.period_end - self.period_start).days > 366:
            raise ValueError("通报期间不能超过一年")
        return self


class Addressee(BaseModel):
    org_id: str
    org_name: str | None


class CircularFinding(BaseModel):
    finding_id: str = Field(description="督查发现的问题 id")
    project_id: str
    project_number: str
    project_title: str
    org_id: str
    org_name: str | None
    inspected_on: dt.date = Field(description="督查日期")
    check: InspectionCheck = Field(description="检查项")
    check_label: str = Field(description="检查项（中文）")
    finding: str = Field(description="检查发现")
    requirement: str | None = Field(description="整改要求")
    deadline: dt.date | None
    state: RectificationState | None = Field(description="整改状态（未发现问题时为 null）")
    state_label: str | None = Field(description="整改状态（中文）")


class CircularPublic(BaseModel):
    id: str
    document_number: str = Field(description="发文字号，按发文区划和年度连续编号，如 景政法通〔2026〕3号")
    year: int
    seq: int
    title: str
    region_code: str
    period_start: dt.date = Field(description="期间起")
    period_end: dt.date = Field(description="期间止（含）")
    issuing_office: str
    issued_on: dt.date
    addressees: list[Addressee] = Field(description="主送：问题所涉单位")
    findings: list[CircularFinding] = Field(description="检查发现")
    created_by: str
    created_at: dt.datetime
