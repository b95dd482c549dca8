"""Response models of the clearance check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from wenping_shared.contracts.vocab import LabelledEnum


class ClearanceStatus(LabelledEnum):
    valid = "valid", "有效"
    revoked = "revoked", "已撤销"
    none = "none", "未签发"


class ClearanceCheck(BaseModel):
    project_number: str = Field(description="项目编号")
    may_proceed: bool = Field(description="该决策事项此刻能否上会研究或报批（仅当证明有效时为 true）")
    status: ClearanceStatus = Field(description="valid 有效；revoked 已撤销；none 尚未签发（评估报告未经审查通过）")
    reason: str | None = Field(description="不能上会的原因（撤销原因或尚未签发）")
    clearance_id: str | None = Field(description="证明编号（核验码，即 JWS 的 jti）")
    basis: str | None = Field(description="review_approved 报告审查通过；decision_recorded 已作出决策")
    permits: str | None = Field(description="证明准予的事项")
    issued_at: dt.datetime | None = Field(description="签发时间")
    revoked_at: dt.datetime | None = Field(description="撤销时间")
    clearance: str | None = Field(
        description="签名的证明（紧凑 JWS，ES256）；已撤销时为签名的撤销声明（status=revoked）。"
        "用 GET /api/v1/clearances/jwks.json 的公钥离线核验"
    )
    claims: dict[str, Any] | None = Field(description="JWS 载荷（便于阅读；以签名文本为准）")
