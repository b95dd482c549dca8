"""The structured assessment report (评估报告) and filing form (报备表), contract v1.

Lenient where drafts are incomplete: nearly every field is optional, so a missing section makes
checklist items FAIL with evidence instead of the whole report being refused.
Strict on types and ranges: unknown fields, unknown enum values and probabilities, impacts or
support rates outside [0, 1] are refused (422) before any rule runs.
IDs of registry objects (organisations, agencies, experts) are UUID text.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from .._types import MultiLineText, Text
from .vocab import (
    ApprovalStatus,
    AssessorKind,
    AttachmentKind,
    ConsultationGroup,
    ConsultationMethod,
    DocumentKind,
    FactorLevel,
    Interest,
    OverallLevel,
    PriorApprovalKind,
    ProcedureStep,
    ProjectCategory,
    ProjectSubKind,
    Recommendation,
    RiskDimension,
    RiskKind,
)

# A fraction in [0, 1]; NaN and infinities are refused (they would defeat the range check).
Fraction01 = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
NonNegativeInt = Annotated[int, Field(ge=0)]
RegistryId = Annotated[Text, Field(min_length=1, max_length=64)]


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


def _d(zh: str, en: str) -> str:
    return f"{zh} / {en}"


class FilingForm(_Contract):
    """报备表: what the decision body files with the stability office, signed and sealed."""

    project_name: Text | None = Field(None, description=_d("事项名称", "project name"))
    decision_body: Text | None = Field(
        None, description=_d("决策主体（责任主体）名称", "decision body (responsible organisation)")
    )
    decision_body_org_id: RegistryId | None = Field(
        None, description=_d("决策主体在机构库中的ID", "registry organisation id of the decision body")
    )
    assessor: Text | None = Field(None, description=_d("评估主体名称", "assessor name"))
    contact_name: Text | None = Field(None, description=_d("联系人", "contact person"))
    contact_phone: Text | None = Field(None, description=_d("联系电话", "contact phone"))
    planned_decision_date: dt.date | None = Field(
        None, description=_d("计划决策日期", "planned decision date")
    )
    category: ProjectCategory | None = Field(None, description=_d("事项类别", "project category"))
    risk_level: OverallLevel | None = Field(
        None, description=_d("报备风险等级（落实措施后）", "filed (residual) risk level")
    )
    leader_opinion: MultiLineText | None = Field(
        None, description=_d("责任主体负责人审核意见", "responsible leader's opinion")
    )
    signed_by: Text | None = Field(
        None, description=_d("签署意见的负责人", "responsible leader who signed")
    )
    signed_on: dt.date | None = Field(None, description=_d("签署日期", "date signed"))
    sealed: StrictBool | None = Field(None, description=_d("是否加盖公章", "official seal affixed"))


class PriorApproval(_Contract):
    """A prior approval of a construction project (立项, 规划, 用地, 环评) and its status."""

    kind: PriorApprovalKind = Field(description=_d("手续类型", "approval kind"))
    status: ApprovalStatus | None = Field(None, description=_d("办理状态", "status"))
    document_number: Text | None = Field(None, description=_d("批复文号", "approval number"))
    issuer: Text | None = Field(None, description=_d("审批机关", "approving authority"))
    approved_on: dt.date | None = Field(None, description=_d("批复日期", "date approved"))
    note: MultiLineText | None = Field(None, description=_d("说明", "note"))


class Overview(_Contract):
    """事项概况: what the decision is, where, how big, whom it touches."""

    category: ProjectCategory | None = Field(None, description=_d("事项类别", "category"))
    sub_kind: ProjectSubKind | None = Field(
        None, description=_d("工程项目子类（仅重大工程项目）", "sub-kind (projects only)")
    )
    expected_participants: NonNegativeInt | None = Field(
        None, description=_d("重大活动预计参与人数", "expected participants of an event")
    )
    background: MultiLineText | None = Field(None, description=_d("事项背景", "background"))
    content: MultiLineText | None = Field(None, description=_d("主要内容", "content"))
    scale: MultiLineText | None = Field(None, description=_d("建设规模/实施范围", "scale"))
    investment_wan_yuan: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        None, description=_d("总投资（万元）", "investment in 10,000 yuan")
    )
    location: Text | None = Field(None, description=_d("实施地点", "location"))
    schedule: MultiLineText | None = Field(None, description=_d("实施计划与进度", "schedule"))
    affected_area: MultiLineText | None = Field(None, description=_d("影响范围", "affected area"))
    affected_population: NonNegativeInt | None = Field(
        None, description=_d("涉及人数", "affected population")
    )
    stakeholder_groups: list[Text] = Field(
        default_factory=list, description=_d("利益相关群体", "stakeholder groups")
    )
    interests: list[Interest] = Field(
        default_factory=list, description=_d("涉及的群众切身利益", "interests involved")
    )
    interests_description: MultiLineText | None = Field(
        None,
        description=_d("涉及群众切身利益的内容说明", "discussion of the interests involved"),
    )
    implementing_unit: Text | None = Field(
        None, description=_d("项目实施单位名称", "implementing unit name")
    )
    implementing_unit_org_id: RegistryId | None = Field(
        None, description=_d("实施单位在机构库中的ID", "registry organisation id of the implementing unit")
    )
    prior_approvals: list[PriorApproval] = Field(
        default_factory=list,
        description=_d("前期审批手续（立项、规划、用地、环评）", "prior approvals"),
    )


class CitedDocument(_Contract):
    """评估依据: one cited law, regulation, policy document, standard or plan."""

    title: Text | None = Field(None, description=_d("文件全称", "full title"))
    issuer: Text | None = Field(None, description=_d("发文机关", "issuing authority"))
    kind: DocumentKind | None = Field(None, description=_d("文件类型", "document kind"))
    number: Text | None = Field(
        None,
        description=_d("文号，如 发改投资〔2012〕2492号 或 国务院令第590号", "document number"),
    )
    year: Annotated[int, Field(ge=1949, le=2100)] | None = Field(
        None, description=_d("发布（修订）年份", "year issued or last amended")
    )


class AssessmentPlan(_Contract):
    """评估方案: its date is the plan date of C05.3 and C05.5."""

    date: dt.date | None = Field(None, description=_d("方案制定日期", "date the plan was made"))
    content: MultiLineText | None = Field(None, description=_d("评估内容", "what will be assessed"))
    methods: list[Text] = Field(default_factory=list, description=_d("评估方法", "methods"))
    time_limit: dt.date | None = Field(None, description=_d("评估完成时限", "time limit"))


class ProcedureStepRecord(_Contract):
    """One step of the nine-step method with its date."""

    step: ProcedureStep = Field(description=_d("步骤", "step"))
    date: dt.date | None = Field(None, description=_d("完成日期", "date done"))
    done: StrictBool = Field(True, description=_d("是否已完成", "done"))
    note: MultiLineText | None = Field(None, description=_d("说明", "note"))


class PublicNotice(_Contract):
    """公开公示: the period is counted inclusively (start to end, both days)."""

    start: dt.date | None = Field(None, description=_d("公示开始日期", "first day"))
    end: dt.date | None = Field(None, description=_d("公示结束日期", "last day"))
    channels: list[Text] = Field(default_factory=list, description=_d("公示渠道", "channels"))
    content: MultiLineText | None = Field(None, description=_d("公示内容摘要", "summary"))
    feedback_count: NonNegativeInt | None = Field(
        None, description=_d("收到反馈意见数", "feedback received")
    )


class MeetingExpert(_Contract):
    name: Text | None = Field(None, description=_d("专家姓名", "name"))
    expert_id: RegistryId | None = Field(None, description=_d("专家库ID", "registry expert id"))
    title: Text | None = Field(None, description=_d("职称", "professional title"))
    employer: Text | None = Field(None, description=_d("工作单位", "employer"))


class ExpertMeeting(_Contract):
    """A meeting of experts: the argumentation meeting (论证会) or the later review (评审会)."""

    date: dt.date | None = Field(None, description=_d("会议日期", "meeting date"))
    location: Text | None = Field(None, description=_d("会议地点", "place"))
    experts: list[MeetingExpert] = Field(
        default_factory=list, description=_d("参会专家", "experts present")
    )
    minutes: MultiLineText | None = Field(None, description=_d("会议纪要", "minutes"))


class Procedure(_Contract):
    """评估程序. The report compilation date is the date of the report_compilation step."""

    plan: AssessmentPlan | None = Field(None, description=_d("评估方案", "assessment plan"))
    steps: list[ProcedureStepRecord] = Field(
        default_factory=list, description=_d("已开展的工作步骤", "steps done with dates")
    )
    public_notice: PublicNotice | None = Field(None, description=_d("公开公示", "public notice"))
    expert_meeting: ExpertMeeting | None = Field(
        None,
        description=_d(
            "专家论证会（分析论证阶段，不是报告完成后的评审会）",
            "expert argumentation meeting during the analysis (not the review meeting)",
        ),
    )
    review_meeting: ExpertMeeting | None = Field(
        None, description=_d("报告评审会（组织评审）", "review meeting of the finished report")
    )


class Concern(_Contract):
    """A concern raised in a consultation; risks refer to it by `id` (C07.2)."""

    id: Text | None = Field(None, description=_d("意见编号（报告内唯一）", "id, unique in the report"))
    text: MultiLineText | None = Field(None, description=_d("群众反映的问题", "the concern"))
    response: MultiLineText | None = Field(None, description=_d("书面回应", "written response"))
    reasonableness: MultiLineText | None = Field(
        None, description=_d("诉求合理性、合法性分析", "analysis of reasonableness and legality")
    )


class Consultation(_Contract):
    """意见征求: one consultation of one must-hear group by one method."""

    group: ConsultationGroup = Field(description=_d("征求对象群体（五必听）", "must-hear group"))
    method: ConsultationMethod | None = Field(None, description=_d("征求方式", "method"))
    date: dt.date | None = Field(None, description=_d("征求日期", "date"))
    target: Text | None = Field(None, description=_d("征求对象说明", "who was consulted"))
    participants: NonNegativeInt | None = Field(
        None, description=_d("参与人数（有效样本）", "participants (valid responses)")
    )
    support_rate: Fraction01 | None = Field(
        None, description=_d("支持率，0~1", "support rate, a fraction in [0, 1]")
    )
    summary: MultiLineText | None = Field(None, description=_d("意见汇总", "summary"))
    concerns: list[Concern] = Field(
        default_factory=list, description=_d("反映的问题及回应", "concerns raised and answers")
    )


class RiskFactor(_Contract):
    """风险因素: stated levels are checked against levels computed from P x I (C08.2, C08.4)."""

    id: Text | None = Field(None, description=_d("风险编号（报告内唯一）", "id, unique in the report"))
    title: Text | None = Field(None, description=_d("风险名称", "name"))
    dimension: RiskDimension | None = Field(None, description=_d("风险维度", "dimension"))
    kind: RiskKind | None = Field(None, description=_d("风险类型", "kind"))
    source: Text | None = Field(
        None, description=_d("风险源（涉及人群、地点、诱发因素）", "source: who, where, trigger")
    )
    related_concerns: list[Text] = Field(
        default_factory=list, description=_d("对应的意见编号", "ids of the concerns it answers")
    )
    probability: Fraction01 | None = Field(None, description=_d("发生概率 P，0~1", "probability"))
    impact: Fraction01 | None = Field(None, description=_d("影响程度 I，0~1", "impact"))
    level: FactorLevel | None = Field(
        None, description=_d("初始风险程度（措施前）", "stated initial level")
    )
    residual_probability: Fraction01 | None = Field(
        None, description=_d("措施后发生概率", "residual probability")
    )
    residual_impact: Fraction01 | None = Field(
        None, description=_d("措施后影响程度", "residual impact")
    )
    residual_level: FactorLevel | None = Field(
        None, description=_d("措施后风险程度", "stated residual level")
    )
    weight: Fraction01 | None = Field(
        None, description=_d("权重（综合指数法使用）", "weight (index method)")
    )


class Measure(_Contract):
    """防范化解措施 for one or more risks."""

    risk_ids: list[Text] = Field(
        default_factory=list, description=_d("针对的风险编号", "ids of the risks it addresses")
    )
    content: MultiLineText | None = Field(None, description=_d("措施内容", "the measure"))
    responsible_unit: Text | None = Field(None, description=_d("责任单位", "responsible unit"))
    coordinating_units: list[Text] = Field(
        default_factory=list, description=_d("协助单位", "coordinating units")
    )
    deadline: dt.date | None = Field(None, description=_d("完成时限", "deadline"))


class EmergencyPlan(_Contract):
    """应急预案, required for medium and high initial risk (C09.4)."""

    title: Text | None = Field(None, description=_d("预案名称", "title"))
    summary: MultiLineText | None = Field(None, description=_d("预案要点", "summary"))
    responsible_unit: Text | None = Field(None, description=_d("牵头单位", "lead unit"))


class Monitoring(_Contract):
    """风险监测与跟踪安排 (C09.5)."""

    responsible_unit: Text | None = Field(None, description=_d("监测责任单位", "responsible unit"))
    frequency: Text | None = Field(None, description=_d("监测频次", "frequency"))
    indicators: list[Text] = Field(default_factory=list, description=_d("监测指标", "indicators"))
    method: Text | None = Field(None, description=_d("监测方式", "method"))


class Measures(_Contract):
    items: list[Measure] = Field(default_factory=list, description=_d("措施清单", "measures"))
    emergency_plan: EmergencyPlan | None = Field(
        None, description=_d("应急预案", "emergency plan")
    )
    monitoring: Monitoring | None = Field(None, description=_d("监测安排", "monitoring"))


class Conclusion(_Contract):
    """评估结论: two overall levels; the decision follows the residual one."""

    initial_level: OverallLevel | None = Field(
        None, description=_d("初始综合风险等级（措施前）", "initial overall level")
    )
    residual_level: OverallLevel | None = Field(
        None, description=_d("落实措施后综合风险等级", "residual overall level")
    )
    recommendation: Recommendation | None = Field(
        None, description=_d("评估建议", "recommendation")
    )
    text: MultiLineText | None = Field(None, description=_d("结论正文", "conclusion text"))


class Attachment(_Contract):
    kind: AttachmentKind = Field(description=_d("附件类型", "kind"))
    title: Text | None = Field(None, description=_d("附件名称", "title"))
    file_id: Text | None = Field(None, description=_d("文件ID", "uploaded file id"))


class TeamMember(_Contract):
    """A member of the assessment team; experts carry their registry id (C02.3, C02.4)."""

    name: Text | None = Field(None, description=_d("姓名", "name"))
    role: Text | None = Field(None, description=_d("组内职责", "role in the team"))
    expert_id: RegistryId | None = Field(
        None, description=_d("专家库ID（专家成员必填）", "registry expert id (experts)")
    )
    employer: Text | None = Field(None, description=_d("工作单位（自述）", "employer, as stated"))


class Assessor(_Contract):
    """评估主体: the decision body itself, or a commissioned agency (by registry id)."""

    kind: AssessorKind | None = Field(None, description=_d("评估方式", "self or agency"))
    name: Text | None = Field(None, description=_d("评估主体名称", "name"))
    agency_id: RegistryId | None = Field(
        None, description=_d("第三方机构在机构库中的ID", "registry agency id")
    )
    lead_name: Text | None = Field(None, description=_d("项目负责人", "lead assessor"))


class SignOff(_Contract):
    """The assessor's signature on the report (C10.3)."""

    signed_by: Text | None = Field(None, description=_d("签署人", "signed by"))
    signed_on: dt.date | None = Field(None, description=_d("签署日期", "date signed"))
    sealed: StrictBool | None = Field(None, description=_d("是否盖章", "sealed"))


