"""Report submission and review-event payloads."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wenping_shared import Text
from wenping_shared.contracts.report import Report
from wenping_shared.contracts.vocab import ReviewVerdict


class ReportSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: Report = Field(description="结构化评估报告（报告契约 v1，不允许未知字段）")
    document_file_id: Text = Field(
        min_length=1, max_length=36, description="评估报告原件，先经 POST /api/v1/files 上传（.docx / .pdf）"
    )


class DocumentRef(BaseModel):
    id: str
    filename: str
    sha256: str
    kind: str
    size: int


class ReportRoundSummary(BaseModel):
    project_id: str
    round: int
    submitted_at: dt.datetime
    submitted_on: dt.date
    submitted_by_org_id: str | None
    assessor_kind: str
    agency_id: str | None
    document_file_id: str | None
    review_id: str | None
    verdict: ReviewVerdict | None
    score: float | None
    rectification_deadline: dt.date | None
    decided_at: dt.datetime | None


class ReportRoundPublic(ReportRoundSummary):
    report: dict[str, Any]
    document_file: DocumentRef | None


class ReviewEventKind(StrEnum):
    opened = "opened"
    decided = "decided"


class FailedItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: Text = Field(min_length=1, max_length=16)
    category_code: Text = Field(min_length=1, max_length=16)


class ReviewEventIn(BaseModel):
    """contracts.md: the review service's events. A tolerant reader: fields the contract may gain
    later are ignored rather than refused, so a newer review service never dead-letters here."""

    model_config = ConfigDict(extra="ignore")

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


class ReviewEventAnswer(BaseModel):
    project_id: str
    review_id: str
    event: ReviewEventKind
    duplicate: bool
    status: str
