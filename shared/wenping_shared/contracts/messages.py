"""Messages between the services, one model each, used by the sender and the receiver alike.

Outbox messages (``enqueue`` takes one of these; the relay posts ``model_dump(mode="json")``):

- ``ReportHandoff``      intake → review   ``POST /api/v1/reviews``                          a submitted report round
- ``ReviewEvent``        review → intake   ``POST /api/v1/projects/{id}/review-events``      a review opened or decided
- ``AgencyPerformance``  review → registry ``POST /api/v1/agencies/{id}/performance``        a decided review of an agency's report
- ``ExpertsAssigned``    registry → intake ``POST /api/v1/projects/{id}/drawn-experts``      experts drawn for a project, or one declining

Read over HTTP:

- ``EligibilityAnswer``  registry → intake ``GET /api/v1/agencies/{id}/eligibility``         may the agency take the project

Receivers are tolerant readers (``extra="ignore"``) unless a class says otherwise, so a sender
that gains a field never dead-letters its messages; anything a receiver needs is a declared field.
Adding a message: declare it here, ``enqueue`` it at the sender, take it as the body at the receiver.
"""

from __future__ import annotations

import datetime as dt
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from .._types import Text
from .report import Report
from .vocab import AssessorKind, LabelledEnum, ProjectLevel, ReviewVerdict, WarningMatchField


class Message(BaseModel):
    """Base of every message between services: a tolerant reader."""

    model_config = ConfigDict(extra="ignore")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("时间须带时区（RFC 3339）")
    return value


# intake → review: a submitted report round.


class WarningFlagFacts(Message):
    """A new filing closely resembles an entry of the warning register (预警台账: a high-risk
    decision rejected or deferred); intake records it at filing and hands it to the reviewer."""

    warning_id: Text = Field(min_length=1, max_length=64, description="预警台账条目 id")
    matched_fields: list[WarningMatchField] = Field(
        default_factory=list, max_length=3, description="相近的字段：title 事项名称、place 地点、organization 责任单位"
    )
    score: float = Field(ge=0, le=1, allow_inf_nan=False, description="相近程度（0.6×名称 + 0.2×地点 + 0.2×单位）")
    title_score: float = Field(0, ge=0, le=1, allow_inf_nan=False, description="事项名称的相似度（双字 Jaccard）")
    place_score: float = Field(0, ge=0, le=1, allow_inf_nan=False, description="地点的相似度（同一区划为 1）")
    organization_score: float = Field(0, ge=0, le=1, allow_inf_nan=False, description="责任单位的相似度（同一单位为 1）")
    warned_region_code: Text | None = Field(default=None, max_length=6, description="台账条目所在行政区划")
    warned_outcome: Text | None = Field(default=None, max_length=32, description="台账条目的决策结果：defer 暂缓实施、reject 不予实施")


class ProjectFacts(Message):
    """The project as intake hands it over with a report round."""

    project_id: Text = Field(min_length=1, max_length=64)
    number: Text | None = Field(default=None, max_length=64)
    title: Text | None = Field(default=None, max_length=300)
    responsible_org_id: Text | None = Field(default=None, max_length=64)
    responsible_org_name: Text | None = Field(default=None, max_length=200)
    category: Text | None = Field(default=None, max_length=32)
    sub_kind: Text | None = Field(default=None, max_length=32)
    interests: list[Text] = Field(default_factory=list)
    expected_participants: int | None = Field(default=None, ge=0)
    region_code: Text = Field(pattern=r"^\d{6}$")
    planned_decision_date: dt.date | None = None
    already_implemented: StrictBool = False
    assessor_kind: AssessorKind = AssessorKind.self
    agency_id: Text | None = Field(default=None, max_length=64)
    agency_org_id: Text | None = Field(default=None, max_length=64)
    implementing_org_id: Text | None = Field(default=None, max_length=64)
    #: Optional with a default: a hand-off staged before the risk watch still parses.
    warning_flags: list[WarningFlagFacts] = Field(
        default_factory=list, max_length=50, description="报备时与预警台账相近的条目（风险监测）"
    )


class DocumentFileRef(Message):
    """The uploaded original of the report (intake keeps the file)."""

    id: Text = Field(max_length=64)
    filename: Text | None = Field(default=None, max_length=300)
    sha256: Text | None = Field(default=None, max_length=64)


class ReportHandoff(Message):
    """A report round handed to review, everything review needs to open it without calling back."""

    project_id: Text = Field(min_length=1, max_length=64)
    round: int = Field(ge=1, le=1000)
    report: Report
    submitted_on: dt.date
    project: ProjectFacts
    document_file: DocumentFileRef | None = None


# review → intake: a review opened or decided.


