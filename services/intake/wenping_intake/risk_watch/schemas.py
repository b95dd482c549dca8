"""Response models of the risk watch (it takes no request body: the register and the flags are
written by the decisions and filings themselves)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from wenping_shared.contracts.messages import WarningFlagFacts
from wenping_shared.contracts.vocab import (
    MonitoringRegime,
    OverallLevel,
    ProjectStatus,
    Recommendation,
    RiskPhase,
    WatchLevel,
)


class WarningFlagPublic(WarningFlagFacts):
    """A flag as GET /api/v1/projects/{id} shows it. The flagged-against project is named only to
    a caller who may see that project; everyone who sees this project sees the flag and its score."""

    matched_labels: list[str] = Field(description="相似的字段（中文）")
    warned_outcome_label: str | None = Field(None, description="台账条目决策结果的中文名")
    warned_project_id: str | None = Field(None, description="预警台账中的项目（调用方可见时）")
    warned_project_number: str | None = Field(None, description="预警台账中项目的编号（调用方可见时）")
    warned_title: str | None = Field(None, description="预警台账中项目的事项名称（调用方可见时）")
    flagged_at: dt.datetime = Field(description="标记时间（报备时）")


class BoardProject(BaseModel):
    id: str
    number: str
    title: str
    status: ProjectStatus
    status_label: str
    region_code: str
    responsible_org_name: str | None
    decision_outcome: Recommendation | None
    created_at: dt.datetime
    updated_at: dt.datetime


class BoardCell(BaseModel):
    phase: RiskPhase = Field(description="阶段")
    phase_label: str = Field(description="阶段的中文名")
    count: int = Field(description="该风险等级、该阶段的项目数")
    projects: list[BoardProject] = Field(description="其中最新报备的项目（按创建时间倒序，最多 projects_per_cell 个）")


class BoardLevel(BaseModel):
    risk_level: WatchLevel
    risk_level_label: str = Field(description="风险等级的中文名")
    regime: MonitoringRegime = Field(description="监测方式：低风险常规监测、中风险重点管控、高风险否决预警；未定级为待定级")
    regime_label: str = Field(description="监测方式的中文名")
    count: int
    cells: list[BoardCell] = Field(description="各阶段（报备、评估、审查、决策、跟踪实施、办结）")


class PhaseColumn(BaseModel):
    phase: RiskPhase = Field(description="阶段")
    phase_label: str = Field(description="阶段的中文名")
    statuses: list[ProjectStatus] = Field(description="归入该阶段的项目状态")
    count: int


class RiskBoard(BaseModel):
    region_code: str = Field(description="看板的区划（含下级）")
    year: int | None = Field(description="项目年度；null 为全部年度")
    total: int = Field(description="看板上的项目数（已报备的项目，不含草稿）")
    projects_per_cell: int = Field(description="每格列出的项目数上限")
    phases: list[PhaseColumn] = Field(description="各阶段（看板的列）及其所含项目状态与项目数")
    levels: list[BoardLevel] = Field(description="高、中、低风险与未定级，各按阶段计数并列出项目")


class WarningPublic(BaseModel):
    id: str
    project_id: str
    project_number: str
    title: str
    place: str | None = Field(description="实施地点（取自审查通过的评估报告）")
    region_code: str
    responsible_org_id: str
    responsible_org_name: str | None
    risk_level: OverallLevel
    risk_level_label: str = Field(description="风险等级的中文名")
    outcome: Recommendation = Field(description="决策结果：defer 暂缓实施 或 reject 不予实施")
    outcome_label: str = Field(description="决策结果的中文名")
    regime: MonitoringRegime = Field(description="监测方式（否决预警）")
    regime_label: str = Field(description="监测方式的中文名")
    decided_by: str
    created_at: dt.datetime


class FlaggedFiling(BaseModel):
    """A later filing found close to this entry (only those the caller may see)."""

    project_id: str
    project_number: str
    title: str
    region_code: str
    status: ProjectStatus
    score: float
    matched_fields: list[str] = Field(description="相近的字段：title 事项名称、place 地点、organization 责任单位")
    flagged_at: dt.datetime = Field(description="标记时间（报备时）")


class WarningDetail(WarningPublic):
    flagged_filings: list[FlaggedFiling] = Field(description="此后被标记为与本条目相近的报备项目（调用方可见的）")
