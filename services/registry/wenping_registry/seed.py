"""Demo data of spec demo-data.md (development only; idempotent)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import create_engine, create_sessionmaker
from wenping_shared.demo import ACCOUNTS, DEMO_PASSWORD, INTEGRATION_CLIENT, ORGANIZATIONS, REGIONS, SERVICE_CLIENTS
from wenping_shared.demo import org_id as demo_org_id
from wenping_shared.demo import user_id as demo_user_id

from .config import RegistrySettings
from .identity.models import ApiClient, Organization, Region, User
from .passwords import hash_password


def _level(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


async def seed_identity(session: AsyncSession) -> None:
    for code, name, parent in REGIONS:
        if await session.get(Region, code) is None:
            session.add(Region(code=code, name=name, parent_code=parent, level=_level(code)))
    await session.flush()
    for name, kind, region in ORGANIZATIONS:
        oid = demo_org_id(name)
        if await session.get(Organization, oid) is None:
            session.add(Organization(id=oid, name=name, kind=kind, region_code=region, created_by="seed"))
    await session.flush()
    password_hash = hash_password(DEMO_PASSWORD)
    for username, display, role, org, region in ACCOUNTS:
        uid = demo_user_id(username)
        if await session.get(User, uid) is None:
            session.add(User(id=uid, username=username, display_name=display, password_hash=password_hash,
                             roles=[role], org_id=demo_org_id(org), region_code=region, created_by="seed"))
    for service, secret in SERVICE_CLIENTS.items():
        client_id = f"{service}-service"
        if await session.get(ApiClient, client_id) is None:
            session.add(ApiClient(client_id=client_id, name=f"{service} 服务", kind="service",
                                  secret_hash=hash_password(secret), service_name=service, scopes=["service"]))
    client_id, secret, region, scopes = INTEGRATION_CLIENT
    if await session.get(ApiClient, client_id) is None:
        session.add(ApiClient(client_id=client_id, name="演示对接平台", kind="integration",
                              secret_hash=hash_password(secret), region_code=region, scopes=list(scopes)))
    await session.flush()


async def seed_demo(settings: RegistrySettings) -> None:
    engine = create_engine(settings.resolved_database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            await seed_identity(session)
            await session.commit()
    finally:
        await engine.dispose()
