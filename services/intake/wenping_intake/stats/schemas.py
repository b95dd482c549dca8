"""The statistics summary (统计分析) response."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class Bucket(BaseModel):
    value: str | None = Field(description="取值（risk_level 未定级为 null）")
    label: str
    count: int


class RegionFigures(BaseModel):
    region_code: str = Field(description="所请求区划的直接下级区划（本级事项为所请求区划本身）")
    own_level: bool = Field(description="是否为所请求区划本级（而非下级汇总）")
    total: int
    filed: int
    completed: int
    deferred: int
    rejected: int
    overdue: int


class YearFigures(BaseModel):
    year: int
    total: int
    filed: int
    completed: int


class OnTime(BaseModel):
    completed_with_deadline: int = Field(description="分母：已完成且有评估完成时限、且有审查通过日期的项目数")
    on_time: int = Field(description="分子：其中审查通过日期（北京时间）不晚于评估完成时限的项目数")
    rate: float | None = Field(description="按时完成率 on_time / completed_with_deadline；分母为 0 时为 null")


class ReviewRounds(BaseModel):
    projects_reviewed: int = Field(description="报送过至少一轮报告的项目数")
    rounds_total: int = Field(description="这些项目报送的报告轮次之和")
    average: float | None = Field(description="平均报送轮次 rounds_total / projects_reviewed")


class ReturnCategory(BaseModel):
    category_code: str = Field(description="审查标准类别，如 C06")
    title: str
    failed_items: int = Field(description="退回的报告中该类别未通过的审查项次数")
    returned_reviews: int = Field(description="该类别至少一项未通过而被退回的审查次数")


class StatsSummary(BaseModel):
    region_code: str | None = Field(description="统计的区划（含下级）；null 为服务令牌的全部数据")
    year: int | None
    generated_at: dt.datetime
    total: int = Field(description="范围内全部项目数（含草稿）")
    filed: int = Field(description="已报备：状态已越过草稿的项目（草稿阶段即撤回的不计）")
    completed: int = Field(description="已完成评估：审查通过及其后各状态（含决策后各状态）")
    deferred: int = Field(description="暂缓实施（当前状态 deferred）")
    rejected: int = Field(description="不予实施（当前状态 rejected）")
    withdrawn: int
    overdue: int = Field(description="已过评估完成时限且未办结（销号、撤回、不予实施以外）")
    by_status: list[Bucket]
    by_category: list[Bucket]
    by_initiation: list[Bucket]
    by_risk_level: list[Bucket]
    by_year: list[YearFigures]
    by_region: list[RegionFigures]
    on_time: OnTime
    review_rounds: ReviewRounds
    return_reasons: list[ReturnCategory]
