from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wenping_shared import Text

from .models import OrganizationKind, Role

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class RegionPublic(BaseModel):
    code: str
    name: str
    parent_code: str | None
    level: str


class RegionDetail(RegionPublic):
    children: list[RegionPublic]


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=2, max_length=200, description="单位全称")
    kind: OrganizationKind = Field(description="department 决策部门 | stability_office 政法委/维稳办 | agency | institution")
    region_code: str = Field(pattern=r"^\d{6}$", description="所属行政区划代码（须在管理员辖区内）")


class OrganizationPublic(BaseModel):
    id: str
    name: str
    kind: str
    kind_label: str
    region_code: str
    credit_code: str | None
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Text = Field(description="登录名：小写字母、数字、点、下划线或连字符，3-64 位")
    display_name: Text = Field(min_length=1, max_length=100)
    password: Text = Field(min_length=10, max_length=128, description="至少 10 位")
    roles: list[Role] = Field(min_length=1, description="角色")
    org_id: Text = Field(description="所属单位（须在管理员辖区内）；用户的地区取自单位")

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not _USERNAME.match(value):
            raise ValueError("登录名须为 3-64 位小写字母、数字、点、下划线或连字符，且以字母或数字开头")
        return value

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[Role]) -> list[Role]:
        return sorted(set(value))


class UserPublic(BaseModel):
    id: str
    username: str
    display_name: str
    roles: list[str]
    org_id: str
    org_name: str | None = None
    region_code: str
    is_active: bool
    created_at: datetime


class Me(UserPublic):
    audience: list[str] = Field(description="当前令牌的受众")
    scope: str
