from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wenping_shared import MultiLineText, Text
from wenping_shared.contracts.vocab import ExpertField, ExpertStatus

from .xlsx import id_number_problem

_PHONE = re.compile(r"^[0-9+\-() ]{5,32}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _normalize_id_number(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    if not value:
        return None
    problem = id_number_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _matching(pattern: re.Pattern[str], message: str) -> Callable[[str | None], str | None]:
    """A validator of optional text: blank is None, anything else is stripped and must match ``pattern``."""

    def check(value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not pattern.match(value):
            raise ValueError(message)
        return value

    return check


_check_phone = _matching(_PHONE, "联系电话格式不正确")
_check_email = _matching(_EMAIL, "电子邮箱格式不正确")


def _check_fields(value: list[ExpertField]) -> list[ExpertField]:
    return sorted(set(value))


RegionCode = Annotated[str, Field(pattern=r"^\d{6}$", description="行政区划代码（GB/T 2260）")]


class ExpertCreate(BaseModel):
    """A new expert (admins, in their region subtree). The status starts ``active``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # The same limits as the import spreadsheet (experts/xlsx.py), so every export re-imports.
    name: Text = Field(min_length=1, max_length=50)
    fields: list[ExpertField] = Field(min_length=1, max_length=11, description="专业领域")
    title: Text | None = Field(default=None, max_length=50, description="职称/职务")
    employer_org_id: Text | None = Field(default=None, max_length=36, description="工作单位（平台中的单位，用于回避）")
    employer_name: Text | None = Field(default=None, max_length=200, description="工作单位名称（无平台单位时必填）")
    region_code: RegionCode
    phone: Text | None = Field(default=None, max_length=32)
    email: Text | None = Field(default=None, max_length=200)
    id_number: Text | None = Field(default=None, max_length=18, description="身份证号码（个人信息）")
    term_start: dt.date | None = Field(default=None, description="聘期开始")
    term_end: dt.date | None = Field(default=None, description="聘期结束")
    user_id: Text | None = Field(default=None, max_length=36, description="专家的平台账号（角色 expert）")

    _fields = field_validator("fields")(_check_fields)
    _id = field_validator("id_number")(_normalize_id_number)
    _phone = field_validator("phone")(_check_phone)
    _email = field_validator("email")(_check_email)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValueError("聘期结束日期不能早于开始日期")
        if not self.employer_org_id and not self.employer_name:
            raise ValueError("须填写工作单位（employer_org_id 或 employer_name）")
        return self


class ExpertUpdate(BaseModel):
    """Changes to an expert (admins). ``status`` changes need a ``status_reason``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text | None = Field(default=None, min_length=1, max_length=50)
    fields: list[ExpertField] | None = Field(default=None, min_length=1, max_length=11)
    title: Text | None = Field(default=None, max_length=50)
    employer_org_id: Text | None = Field(default=None, max_length=36)
    employer_name: Text | None = Field(default=None, min_length=1, max_length=200)
    region_code: RegionCode | None = None
    phone: Text | None = Field(default=None, max_length=32)
    email: Text | None = Field(default=None, max_length=200)
    id_number: Text | None = Field(default=None, max_length=18)
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    status: ExpertStatus | None = None
    status_reason: MultiLineText | None = Field(default=None, max_length=500)

    _id = field_validator("id_number")(_normalize_id_number)
    _phone = field_validator("phone")(_check_phone)
    _email = field_validator("email")(_check_email)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[ExpertField] | None) -> list[ExpertField] | None:
        return None if value is None else _check_fields(value)

    @model_validator(mode="after")
    def _reason(self) -> Self:
        if self.status is not None and not self.status_reason:
            raise ValueError("变更专家状态须说明原因（status_reason）")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("姓名不能为空")
        if "region_code" in self.model_fields_set and self.region_code is None:
            raise ValueError("所属地区不能为空")
        if "fields" in self.model_fields_set and self.fields is None:
            raise ValueError("专业领域不能为空")
        return self


class ExpertContact(BaseModel):
    """Personal data (个人信息)."""

    phone: str | None
    email: str | None
    id_number: str | None


class ParticipationEntry(BaseModel):
    draw_id: str
    project_id: str
    project_number: str | None
    project_title: str | None
    drawn_at: dt.datetime
    declined_at: dt.datetime | None = Field(default=None, description="谢绝时间（谢绝的抽取不计入负载）")


class ExpertPublic(BaseModel):
    id: str
    name: str
    fields: list[str]
    field_labels: list[str]
    title: str | None
    employer_org_id: str | None
    employer_name: str
    region_code: str
    term_start: dt.date | None
    term_end: dt.date | None
    status: str
    status_label: str
    status_reason: str | None
    user_id: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    contact: ExpertContact | None = Field(
        default=None, description="个人信息：仅专家所在辖区的管理员和审查员可见，其他调用方为 null"
    )


class ExpertDetail(ExpertPublic):
    draws_this_year: int = Field(description="本年度被抽取次数（谢绝的不计）")
    draws_total: int = Field(description="累计被抽取次数（谢绝的不计）")
    participation: list[ParticipationEntry] = Field(description="参与记录（最近 50 次抽取，新的在前）")
