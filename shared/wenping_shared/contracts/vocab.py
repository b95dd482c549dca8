"""Binding vocabularies of the Wenping domain (domain.md, "Vocabularies used by the checklist
and the API").

Enum values are the English identifiers of the spec, exactly; every value has a Chinese label.
The C02.3 expert-field mapping and the C07.3 typical-risk mapping live here as data because the
registry (expert draws), intake (filing hints) and review (checklist) all need the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Self

#: Every vocabulary, in the order declared (the order of GET /api/v1/meta/enums).
_VOCABULARIES: list[type[LabelledEnum]] = []


class LabelledEnum(StrEnum):
    """A vocabulary whose members state their value and their Chinese label once:
    ``draft = "draft", "草稿"``. Members compare and serialise as their value. Those declared in
    this module make the platform's catalogue (``ENUM_NAMES``); a service may declare its own."""

    _value_: str
    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        # (``label`` defaults only so that lookup by value, ``ProjectStatus("draft")``, type-checks.)
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ == __name__:  # the platform's vocabularies; a service's own stay its own
            _VOCABULARIES.append(cls)


class ProjectCategory(LabelledEnum):
    policy = "policy", "重大政策"
    reform = "reform", "重大改革"
    project = "project", "重大工程项目"
    event = "event", "重大活动"
    other = "other", "其他"


class ProjectSubKind(LabelledEnum):
    """Sub-kind of a construction project (category `project`)."""

    industrial = "industrial", "产业项目"
    transport = "transport", "交通项目"
    water = "water", "水利项目"
    urban_renewal = "urban_renewal", "城市更新（旧城改造）"
    land_requisition = "land_requisition", "征地项目"
    other = "other", "其他项目"


class ProjectLevel(LabelledEnum):
    """Level of a project for agency eligibility, derived from its region code."""

    county = "county", "县级"
    city = "city", "市级"
    province = "province", "省级"


class Initiation(LabelledEnum):
    initiation = "initiation", "立项评估"
    application = "application", "申报评估"
    designation = "designation", "指定评估"


class FilingBatch(LabelledEnum):
    start_of_year = "start_of_year", "年初"
    mid_year = "mid_year", "年中"
    ad_hoc = "ad_hoc", "随时"


class Interest(LabelledEnum):
    land_requisition = "land_requisition", "征地"
    demolition = "demolition", "拆迁"
    farmers_burden = "farmers_burden", "农民负担"
    soe_restructuring = "soe_restructuring", "国企改制"
    environment = "environment", "环境"
    employment = "employment", "就业"
    heritage = "heritage", "文化遗产"
    public_safety = "public_safety", "公共安全"
    pricing = "pricing", "价格调整"
    social_security = "social_security", "社会保障"


class ExpertField(LabelledEnum):
    finance = "finance", "经济金融"
    construction = "construction", "建筑工程"
    environment = "environment", "环境保护"
    law_policy = "law_policy", "法律政策"
    social_governance = "social_governance", "社会管理"
    petition_stability = "petition_stability", "信访维稳"
    land_requisition = "land_requisition", "土地征收"
    heritage = "heritage", "文化遗产"
    work_safety = "work_safety", "安全生产"
    transport = "transport", "交通运输"
    water = "water", "水利"


class RiskDimension(LabelledEnum):
    legality = "legality", "合法性"
    rationality = "rationality", "合理性"
    feasibility = "feasibility", "可行性"
    controllability = "controllability", "可控性"
    safety = "safety", "安全性"


class RiskKind(LabelledEnum):
    compensation_resettlement = "compensation_resettlement", "征收补偿安置"
    environmental_impact = "environmental_impact", "环境影响"
    worker_resettlement = "worker_resettlement", "职工安置"
    crowd_safety = "crowd_safety", "人群聚集安全"
    heritage_damage = "heritage_damage", "文化遗产破坏"
    construction_disturbance = "construction_disturbance", "施工扰民"
    public_opinion = "public_opinion", "舆情"
    policy_legality = "policy_legality", "政策合法合规"
    cost_burden = "cost_burden", "群众负担"
    fairness = "fairness", "利益分配公平"
    traffic_disruption = "traffic_disruption", "交通影响"
    other = "other", "其他"


