"""Binding vocabularies of the Wenping domain (domain.md, "Vocabularies used by the checklist
and the API").

Enum values are the English identifiers of the spec, exactly; every value has a Chinese label.
The C02.3 expert-field mapping and the C07.3 typical-risk mapping live here as data because the
registry (expert draws), intake (filing hints) and review (checklist) all need the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType


class ProjectCategory(StrEnum):
    policy = "policy"
    reform = "reform"
    project = "project"
    event = "event"
    other = "other"


class ProjectSubKind(StrEnum):
    """Sub-kind of a construction project (category `project`)."""

    industrial = "industrial"
    transport = "transport"
    water = "water"
    urban_renewal = "urban_renewal"
    land_requisition = "land_requisition"
    other = "other"


class ProjectLevel(StrEnum):
    """Level of a project for agency eligibility, derived from its region code."""

    county = "county"
    city = "city"
    province = "province"


class Initiation(StrEnum):
    initiation = "initiation"
    application = "application"
    designation = "designation"


class FilingBatch(StrEnum):
    start_of_year = "start_of_year"
    mid_year = "mid_year"
    ad_hoc = "ad_hoc"


class Interest(StrEnum):
    land_requisition = "land_requisition"
    demolition = "demolition"
    farmers_burden = "farmers_burden"
    soe_restructuring = "soe_restructuring"
    environment = "environment"
    employment = "employment"
    heritage = "heritage"
    public_safety = "public_safety"
    pricing = "pricing"
    social_security = "social_security"


class ExpertField(StrEnum):
    finance = "finance"
    construction = "construction"
    environment = "environment"
    law_policy = "law_policy"
    social_governance = "social_governance"
    petition_stability = "petition_stability"
    land_requisition = "land_requisition"
    heritage = "heritage"
    work_safety = "work_safety"
    transport = "transport"
    water = "water"


class RiskDimension(StrEnum):
    legality = "legality"
    rationality = "rationality"
    feasibility = "feasibility"
    controllability = "controllability"
    safety = "safety"


class RiskKind(StrEnum):
    compensation_resettlement = "compensation_resettlement"
    environmental_impact = "environmental_impact"
    worker_resettlement = "worker_resettlement"
    crowd_safety = "crowd_safety"
    heritage_damage = "heritage_damage"
    construction_disturbance = "construction_disturbance"
    public_opinion = "public_opinion"
    policy_legality = "policy_legality"
    cost_burden = "cost_burden"
    fairness = "fairness"
    traffic_disruption = "traffic_disruption"
    other = "other"


class FactorLevel(StrEnum):
    """Single-factor risk level, from R = P x I."""

    major = "major"
    significant = "significant"
    moderate = "moderate"
    minor = "minor"
    negligible = "negligible"


class OverallLevel(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class ConsultationGroup(StrEnum):
    """The five must-hear groups (五必听)."""

    stakeholders = "stakeholders"
    key_populations = "key_populations"
    local_government = "local_government"
    implementing_unit = "implementing_unit"
    experts = "experts"


class ConsultationMethod(StrEnum):
    questionnaire = "questionnaire"
    forum = "forum"
    visit = "visit"
    hearing = "hearing"
    online = "online"
    public_notice = "public_notice"


class DocumentKind(StrEnum):
    law = "law"
    administrative_regulation = "administrative_regulation"
    local_regulation = "local_regulation"
    rule = "rule"
    normative_document = "normative_document"
    standard = "standard"
    plan = "plan"


class Recommendation(StrEnum):
    implement = "implement"
    implement_with_measures = "implement_with_measures"
    defer = "defer"
    reject = "reject"


class ReviewVerdict(StrEnum):
    approved = "approved"
    returned_for_revision = "returned_for_revision"
    returned_for_reassessment = "returned_for_reassessment"


class ItemResult(StrEnum):
    pass_ = "pass"  # `pass` is a keyword; the value is the binding one
    fail = "fail"
    not_applicable = "not_applicable"
    pending = "pending"


class TransitionAction(StrEnum):
    file = "file"
    start_assessment = "start_assessment"
    decide = "decide"
    close = "close"
    withdraw = "withdraw"
    resume = "resume"


class ProjectStatus(StrEnum):
    """The project state machine of domain.md. Decided states are named after the decision."""

    draft = "draft"
    filed = "filed"
    assessing = "assessing"
    report_submitted = "report_submitted"
    under_review = "under_review"
    returned = "returned"
    approved = "approved"
    implement = "implement"
    implement_with_measures = "implement_with_measures"
    deferred = "deferred"
    rejected = "rejected"
    tracking = "tracking"
    evaluated = "evaluated"
    closed = "closed"
    withdrawn = "withdrawn"


# --- vocabularies the spec implies but does not enumerate in the binding list -------------


class AssessorKind(StrEnum):
    """Who assessed: the decision body itself, or a commissioned third-party agency."""

    self = "self"
    agency = "agency"


class AgencyGrade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class AgencyStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    blacklisted = "blacklisted"


class ExpertStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    retired = "retired"


class ProcedureStep(StrEnum):
    """The nine-step method (九步法); six-step variants use a subset."""

    plan = "plan"
    public_notice = "public_notice"
    consultation = "consultation"
    analysis = "analysis"
    risk_identification = "risk_identification"
    report_compilation = "report_compilation"
    review_meeting = "review_meeting"
    filing = "filing"
    tracking = "tracking"


class PriorApprovalKind(StrEnum):
    """Prior approvals of a construction project (C03.4)."""

    project_approval = "project_approval"
    planning = "planning"
    land_use = "land_use"
    environmental_assessment = "environmental_assessment"
    other = "other"


class ApprovalStatus(StrEnum):
    obtained = "obtained"
    in_progress = "in_progress"
    not_started = "not_started"
    not_required = "not_required"


class AttachmentKind(StrEnum):
    expert_opinions = "expert_opinions"
    survey_summary = "survey_summary"
    public_notice_evidence = "public_notice_evidence"
    meeting_minutes = "meeting_minutes"
    other = "other"


class ItemMode(StrEnum):
    auto = "auto"
    manual = "manual"


class Severity(StrEnum):
    critical = "critical"
    general = "general"


# --- Chinese labels ------------------------------------------------------------------------

LABELS: Mapping[type[StrEnum], Mapping[str, str]] = MappingProxyType(
    {
        ProjectCategory: {
            "policy": "重大政策",
            "reform": "重大改革",
            "project": "重大工程项目",
            "event": "重大活动",
            "other": "其他",
        },
        ProjectSubKind: {
            "industrial": "产业项目",
            "transport": "交通项目",
            "water": "水利项目",
            "urban_renewal": "城市更新（旧城改造）",
            "land_requisition": "征地项目",
            "other": "其他项目",
        },
        ProjectLevel: {"county": "县级", "city": "市级", "province": "省级"},
        Initiation: {
            "initiation": "立项评估",
            "application": "申报评估",
            "designation": "指定评估",
        },
        FilingBatch: {"start_of_year": "年初", "mid_year": "年中", "ad_hoc": "随时"},
        Interest: {
            "land_requisition": "征地",
            "demolition": "拆迁",
            "farmers_burden": "农民负担",
            "soe_restructuring": "国企改制",
            "environment": "环境",
            "employment": "就业",
            "heritage": "文化遗产",
            "public_safety": "公共安全",
            "pricing": "价格调整",
            "social_security": "社会保障",
        },
        ExpertField: {
            "finance": "经济金融",
            "construction": "建筑工程",
            "environment": "环境保护",
            "law_policy": "法律政策",
            "social_governance": "社会管理",
            "petition_stability": "信访维稳",
            "land_requisition": "土地征收",
            "heritage": "文化遗产",
            "work_safety": "安全生产",
            "transport": "交通运输",
            "water": "水利",
        },
        RiskDimension: {
            "legality": "合法性",
            "rationality": "合理性",
            "feasibility": "可行性",
            "controllability": "可控性",
            "safety": "安全性",
        },
        RiskKind: {
            "compensation_resettlement": "征收补偿安置",
            "environmental_impact": "环境影响",
            "worker_resettlement": "职工安置",
            "crowd_safety": "人群聚集安全",
            "heritage_damage": "文化遗产破坏",
            "construction_disturbance": "施工扰民",
            "public_opinion": "舆情",
            "policy_legality": "政策合法合规",
            "cost_burden": "群众负担",
            "fairness": "利益分配公平",
            "traffic_disruption": "交通影响",
            "other": "其他",
        },
        FactorLevel: {
            "major": "重大",
            "significant": "较大",
            "moderate": "一般",
            "minor": "较小",
            "negligible": "微小",
        },
        OverallLevel: {"high": "高", "medium": "中", "low": "低"},
        ConsultationGroup: {
            "stakeholders": "涉利益群体",
            "key_populations": "重点人群",
            "local_government": "属地政府部门",
            "implementing_unit": "项目实施单位",
            "experts": "专家学者",
        },
        ConsultationMethod: {
            "questionnaire": "问卷调查",
            "forum": "座谈会",
            "visit": "走访",
            "hearing": "听证会",
            "online": "网络征求意见",
            "public_notice": "公示反馈",
        },
        DocumentKind: {
            "law": "法律",
            "administrative_regulation": "行政法规",
            "local_regulation": "地方性法规",
            "rule": "规章",
            "normative_document": "规范性文件",
            "standard": "标准",
            "plan": "规划",
        },
        Recommendation: {
            "implement": "准予实施",
            "implement_with_measures": "落实措施后实施",
            "defer": "暂缓实施",
            "reject": "不予实施",
        },
        ReviewVerdict: {
            "approved": "审查通过",
            "returned_for_revision": "退回修改",
            "returned_for_reassessment": "退回重新评估",
        },
        ItemResult: {
            "pass": "通过",
            "fail": "不通过",
            "not_applicable": "不适用",
            "pending": "待人工审查",
        },
        TransitionAction: {
            "file": "报备",
            "start_assessment": "开始评估",
            "decide": "作出决策",
            "close": "销号",
            "withdraw": "撤回",
            "resume": "重新评估",
        },
        ProjectStatus: {
            "draft": "草稿",
            "filed": "已报备",
            "assessing": "评估中",
            "report_submitted": "报告已报送",
            "under_review": "审查中",
            "returned": "退回整改",
            "approved": "审查通过/备案",
            "implement": "准予实施",
            "implement_with_measures": "落实措施后实施",
            "deferred": "暂缓实施",
            "rejected": "不予实施",
            "tracking": "跟踪问效",
            "evaluated": "效果评价",
            "closed": "销号",
            "withdrawn": "撤回",
        },
        AssessorKind: {"self": "自行评估", "agency": "委托第三方机构评估"},
        AgencyGrade: {"A": "A级", "B": "B级", "C": "C级", "D": "D级"},
        AgencyStatus: {"active": "正常", "suspended": "暂停", "blacklisted": "列入黑名单"},
        ExpertStatus: {"active": "在库", "suspended": "暂停", "retired": "退出"},
        ProcedureStep: {
            "plan": "方案制定",
            "public_notice": "公开公示",
            "consultation": "征求意见",
            "analysis": "分析论证",
            "risk_identification": "风险识别",
            "report_compilation": "报告编制",
            "review_meeting": "组织评审",
            "filing": "备案管理",
            "tracking": "跟踪问效",
        },
        PriorApprovalKind: {
            "project_approval": "立项",
            "planning": "规划",
            "land_use": "用地",
            "environmental_assessment": "环评",
            "other": "其他手续",
        },
        ApprovalStatus: {
            "obtained": "已取得",
            "in_progress": "办理中",
            "not_started": "未办理",
            "not_required": "无需办理",
        },
        AttachmentKind: {
            "expert_opinions": "专家意见",
            "survey_summary": "调查汇总",
            "public_notice_evidence": "公示材料",
            "meeting_minutes": "会议纪要",
            "other": "其他附件",
        },
        ItemMode: {"auto": "自动审查", "manual": "人工审查"},
        Severity: {"critical": "关键项", "general": "一般项"},
    }
)

# snake_case names used by GET /api/v1/meta/enums (API field names are snake_case too).
ENUM_NAMES: Mapping[str, type[StrEnum]] = MappingProxyType(
    {
        "project_category": ProjectCategory,
        "project_sub_kind": ProjectSubKind,
        "project_level": ProjectLevel,
        "initiation": Initiation,
        "filing_batch": FilingBatch,
        "interest": Interest,
        "expert_field": ExpertField,
        "risk_dimension": RiskDimension,
        "risk_kind": RiskKind,
        "factor_level": FactorLevel,
        "overall_level": OverallLevel,
        "consultation_group": ConsultationGroup,
        "consultation_method": ConsultationMethod,
        "document_kind": DocumentKind,
        "recommendation": Recommendation,
        "review_verdict": ReviewVerdict,
        "item_result": ItemResult,
        "transition_action": TransitionAction,
        "project_status": ProjectStatus,
        "assessor_kind": AssessorKind,
        "agency_grade": AgencyGrade,
        "agency_status": AgencyStatus,
        "expert_status": ExpertStatus,
        "procedure_step": ProcedureStep,
        "prior_approval_kind": PriorApprovalKind,
        "approval_status": ApprovalStatus,
        "attachment_kind": AttachmentKind,
        "item_mode": ItemMode,
        "severity": Severity,
    }
)


def _is_value(enum_type: type[StrEnum], value: object) -> bool:
    return isinstance(value, str) and value in enum_type._value2member_map_


def label(member: StrEnum) -> str:
    """Chinese label of an enum member (KeyError for an enum this module does not define)."""
    return LABELS[type(member)][member.value]


def label_of(enum_type: type[StrEnum], value: str) -> str:
    """Chinese label of a raw value; the value itself when unknown (evidence never crashes)."""
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


def _check_labels() -> None:
    # Fail at import rather than at the first evidence string if a label is missing.
    for cls in ENUM_NAMES.values():
        missing = {m.value for m in cls} - set(LABELS[cls])
        if missing:
            raise RuntimeError(f"{cls.__name__} lacks labels for {sorted(missing)}")


_check_labels()

