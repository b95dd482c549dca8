from __future__ import annotations

import datetime as dt
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wenping_shared import CrossFieldError, MultiLineText, Text
from wenping_shared.contracts import messages
from wenping_shared.contracts.vocab import AgencyGrade, AgencyStatus

from .credit_code import validate_credit_code
from .grading import GradingCriteria


class AgencyFiling(BaseModel):
    """A filing (备案) with a province's political-legal committee."""

    model_config = ConfigDict(extra="forbid")

    province_code: str = Field(pattern=r"^\d{2}0000$", description="备案的省级行政区划代码（xx0000）")
    filed_on: dt.date
    filing_number: Text | None = Field(default=None, max_length=64, description="备案编号")


def _unique_provinces(value: list[AgencyFiling] | None) -> list[AgencyFiling] | None:
    if value is not None and len({f.province_code for f in value}) != len(value):
        raise ValueError("同一省份只能有一条备案")
    return value


class AgencyCreate(BaseModel):
    """A new agency (admins, in their region subtree). Without ``org_id`` an organisation of kind
    ``agency`` is created for it. Its status starts ``active``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text = Field(min_length=2, max_length=200)
    credit_code: Text = Field(min_length=1, max_length=40, description="统一社会信用代码（GB 32100-2015）")
    region_code: str = Field(pattern=r"^\d{6}$")
    org_id: Text | None = Field(default=None, max_length=36, description="机构人员所属的单位（kind=agency）")
    filings: list[AgencyFiling] = Field(default_factory=list, max_length=40)
    contact_person: Text | None = Field(default=None, max_length=100)
    contact_phone: Text | None = Field(default=None, max_length=32)
    address: Text | None = Field(default=None, max_length=300)

    _filings = field_validator("filings")(_unique_provinces)

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str) -> str:
        check = validate_credit_code(value)
        if not check.valid:
            raise ValueError(check.reason or "统一社会信用代码无效")
        return check.code


class AgencyUpdate(BaseModel):
    """Changes (admins managing the agency's region). A status change needs ``status_reason``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text | None = Field(default=None, min_length=2, max_length=200)
    status: AgencyStatus | None = None
    status_reason: MultiLineText | None = Field(default=None, max_length=500)
    filings: list[AgencyFiling] | None = Field(default=None, max_length=40, description="全部备案（整体替换）")
    contact_person: Text | None = Field(default=None, max_length=100)
    contact_phone: Text | None = Field(default=None, max_length=32)
    address: Text | None = Field(default=None, max_length=300)

    _filings = field_validator("filings")(_unique_provinces)

    @model_validator(mode="after")
    def _reason(self) -> Self:
        if self.status is not None and not self.status_reason:
            raise CrossFieldError("变更机构状态须说明原因（status_reason）", "status_reason")
        for name in ("name", "filings"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} 不能为 null")
        return self


class AgencyPerformance(BaseModel):
    reviews_count: int = Field(description="审查次数（报告轮次）")
    approved_count: int = Field(description="审查通过次数")
    returned_count: int = Field(description="退回次数")
    projects_completed: int = Field(description="审查通过的项目数（等级评定的“已完成项目”）")
    average_score: float | None = Field(description="报告审查平均得分")


class GradingPublic(BaseModel):
    id: str
    grade: str
    graded_on: dt.date
    valid_from: dt.date
    valid_until: dt.date
    criteria: GradingCriteria
    criteria_source: str = Field(description="records：取自平台记录；submitted：评定时提交")
    suggested_grade: str
    note: str | None
    graded_by: str
    created_at: dt.datetime


class AgencyPublic(BaseModel):
    id: str
    name: str
    credit_code: str
    org_id: str
    region_code: str
    status: str
    status_label: str
    status_reason: str | None
    filings: list[AgencyFiling]
    on_file: bool = Field(description="是否已在本省（机构所在省）备案")
    grade: str | None = Field(description="现行等级：最近一次仍在有效期内的评定；过期视为未定级")
    grade_label: str | None
    grade_valid_from: dt.date | None
    grade_valid_until: dt.date | None
    latest_grading: GradingPublic | None = Field(description="最近一次评定（可能已过期）")
    certified_staff: int = Field(description="持有效证书的在职从业人员数")
    practitioners_count: int
    misconduct_last_year: int = Field(description="近一年本省不良行为记录数")
    performance: AgencyPerformance
    contact_person: str | None
    contact_phone: str | None
    address: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class GradingCreate(BaseModel):
    """A grading. Without ``criteria`` the registry's own records are used (review outcomes,
    certified staff today, misconduct within the lookback); a grade the criteria do not support
    under the configured thresholds is refused."""

    model_config = ConfigDict(extra="forbid")

    grade: AgencyGrade
    valid_from: dt.date
    valid_until: dt.date
    graded_on: dt.date | None = Field(default=None, description="评定日期，默认今天")
    criteria: GradingCriteria | None = Field(default=None, description="评定依据（不填则取平台记录）")
    note: MultiLineText | None = Field(default=None, max_length=1000)

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.valid_until < self.valid_from:
            raise CrossFieldError("等级有效期结束日期早于开始日期", "valid_from", "valid_until")
        if (self.valid_until - self.valid_from).days > 366 * 5:
            raise CrossFieldError("等级有效期不能超过5年", "valid_from", "valid_until")
        return self


class CertificateInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: Text = Field(min_length=3, max_length=64, description="证书编号")
    issued_on: dt.date
    expires_on: dt.date | None = Field(default=None, description="有效期至（含），长期有效留空")

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise ValueError("证书有效期早于发证日期")
        return self


class PractitionerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text = Field(min_length=1, max_length=100)
    full_time: bool = True
    education: Text | None = Field(default=None, max_length=50, description="学历")
    certificates: list[CertificateInput] = Field(default_factory=list, max_length=20)

    @field_validator("certificates")
    @classmethod
    def _unique(cls, value: list[CertificateInput]) -> list[CertificateInput]:
        if len({c.number for c in value}) != len(value):
            raise ValueError("证书编号重复")
        return value


class CertificatePublic(BaseModel):
    number: str
    issued_on: dt.date
    expires_on: dt.date | None
    valid_today: bool


class PractitionerPublic(BaseModel):
    id: str
    agency_id: str
    name: str
    employed: bool
    full_time: bool
    education: str | None
    certified: bool = Field(description="今天是否持有有效证书")
    certificates: list[CertificatePublic]
    created_at: dt.datetime


class MisconductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    recorded_on: dt.date = Field(description="认定日期")
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$", description="发生地区，默认本人所在地区")
    description: MultiLineText = Field(min_length=2, max_length=2000)
    project_id: Text | None = Field(default=None, max_length=64)


class MisconductPublic(BaseModel):
    id: str
    agency_id: str
    credit_code: str
    recorded_on: dt.date
    region_code: str
    description: str
    project_id: str | None
    recorded_by: str
    created_at: dt.datetime


class PerformanceCreate(messages.AgencyPerformance):
    """The review service's message ``contracts.messages.AgencyPerformance``, under the name this
    API has always given the body (a component of its own, apart from the summary above)."""


class PerformancePublic(BaseModel):
    id: str
    agency_id: str
    review_id: str
    project_id: str
    round: int
    verdict: str
    score: float
    decided_at: dt.datetime
    received_at: dt.datetime