class FactorLevel(LabelledEnum):
    """Single-factor risk level, from R = P x I."""

    major = "major", "重大"
    significant = "significant", "较大"
    moderate = "moderate", "一般"
    minor = "minor", "较小"
    negligible = "negligible", "微小"


class OverallLevel(LabelledEnum):
    high = "high", "高"
    medium = "medium", "中"
    low = "low", "低"


class ConsultationGroup(LabelledEnum):
    """The five must-hear groups (五必听)."""

    stakeholders = "stakeholders", "涉利益群体"
    key_populations = "key_populations", "重点人群"
    local_government = "local_government", "属地政府部门"
    implementing_unit = "implementing_unit", "项目实施单位"
    experts = "experts", "专家学者"


class ConsultationMethod(LabelledEnum):
    questionnaire = "questionnaire", "问卷调查"
    forum = "forum", "座谈会"
    visit = "visit", "走访"
    hearing = "hearing", "听证会"
    online = "online", "网络征求意见"
    public_notice = "public_notice", "公示反馈"


class DocumentKind(LabelledEnum):
    law = "law", "法律"
    administrative_regulation = "administrative_regulation", "行政法规"
    local_regulation = "local_regulation", "地方性法规"
    rule = "rule", "规章"
    normative_document = "normative_document", "规范性文件"
    standard = "standard", "标准"
    plan = "plan", "规划"


class Recommendation(LabelledEnum):
    implement = "implement", "准予实施"
    implement_with_measures = "implement_with_measures", "落实措施后实施"
    defer = "defer", "暂缓实施"
    reject = "reject", "不予实施"


class ReviewVerdict(LabelledEnum):
    approved = "approved", "审查通过"
    returned_for_revision = "returned_for_revision", "退回修改"
    returned_for_reassessment = "returned_for_reassessment", "退回重新评估"


class ItemResult(LabelledEnum):
    pass_ = "pass", "通过"  # `pass` is a keyword; the value is the binding one
    fail = "fail", "不通过"
    not_applicable = "not_applicable", "不适用"
    pending = "pending", "待人工审查"


class TransitionAction(LabelledEnum):
    file = "file", "报备"
    start_assessment = "start_assessment", "开始评估"
    decide = "decide", "作出决策"
    close = "close", "销号"
    withdraw = "withdraw", "撤回"
    resume = "resume", "重新评估"


class ProjectStatus(LabelledEnum):
    """The project state machine of domain.md. Decided states are named after the decision."""

    draft = "draft", "草稿"
    filed = "filed", "已报备"
    assessing = "assessing", "评估中"
    report_submitted = "report_submitted", "报告已报送"
    under_review = "under_review", "审查中"
    returned = "returned", "退回整改"
    approved = "approved", "审查通过/备案"
    implement = "implement", "准予实施"
    implement_with_measures = "implement_with_measures", "落实措施后实施"
    deferred = "deferred", "暂缓实施"
    rejected = "rejected", "不予实施"
    tracking = "tracking", "跟踪问效"
    evaluated = "evaluated", "效果评价"
    closed = "closed", "销号"
    withdrawn = "withdrawn", "撤回"


# --- vocabularies the spec implies but does not enumerate in the binding list -------------


class AssessorKind(LabelledEnum):
    """Who assessed: the decision body itself, or a commissioned third-party agency."""

    self = "self", "自行评估"
    agency = "agency", "委托第三方机构评估"


class AgencyGrade(LabelledEnum):
    A = "A", "A级"
    B = "B", "B级"
    C = "C", "C级"
    D = "D", "D级"


class AgencyStatus(LabelledEnum):
    active = "active", "正常"
    suspended = "suspended", "暂停"
    blacklisted = "blacklisted", "列入黑名单"


