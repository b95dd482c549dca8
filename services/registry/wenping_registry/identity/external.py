"""Outside identities: the local user an outside subject acts as (created on first sight, kept in
step with the mapping), audited under that local user."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import BadRequest, Principal, Text, utcnow
from wenping_shared._settings import MAPPABLE_ROLES, ExternalIssuer

from ..audit import service as audit
from .models import ExternalIdentityLink, Organization, User

#: Never a valid argon2 hash: a linked user can sign in only through its issuer.
NO_PASSWORD = "!external-identity"


class UntrustedIssuer(BadRequest, code="identity.untrusted_issuer", message="该签发者未配置为受信任的外部身份提供方"): ...


class ExternalMappingInvalid(BadRequest, code="identity.external_mapping_invalid", message="外部身份映射的角色、单位或行政区划在注册服务中不存在"): ...


class ExternalIdentityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issuer: Text = Field(min_length=1, max_length=300, description="外部签发者（iss）")
    subject: Text = Field(min_length=1, max_length=255, description="外部主体（sub）")
    display_name: Text | None = Field(None, max_length=100, description="外部令牌中的姓名")
    roles: list[Text] = Field(min_length=1, max_length=6, description="映射后的本地角色")
    org_id: Text = Field(max_length=36, description="映射后的本地单位 id")
    region_code: str = Field(pattern=r"^\d{6}$", description="映射后的行政区划代码")


class ExternalIdentityLinked(BaseModel):
    user_id: str = Field(description="本地用户 id（审计记录中的操作人）")
    username: str = Field(description="本地用户名")
    created: bool = Field(description="是否为首次关联（新建本地用户）")


class ExternalIdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def link(self, issuer: str, subject: str) -> ExternalIdentityLink | None:
        result = await self.session.exec(
            select(ExternalIdentityLink).where(ExternalIdentityLink.issuer == issuer, ExternalIdentityLink.subject == subject)
        )
        return result.first()


def local_username(issuer: str, subject: str) -> str:
    return "ext-" + hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]


class ExternalIdentityService:
    def __init__(self, session: AsyncSession, trusted: list[ExternalIssuer]) -> None:
        self.session = session
        self.trusted = {i.issuer for i in trusted}
        self.links = ExternalIdentityRepository(session)

    async def link(self, caller: Principal | str, data: ExternalIdentityIn) -> ExternalIdentityLinked:
        """Find or create the local user of an outside subject, with the mapped role, organisation and region."""
        if data.issuer not in self.trusted:
            raise UntrustedIssuer()
        org = await self.session.get(Organization, data.org_id)
        if org is None or not set(data.roles) <= MAPPABLE_ROLES:
            raise ExternalMappingInvalid()
        roles = sorted(set(data.roles))
        link = await self.links.link(data.issuer, data.subject)
        created = link is None
        if link is None:
            user = User(
                username=local_username(data.issuer, data.subject),
                display_name=(data.display_name or data.subject)[:100],
                password_hash=NO_PASSWORD,
                roles=roles,
                org_id=org.id,
                region_code=data.region_code,
                created_by=caller.subject if isinstance(caller, Principal) else caller,
            )
            self.session.add(user)
            await self.session.flush()
            link = ExternalIdentityLink(issuer=data.issuer, subject=data.subject, user_id=user.id)
            self.session.add(link)
            audit.record(self.session, user.id, "identity.external_link", "user", user.id, region_code=user.region_code,
                         changes={"issuer": data.issuer, "subject": data.subject, "roles": roles, "org_id": org.id,
                                  "linked_by": caller.subject if isinstance(caller, Principal) else caller})
        else:
            existing = await self.session.get(User, link.user_id)
            assert existing is not None  # the link's foreign key
            user = existing
            changes = {
                name: {"from": getattr(user, name), "to": value}
                for name, value in (("roles", roles), ("org_id", org.id), ("region_code", data.region_code))
                if getattr(user, name) != value
            }
            if changes:
                # The issuer's mapping changed: the local user follows it, and the change is audited.
                user.roles, user.org_id, user.region_code = roles, org.id, data.region_code
                self.session.add(user)
                audit.record(self.session, user.id, "identity.external_mapping_changed", "user", user.id,
                             region_code=user.region_code, changes={"issuer": data.issuer, **changes})
            link.last_seen_at = utcnow()
            self.session.add(link)
        await self.session.flush()
        return ExternalIdentityLinked(user_id=user.id, username=user.username, created=created)
