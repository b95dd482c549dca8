"""Report submission and what intake answers about rounds and review events (the events themselves
are ``wenping_shared.contracts.messages.ReviewEvent``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wenping_shared import Text
from wenping_shared.contracts import messages
from wenping_shared.contracts.messages import ReviewEventKind
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


class ReviewEventIn(messages.ReviewEvent):
    """The review service's message ``contracts.messages.ReviewEvent``, under the name this API
    has always given the body."""


class ReviewEventAnswer(BaseModel):
    project_id: str
    review_id: str
    event: ReviewEventKind
    duplicate: bool
    status: str