class ExpertStatus(LabelledEnum):
    active = "active", "在库"
    suspended = "suspended", "暂停"
    retired = "retired", "退出"


class OpinionAdoption(LabelledEnum):
    """What the assessor made of an expert's written opinion (recorded before the next report round)."""

    adopted = "adopted", "采纳"
    partly_adopted = "partly_adopted", "部分采纳"
    not_adopted = "not_adopted", "未采纳"


class ProcedureStep(LabelledEnum):
    """The nine-step method (九步法); six-step variants use a subset."""

    plan = "plan", "方案制定"
    public_notice = "public_notice", "公开公示"
    consultation = "consultation", "征求意见"
    analysis = "analysis", "分析论证"
    risk_identification = "risk_identification", "风险识别"
    report_compilation = "report_compilation", "报告编制"
    review_meeting = "review_meeting", "组织评审"
    filing = "filing", "备案管理"
    tracking = "tracking", "跟踪问效"


class PriorApprovalKind(LabelledEnum):
    """Prior approvals of a construction project (C03.4)."""

    project_approval = "project_approval", "立项"
    planning = "planning", "规划"
    land_use = "land_use", "用地"
    environmental_assessment = "environmental_assessment", "环评"
    other = "other", "其他手续"


class ApprovalStatus(LabelledEnum):
    obtained = "obtained", "已取得"
    in_progress = "in_progress", "办理中"
    not_started = "not_started", "未办理"
    not_required = "not_required", "无需办理"


class AttachmentKind(LabelledEnum):
    expert_opinions = "expert_opinions", "专家意见"
    survey_summary = "survey_summary", "调查汇总"
    public_notice_evidence = "public_notice_evidence", "公示材料"
    meeting_minutes = "meeting_minutes", "会议纪要"
    other = "other", "其他附件"


class ItemMode(LabelledEnum):
    auto = "auto", "自动审查"
    manual = "manual", "人工审查"


class Severity(LabelledEnum):
    critical = "critical", "关键项"
    general = "general", "一般项"


# --- oversight: inspections (督查) and accountability (追责问责) ------------------------------


class InspectionCheck(LabelledEnum):
    """The four checks of an on-site inspection (Jingdezhen): ledger, progress, effect, rectification."""

    procedure = "procedure", "程序（查台账）"
    implementation = "implementation", "落实（查进度）"
    quality = "quality", "质量（查效果）"
    closure = "closure", "整改（查整改）"


class RectificationState(LabelledEnum):
    required = "required", "待整改"
    reported = "reported", "已报告整改"
    accepted = "accepted", "已验收"
    returned = "returned", "退回重新整改"


class AccountabilityKind(LabelledEnum):
    interview = "interview", "约谈"
    criticism = "criticism", "通报批评"
    accountability = "accountability", "问责"


class OfficialLevel(LabelledEnum):
    """The rank of the officials held accountable."""

    department = "department", "厅局级"
    division = "division", "县处级"
    section = "section", "乡科级"
    staff = "staff", "一般干部"


class AccountabilityGround(LabelledEnum):
    built_before_assessed = "built_before_assessed", "未评先建（报备时已实施）"
    implemented_before_approval = "implemented_before_approval", "审查通过前已决策实施"
    deadline_missed = "deadline_missed", "超过评估完成时限"
    measure_deadline_missed = "measure_deadline_missed", "防范化解措施逾期未完成"
    incident = "incident", "跟踪期间发生事件"
    finding_not_rectified = "finding_not_rectified", "督查问题逾期未整改"


# --- oversight: the risk watch (风险监测) ------------------------------------------------------


class RiskPhase(LabelledEnum):
    """Where a project stands, its statuses grouped into the phases of the supervisor's board."""

    filing = "filing", "报备"
    assessment = "assessment", "评估"
    review = "review", "审查"
    decision = "decision", "决策"
    implementation = "implementation", "跟踪实施"
    closed = "closed", "办结"


class WatchLevel(LabelledEnum):
    """A project's risk level on the board: the overall level, or not graded yet."""

    high = "high", "高风险"
    medium = "medium", "中风险"
    low = "low", "低风险"
    unknown = "unknown", "未定级"


