"""Demo data of spec demo-data.md (development only; idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, create_engine, create_sessionmaker, local_today
from wenping_shared.demo import (
    ACCOUNTS,
    DEMO_PASSWORD,
    INTEGRATION_CLIENT,
    ORGANIZATIONS,
    REGIONS,
    SERVICE_CLIENTS,
    demo_id,
)
from wenping_shared.demo import org_id as demo_org_id
from wenping_shared.demo import user_id as demo_user_id

from .agencies.credit_code import credit_code_check_char
from .agencies.grading import GradingCriteria, suggest_grade
from .agencies.models import Agency, AgencyGradingRecord, AgencyMisconduct, AgencyPractitioner, PractitionerCertificate
from .config import RegistrySettings
from .draws.models import ExpertDraw
from .draws.schemas import DrawProject, ExpertDrawCreate
from .draws.service import ExpertDrawService
from .experts.models import Expert, ExpertFieldEntry
from .experts.xlsx import id_number_check_char
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


# --- the expert pool ---------------------------------------------------------------------

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
_GIVEN = ("建国", "秀英", "志强", "海燕", "文博", "晓东", "丽华", "国平", "明辉", "雪梅", "立新", "春生",
          "玉兰", "德胜", "静怡", "宏伟", "淑珍", "振华", "桂芳", "子健", "嘉明", "思远")
_FIELD_CYCLE: tuple[tuple[str, ...], ...] = (
    ("law_policy",), ("finance",), ("construction",), ("environment",), ("social_governance",),
    ("petition_stability",), ("land_requisition",), ("heritage",), ("work_safety",), ("transport",),
    ("water",), ("law_policy", "social_governance"), ("construction", "land_requisition"),
    ("finance", "law_policy"), ("work_safety", "social_governance"), ("construction", "transport"),
    ("environment", "water"), ("petition_stability", "social_governance"), ("land_requisition",),
    ("construction",), ("social_governance",), ("law_policy",),
)
_TITLES = ("教授", "副教授", "高级工程师", "研究员", "律师", "高级经济师", "正高级工程师", "副研究员")
# 330411 (秀洲区) and 620724 (高台县) are left without demo experts: tests build pools of their own there.
_JX_REGIONS = ("330400", "330402", "330421", "330483")
_ZY_REGIONS = ("620700", "620702")
_JX_EMPLOYERS = ("嘉兴学院", "嘉兴市发展和改革委员会", "嘉兴市住房和城乡建设局", None, None, None)
_JX_OTHER = ("浙江禾城律师事务所", "嘉兴市规划设计研究院", "嘉兴市社会科学界联合会", "浙江清华长三角研究院")
_ZY_OTHER = ("河西学院", "张掖市水利水电勘测设计院", "甘肃金张掖律师事务所", "张掖市生态环境研究所")
EXPERTS_PER_CITY = {"330400": 24, "620700": 18}


def _id_number(region_code: str, born: dt.date, seq: int) -> str:
    first17 = f"{region_code}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_number_check_char(first17)


def demo_experts() -> list[dict[str, Any]]:
    """The demo pool: every field in both cities, a few suspended or retired, some employed by
    demo departments (so draws have someone to avoid), expert.jx1 linked to its account."""
    experts: list[dict[str, Any]] = []
    n = 0
    for city, count in EXPERTS_PER_CITY.items():
        regions = _JX_REGIONS if city == "330400" else _ZY_REGIONS
        for i in range(count):
            name = _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n * 7) % len(_GIVEN)]
            employer_org: str | None = None
            if city == "330400":
                org_name = _JX_EMPLOYERS[i % len(_JX_EMPLOYERS)]
                if org_name is not None:
                    employer_org = demo_org_id(org_name)
                employer = org_name or _JX_OTHER[i % len(_JX_OTHER)]
            else:
                employer_org = demo_org_id("张掖市自然资源局") if i % 6 == 1 else None
                employer = "张掖市自然资源局" if employer_org else _ZY_OTHER[i % len(_ZY_OTHER)]
            status = "suspended" if i == count - 2 else "retired" if i == count - 1 else "active"
            experts.append({
                "id": demo_id("expert", f"{city}-{i:02d}"),
                "name": name,
                "fields": sorted(_FIELD_CYCLE[i % len(_FIELD_CYCLE)]),
                "title": _TITLES[n % len(_TITLES)],
                "employer_org_id": employer_org,
                "employer_name": employer,
                "region_code": regions[i % len(regions)],
                "phone": f"13{8 if city == '330400' else 9}{n:08d}",
                "email": f"expert{n:02d}@example.cn",
                "id_number": _id_number(regions[i % len(regions)], dt.date(1965 + n % 25, 1 + n % 12, 1 + n % 28), n),
                "term_start": dt.date(2024, 1, 1),
                "term_end": dt.date(dt.date.today().year + 2, 12, 31),
                "status": status,
                "status_reason": {"suspended": "年度考核暂停", "retired": "聘期内退休退出"}.get(status),
            })
            n += 1
    # expert.jx1 (嘉兴学院) has a platform account: its record is linked to it.
    experts.append({
        "id": demo_id("expert", "expert.jx1"),
        "name": "沈文清",
        "fields": ["law_policy", "social_governance"],
        "title": "教授",
        "employer_org_id": demo_org_id("嘉兴学院"),
        "employer_name": "嘉兴学院",
        "region_code": "330400",
        "phone": "13857300001",
        "email": "expert.jx1@example.cn",
        "id_number": _id_number("330402", dt.date(1972, 5, 18), 731),
        "term_start": dt.date(2024, 1, 1),
        "term_end": dt.date(dt.date.today().year + 2, 12, 31),
        "status": "active",
        "status_reason": None,
        "user_id": demo_user_id("expert.jx1"),
    })
    return experts


async def seed_experts(session: AsyncSession) -> None:
    for data in demo_experts():
        if await session.get(Expert, data["id"]) is not None:
            continue
        session.add(Expert(**data, created_by="seed"))
        await session.flush()
        for value in data["fields"]:
            session.add(ExpertFieldEntry(expert_id=data["id"], field=value))
    await session.flush()


# --- agencies ------------------------------------------------------------------------------


def demo_credit_code(region_code: str, seq: int) -> str:
    first17 = f"91{region_code}MA2A{seq:05d}"
    return first17 + credit_code_check_char(first17)


# Every demo agency sits at city level: the county organisation lists stay as demo-data.md has them.
#: (name, region, grade, status, grade expired?, certified practitioners, misconduct?)
DEMO_AGENCIES: tuple[tuple[str, str, str, str, bool, int, bool], ...] = (
    ("嘉兴和谐社会风险评估咨询有限公司", "330400", "B", "active", False, 6, False),
    ("张掖市稳评咨询中心", "620700", "D", "active", False, 3, False),
    ("嘉兴致远社会稳定风险评估研究院", "330400", "A", "active", False, 10, False),
    ("嘉兴民安咨询服务有限公司", "330400", "C", "active", False, 4, False),
    ("嘉兴安和评估咨询有限公司", "330400", "C", "suspended", False, 3, True),
    ("嘉兴和信稳评事务所", "330400", "C", "active", True, 3, False),
    ("甘肃陇原社会风险评估有限公司", "620700", "B", "active", False, 6, False),
    ("张掖市稳安咨询服务部", "620700", "D", "active", False, 3, False),
    ("张掖民和评估中心", "620700", "C", "active", True, 3, False),
)

#: Criteria that support each grade under the default thresholds.
_CRITERIA = {
    "A": GradingCriteria(projects_completed=24, average_review_score=88.5, certified_staff=10, misconduct_records=0),
    "B": GradingCriteria(projects_completed=12, average_review_score=79.0, certified_staff=6, misconduct_records=0),
    "C": GradingCriteria(projects_completed=5, average_review_score=66.0, certified_staff=3, misconduct_records=0),
    "D": GradingCriteria(projects_completed=1, average_review_score=58.0, certified_staff=3, misconduct_records=0),
}


async def seed_agencies(session: AsyncSession, today: dt.date) -> None:
    for seq, (name, region, grade, status, expired, staff, misconduct) in enumerate(DEMO_AGENCIES, start=1):
        agency_id = demo_id("agency", name)
        if await session.get(Agency, agency_id) is not None:
            continue
        org_id = demo_org_id(name)
        code = demo_credit_code(region, seq)
        org = await session.get(Organization, org_id)
        if org is None:
            session.add(Organization(id=org_id, name=name, kind="agency", region_code=region,
                                     credit_code=code, created_by="seed"))
        elif org.credit_code is None:
            org.credit_code = code
            session.add(org)
        await session.flush()
        province = f"{region[:2]}0000"
        session.add(Agency(
            id=agency_id, name=name, credit_code=code, org_id=org_id, region_code=region, status=status,
            status_reason="因不良行为暂停承接业务" if status == "suspended" else None,
            filings=[{"province_code": province, "filed_on": (today - dt.timedelta(days=400)).isoformat(),
                      "filing_number": f"稳评备〔{today.year - 1}〕{seq:03d}号"}],
            contact_person="联系人", contact_phone=f"0573-8{seq:07d}" if region.startswith("33") else f"0936-8{seq:07d}",
            created_by="seed",
        ))
        await session.flush()
        criteria = _CRITERIA[grade]
        valid_from = today - dt.timedelta(days=900 if expired else 200)
        valid_until = today - dt.timedelta(days=170) if expired else today + dt.timedelta(days=530)
        session.add(AgencyGradingRecord(
            id=demo_id("agency-grading", name), agency_id=agency_id, grade=grade, graded_on=valid_from,
            valid_from=valid_from, valid_until=valid_until, criteria=criteria.model_dump(mode="json"),
            criteria_source="submitted", suggested_grade=suggest_grade(criteria).value,
            note="演示数据：年度等级评定", graded_by="seed",
        ))
        for i in range(staff):
            person_id = demo_id("practitioner", f"{name}-{i}")
            session.add(AgencyPractitioner(id=person_id, agency_id=agency_id,
                                           name=_SURNAMES[(seq * 5 + i) % len(_SURNAMES)] + _GIVEN[(seq + i * 3) % len(_GIVEN)],
                                           education="本科", created_by="seed"))
            await session.flush()
            session.add(PractitionerCertificate(
                id=demo_id("certificate", f"{name}-{i}"), practitioner_id=person_id, agency_id=agency_id,
                number=f"WP-{region}-{seq:02d}{i:03d}", issued_on=today - dt.timedelta(days=700),
                expires_on=today + dt.timedelta(days=400 + 30 * i),
            ))
        if misconduct:
            session.add(AgencyMisconduct(
                id=demo_id("misconduct", name), agency_id=agency_id, credit_code=code,
                recorded_on=today - dt.timedelta(days=60), region_code=region,
                description="报告中公众意见调查数据与原始问卷不符（演示数据）", recorded_by="seed",
            ))
        await session.flush()


# --- expert draws for two demo projects of the intake service -----------------------------

#: (intake project key, title, region, filer's organisation, category, sub_kind, interests, drawn by, seed)
DEMO_DRAWS: tuple[tuple[str, str, str, str, str, str | None, tuple[str, ...], str, int], ...] = (
    ("jx-old-town", "嘉兴市南湖区建设街道老旧片区城市更新（旧城改造）项目", "330400", "嘉兴市住房和城乡建设局",
     "project", "urban_renewal", ("land_requisition", "demolition", "environment", "employment"), "jx.reviewer", 330400),
    ("zy-forest-reform", "张掖市国有林场改革实施方案", "620700", "张掖市自然资源局",
     "reform", None, ("soe_restructuring", "employment"), "zy.reviewer", 620700),
)


def _account(username: str) -> Principal:
    for name, _display, role, org, region in ACCOUNTS:
        if name == username:
            return Principal(subject=demo_user_id(name), kind="user", roles=frozenset({role}),
                             org_id=demo_org_id(org), region_code=region)
    raise KeyError(username)


async def seed_draws(session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], zone: str) -> None:
    """Draws made through the real draw service (so they verify), for demo projects the intake
    service seeds with the same deterministic ids."""
    for key, title, region, org, category, sub_kind, interests, username, seed in DEMO_DRAWS:
        project_id = demo_id("project", key)
        if (await session.exec(select(ExpertDraw.id).where(ExpertDraw.project_id == project_id))).first():
            continue
        project = DrawProject(id=project_id, title=title, status="assessing", region_code=region,
                              responsible_org_id=demo_org_id(org), category=category, sub_kind=sub_kind,
                              interests=list(interests))
        request = ExpertDrawCreate(project_id=project_id, count=3, region_code=region, seed=seed)
        await ExpertDrawService(session, sessionmaker, zone).draw(_account(username), request, project)
        await session.flush()


async def seed_demo(settings: RegistrySettings) -> None:
    engine = create_engine(settings.resolved_database_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session:
            await seed_identity(session)
            await seed_experts(session)
            await seed_agencies(session, local_today(settings.time_zone))
            await seed_draws(session, sessionmaker, settings.time_zone)
            await session.commit()
    finally:
        await engine.dispose()
