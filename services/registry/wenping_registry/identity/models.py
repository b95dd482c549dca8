"""Regions, organisations, users and API clients: who exists and where they sit in the region tree."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from wenping_shared import UTCDateTime, utcnow
from wenping_shared.contracts.vocab import LabelledEnum

from ..database import TableBase


def new_id() -> str:
    return str(uuid.uuid4())


class OrganizationKind(LabelledEnum):
    department = "department", "决策部门"
    stability_office = "stability_office", "政法委/维稳办"
    agency = "agency", "第三方稳评机构"
    institution = "institution", "事业单位/高校/研究机构"


class Role(LabelledEnum):
    filer = "filer", "决策部门报备员"
    agency = "agency", "第三方机构人员"
    expert = "expert", "专家"
    reviewer = "reviewer", "审查员"
    supervisor = "supervisor", "维稳办负责人"
    admin = "admin", "平台管理员"


ROLE_LABELS: dict[str, str] = {role.value: role.label for role in Role}


class Region(TableBase, table=True):
    code: str = Field(primary_key=True, max_length=6)
    name: str = Field(max_length=100)
    parent_code: str | None = Field(default=None, foreign_key="region.code", index=True, max_length=6)
    level: str = Field(max_length=10, description="province | city | county")


class Organization(TableBase, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=32)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=6)
    credit_code: str | None = Field(default=None, max_length=18, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str | None = Field(default=None, max_length=64)


class User(TableBase, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=100)
    password_hash: str = Field(max_length=200)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    org_id: str = Field(foreign_key="organization.id", index=True, max_length=36)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=6)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    created_by: str | None = Field(default=None, max_length=64)


class ApiClient(TableBase, table=True):
    """A service (intake, review) or an integration client (another city's platform, a mobile backend)."""

    __tablename__ = "api_client"

    client_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16, description="service | integration")
    secret_hash: str = Field(max_length=200)
    #: For a service client: the service it is (intake, review).
    service_name: str | None = Field(default=None, max_length=16)
    region_code: str | None = Field(default=None, foreign_key="region.code", max_length=6)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    is_active: bool = True


class LoginFailure(TableBase, table=True):
    """Failed logins in the throttle window, per account and per address."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))


class ExternalIdentityLink(TableBase, table=True):
    """An outside subject (issuer + sub of a trusted external issuer) and the local user it acts as."""

    __tablename__ = "external_identity_link"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_external_identity_issuer_subject"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    issuer: str = Field(max_length=300)
    subject: str = Field(max_length=255)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    linked_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