class MonitoringRegime(LabelledEnum):
    """How a decision of each risk level is watched: low routine, medium key control after a
    second review, high vetoed and entered in the warning register."""

    routine = "routine", "常规监测"
    key_control = "key_control", "重点管控"
    veto_warning = "veto_warning", "否决预警"
    pending = "pending", "待定级"


class WarningMatchField(LabelledEnum):
    """What of a new filing resembles an entry of the warning register (预警台账)."""

    project_title = "title", "事项名称"  # (not `title`: a str method)
    place = "place", "地点"
    organization = "organization", "责任单位"


class IncidentScale(LabelledEnum):
    """Scale of an incident during implementation, by the number of people involved."""

    individual = "individual", "个体（5人以下）"
    group = "group", "群体（5至29人）"
    large = "large", "较大规模（30至99人）"
    mass = "mass", "大规模（100人以上）"


# --- derived: every vocabulary by class and by API name -------------------------------------

#: {enum class: {value: Chinese label}}, derived from the members.
LABELS: Mapping[type[StrEnum], Mapping[str, str]] = MappingProxyType(
    {cls: MappingProxyType({m.value: m.label for m in cls}) for cls in _VOCABULARIES}
)

#: snake_case names used by GET /api/v1/meta/enums (API field names are snake_case too), in the
#: order the vocabularies are declared above.
ENUM_NAMES: Mapping[str, type[StrEnum]] = MappingProxyType(
    {re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower(): cls for cls in _VOCABULARIES}
)


def _is_value(enum_type: type[StrEnum], value: object) -> bool:
    return isinstance(value, str) and value in enum_type._value2member_map_


def label(member: StrEnum) -> str:
    """Chinese label of an enum member (KeyError for an enum this module does not define)."""
    return LABELS[type(member)][member.value]


def label_of(enum_type: type[StrEnum], value: str) -> str:
    """Chinese label of a raw value; the value itself when unknown (evidence never crashes)."""
    member = enum_type._value2member_map_.get(str(value))
    if isinstance(member, LabelledEnum):
        return member.label
    return LABELS.get(enum_type, {}).get(str(value), str(value))


def enum_catalog() -> dict[str, list[dict[str, str]]]:
    """All vocabularies as {name: [{value, label}]}, for GET /api/v1/meta/enums."""
    return {
        name: [{"value": m.value, "label": LABELS[cls][m.value]} for m in cls]
        for name, cls in ENUM_NAMES.items()
    }


def project_level_for_region(region_code: str) -> ProjectLevel:
    """GB/T 2260 code -> level: xx0000 province, xxxx00 city, anything else county."""
    code = region_code.strip()
    if len(code) != 6 or not code.isdigit():
        raise ValueError(f"行政区划代码应为6位数字：{region_code!r}")
    if code.endswith("0000"):
        return ProjectLevel.province
    if code.endswith("00"):
        return ProjectLevel.city
    return ProjectLevel.county


# Ordering of project levels, for "grade allows up to level X".
PROJECT_LEVEL_RANK: Mapping[ProjectLevel, int] = MappingProxyType(
    {ProjectLevel.county: 1, ProjectLevel.city: 2, ProjectLevel.province: 3}
)

# --- C02.3: which expert fields match a project ------------------------------------------