class ReviewEventKind(LabelledEnum):
    opened = "opened", "审查已开始"
    decided = "decided", "审查已作出结论"


class FailedItem(Message):
    code: Text = Field(min_length=1, max_length=16)
    category_code: Text = Field(min_length=1, max_length=16)


class ReviewEvent(Message):
    """What happened to a report round's review; ``decided`` carries the verdict."""

    event: ReviewEventKind
    review_id: Text = Field(min_length=1, max_length=64)
    round: int = Field(ge=1)
    verdict: ReviewVerdict | None = None
    score: float | None = Field(None, ge=0, le=100, allow_inf_nan=False)
    rectification_deadline: dt.date | None = None
    failed_items: list[FailedItem] = Field(default_factory=list, max_length=200)
    decided_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _decided_has_verdict(self) -> Self:
        if self.event == ReviewEventKind.decided and self.verdict is None:
            raise ValueError("decided 事件须带审查结论（verdict）")
        if self.decided_at is not None and self.decided_at.tzinfo is None:
            raise ValueError("decided_at 须带时区")
        return self


# review → registry: an agency's performance.


class AgencyPerformance(Message):
    """A decided review of one of the agency's reports. Refuses unknown fields: the registry
    keeps these as the agency's record, so a field it would silently drop is a contract change."""

    model_config = ConfigDict(extra="forbid")

    review_id: Text = Field(min_length=1, max_length=64)
    project_id: Text = Field(min_length=1, max_length=64)
    round: int = Field(ge=1, le=100)
    verdict: ReviewVerdict
    score: float = Field(ge=0, le=100)
    decided_at: dt.datetime

    @field_validator("decided_at")
    @classmethod
    def _decided_at_aware(cls, value: dt.datetime) -> dt.datetime:
        _aware(value)
        return value


# registry → intake: who was drawn for a project (and who declined).


class ExpertAssignment(Message):
    """One expert's standing on a project: drawn by ``draw_id``; ``declined_at`` once they
    declined (final: a later message never un-declines). ``subject`` is the expert's platform
    account (the token ``sub``), absent for an expert without one."""

    expert_id: Text = Field(min_length=1, max_length=36)
    expert_name: Text = Field(min_length=1, max_length=100, description="专家姓名")
    subject: Text | None = Field(default=None, max_length=100, description="专家的平台账号（用户 id），未关联账号时为 null")
    region_code: Text = Field(pattern=r"^\d{6}$")
    draw_id: Text = Field(min_length=1, max_length=36)
    drawn_at: dt.datetime
    declined_at: dt.datetime | None = Field(default=None, description="谢绝抽取的时间；未谢绝为 null")

    @field_validator("drawn_at", "declined_at")
    @classmethod
    def _times_aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _aware(value)


class ExpertsAssigned(Message):
    """The experts a draw (or a decline and its replacement) changed on one project."""

    project_id: Text = Field(min_length=1, max_length=64)
    draw_id: Text = Field(min_length=1, max_length=36)
    assignments: list[ExpertAssignment] = Field(min_length=1, max_length=100, description="本项目抽取到的专家及其状态")


# registry → intake (read): may this agency take this project.


class EligibilityReasonCode(LabelledEnum):
    not_on_file = "agency.not_on_file", "未在本省备案"
    suspended = "agency.suspended", "机构已暂停"
    blacklisted = "agency.blacklisted", "机构已列入黑名单"
    ungraded = "agency.ungraded", "机构未定级"
    grade_expired = "agency.grade_expired", "机构等级已过期"
    grade_too_low = "agency.grade_too_low", "机构等级不足以承接该层级项目"
    insufficient_certified_staff = "agency.insufficient_certified_staff", "持证评估人员不足"
    recent_misconduct = "agency.recent_misconduct", "近期有不良执业记录"


class EligibilityReason(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: EligibilityReasonCode
    message: str


class EligibilityAgency(Message):
    id: str
    name: str
    org_id: str
    credit_code: str
    region_code: str
    status: str
    on_file: bool
    grade: str | None
    grade_valid_until: dt.date | None


class EligibilityAnswer(Message):
    """``reasons`` is empty exactly when ``eligible``."""

    eligible: bool
    reasons: list[EligibilityReason]
    project_level: ProjectLevel
    on: dt.date
    province_code: str
    certified_staff: int
    agency: EligibilityAgency


__all__ = [
    "AgencyPerformance",
    "DocumentFileRef",
    "EligibilityAgency",
    "EligibilityAnswer",
    "EligibilityReason",
    "EligibilityReasonCode",
    "ExpertAssignment",
    "ExpertsAssigned",
    "FailedItem",
    "Message",
    "ProjectFacts",
    "ReportHandoff",
    "ReviewEvent",
    "ReviewEventKind",
    "WarningFlagFacts",
]