class Report(_Contract):
    """The structured assessment report submitted for review (one per round)."""

    title: Text | None = Field(None, description=_d("报告名称", "report title"))
    project_name: Text | None = Field(None, description=_d("事项名称", "project name"))
    filing_form: FilingForm | None = Field(None, description=_d("报备表", "filing form"))
    overview: Overview | None = Field(None, description=_d("事项概况", "overview"))
    basis: list[CitedDocument] = Field(
        default_factory=list, description=_d("评估依据", "cited documents")
    )
    procedure: Procedure | None = Field(None, description=_d("评估程序", "procedure"))
    consultations: list[Consultation] = Field(
        default_factory=list, description=_d("意见征求", "consultations")
    )
    risks: list[RiskFactor] = Field(
        default_factory=list, description=_d("风险识别与估计", "risk factors")
    )
    measures: Measures | None = Field(
        None, description=_d("防范化解措施、应急预案与监测", "measures, emergency plan, monitoring")
    )
    conclusion: Conclusion | None = Field(None, description=_d("评估结论", "conclusion"))
    attachments: list[Attachment] = Field(
        default_factory=list, description=_d("附件", "attachments")
    )
    assessment_team: list[TeamMember] = Field(
        default_factory=list, description=_d("评估组成员", "assessment team")
    )
    assessor: Assessor | None = Field(None, description=_d("评估主体", "assessor"))
    sign_off: SignOff | None = Field(None, description=_d("报告签署", "assessor's sign-off"))


__all__ = [
    "AssessmentPlan",
    "Assessor",
    "Attachment",
    "CitedDocument",
    "Concern",
    "Conclusion",
    "Consultation",
    "EmergencyPlan",
    "ExpertMeeting",
    "FilingForm",
    "Fraction01",
    "Measure",
    "Measures",
    "MeetingExpert",
    "Monitoring",
    "Overview",
    "PriorApproval",
    "Procedure",
    "ProcedureStepRecord",
    "PublicNotice",
    "Report",
    "RiskFactor",
    "SignOff",
    "TeamMember",
]