_F = ExpertField
CATEGORY_EXPERT_FIELDS: Mapping[ProjectCategory, frozenset[ExpertField]] = MappingProxyType(
    {
        ProjectCategory.policy: frozenset({_F.law_policy, _F.finance, _F.social_governance}),
        ProjectCategory.reform: frozenset({_F.law_policy, _F.social_governance, _F.finance}),
        ProjectCategory.project: frozenset({_F.construction}),
        ProjectCategory.event: frozenset({_F.work_safety, _F.social_governance}),
        ProjectCategory.other: frozenset({_F.social_governance}),
    }
)
# Only for category `project`: these sub-kinds add a field to `construction`.
SUB_KIND_EXPERT_FIELDS: Mapping[ProjectSubKind, frozenset[ExpertField]] = MappingProxyType(
    {
        ProjectSubKind.transport: frozenset({_F.transport}),
        ProjectSubKind.water: frozenset({_F.water}),
        ProjectSubKind.land_requisition: frozenset({_F.land_requisition}),
    }
)
INTEREST_EXPERT_FIELDS: Mapping[Interest, frozenset[ExpertField]] = MappingProxyType(
    {
        Interest.land_requisition: frozenset({_F.land_requisition, _F.construction}),
        Interest.demolition: frozenset({_F.land_requisition, _F.construction}),
        Interest.environment: frozenset({_F.environment}),
        Interest.heritage: frozenset({_F.heritage}),
        Interest.soe_restructuring: frozenset({_F.finance, _F.law_policy}),
        Interest.employment: frozenset({_F.social_governance}),
        Interest.farmers_burden: frozenset({_F.social_governance}),
        Interest.social_security: frozenset({_F.social_governance}),
        Interest.public_safety: frozenset({_F.work_safety}),
        Interest.pricing: frozenset({_F.finance}),
    }
)


def matching_expert_fields(
    category: str | None,
    sub_kind: str | None = None,
    interests: Iterable[str] = (),
) -> frozenset[ExpertField]:
    """The union of the category's (and sub-kind's) and the interests' expert fields (C02.3)."""
    fields: set[ExpertField] = set()
    if category is not None and _is_value(ProjectCategory, category):
        cat = ProjectCategory(category)
        fields |= CATEGORY_EXPERT_FIELDS[cat]
        if cat is ProjectCategory.project and sub_kind is not None and _is_value(ProjectSubKind, sub_kind):
            fields |= SUB_KIND_EXPERT_FIELDS.get(ProjectSubKind(sub_kind), frozenset())
    for interest in interests:
        if _is_value(Interest, interest):
            fields |= INTEREST_EXPERT_FIELDS[Interest(interest)]
    return frozenset(fields)


# --- C07.3: the typical risk kind each interest requires ----------------------------------

INTEREST_TYPICAL_RISK: Mapping[Interest, RiskKind] = MappingProxyType(
    {
        Interest.land_requisition: RiskKind.compensation_resettlement,
        Interest.demolition: RiskKind.compensation_resettlement,
        Interest.environment: RiskKind.environmental_impact,
        Interest.soe_restructuring: RiskKind.worker_resettlement,
        Interest.heritage: RiskKind.heritage_damage,
    }
)
EVENT_CROWD_THRESHOLD = 500  # an event with this many expected participants needs crowd_safety


def required_risk_kinds(
    category: str | None,
    interests: Iterable[str],
    expected_participants: int | None,
    crowd_threshold: int = EVENT_CROWD_THRESHOLD,
) -> dict[RiskKind, list[str]]:
    """Risk kinds a report must identify (C07.3) -> the Chinese reasons that require each."""
    required: dict[RiskKind, list[str]] = {}
    for interest in interests:
        if _is_value(Interest, interest):
            kind = INTEREST_TYPICAL_RISK.get(Interest(interest))
            if kind is not None:
                required.setdefault(kind, []).append(f"涉及{label_of(Interest, interest)}")
    if (
        category == ProjectCategory.event
        and expected_participants is not None
        and expected_participants >= crowd_threshold
    ):
        required.setdefault(RiskKind.crowd_safety, []).append(
            f"重大活动预计参与 {expected_participants} 人（≥{crowd_threshold}人）"
        )
    return required


# The decided project state for each decision outcome (transition `decide`).
DECIDED_STATUS: Mapping[Recommendation, ProjectStatus] = MappingProxyType(
    {
        Recommendation.implement: ProjectStatus.implement,
        Recommendation.implement_with_measures: ProjectStatus.implement_with_measures,
        Recommendation.defer: ProjectStatus.deferred,
        Recommendation.reject: ProjectStatus.rejected,
    }
)
