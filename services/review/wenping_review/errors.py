"""Every problem the review service reports, one class each (code, status and title stated once).

Raise the class, with a ``detail`` only when the sentence depends on the case. Problems other
services report too (``ProjectNotFound``, ``ReportNotFound``, ``RegionNotFound``, ...) are
declared in ``wenping_shared``. To add one: copy a class below into its domain's section.
"""

from __future__ import annotations

from wenping_shared import BadRequest, Conflict, Forbidden, NotFound, ServiceUnavailable, UnprocessableEntity

# reviews: opening


class OpenForbidden(Forbidden):
    code, message = "review.open_forbidden", "仅受理服务或审查员可开启审查"


class HandoffIncomplete(UnprocessableEntity):
    """Intake's hand-off lacks what a review is opened from; ``missing`` names the fields."""

    code = "review.handoff_incomplete"


class ProjectMismatch(UnprocessableEntity):
    code, message = "review.project_mismatch", "project.project_id 与 project_id 不一致"


class ReviewerBody(UnprocessableEntity):
    """A reviewer sent what intake supplies; ``fields`` names them."""

    code, message = "review.reviewer_body", "审查员开启审查只需提供 project_id 和 round，报告由系统从受理服务获取"


class IntakeUnavailable(ServiceUnavailable):
    code, message = "review.intake_unavailable", "受理服务暂不可用，请稍后重试"


class IntakeDataInvalid(Conflict):
    code, message = "review.intake_data_invalid", "受理服务返回的项目或报告不符合接口约定，无法开启审查"


# reviews: reading, judging, deciding


class ReviewNotFound(NotFound):
    code, message = "review.not_found", "审查不存在"


class ReviewListForbidden(Forbidden):
    code, message = "review.list_forbidden", "当前账号无权查看审查列表"


class AuditForbidden(Forbidden):
    code, message = "review.audit_forbidden", "仅审查员和维稳办负责人可查看审查日志"


class ReviewerRequired(Forbidden):
    """Only a reviewer of the review's region may act; the detail names the action."""

    code, message = "review.reviewer_required", "仅本辖区审查员可操作"


class AlreadyDecided(Conflict):
    code, message = "review.already_decided", "审查已作出结论，不能再修改"


class ConcurrentChange(Conflict):
    code, message = "review.concurrent_change", "审查已被他人同时修改，请刷新后重试"


class ItemNotFound(NotFound):
    code = "review.item_not_found"


class OverrideCommentRequired(UnprocessableEntity):
    code = "review.override_comment_required"


class ManualItemsPending(Conflict):
    """Items still pending; ``items`` lists their codes and titles."""

    code = "review.manual_items_pending"


class DeadlineNotApplicable(UnprocessableEntity):
    code, message = "review.deadline_not_applicable", "审查通过的报告无需整改，不能设置整改期限"


class DeadlineInPast(UnprocessableEntity):
    code, message = "review.deadline_in_past", "整改期限须晚于今天"


# reviews: the feedback letter


class NotDecided(Conflict):
    code, message = "review.not_decided", "审查尚未作出结论，暂无书面反馈意见"


class OfficeUnavailable(ServiceUnavailable):
    code, message = "review.office_unavailable", "注册服务暂不可用，无法确定发文机关，请稍后重试"


class OfficeNotFound(NotFound):
    code, message = "review.office_not_found", "发文机关不存在"


# precheck


class PrecheckIntakeUnavailable(ServiceUnavailable):
    code, message = "precheck.intake_unavailable", "受理服务暂不可用，请稍后重试或不带 project_id 预审"


# checklists


class ChecklistVersionNotFound(NotFound):
    code = "checklist.version_not_found"


# region configurations


class RegionConfigRoleRequired(Forbidden):
    code, message = "region_config.role_required", "仅平台管理员或维稳办负责人可设置本辖区审查配置"


class OutsideJurisdiction(Forbidden):
    code, message = "region_config.outside_jurisdiction", "只能设置本辖区（含下级）的审查配置"


# statistics


class StatsRegionNotFound(NotFound):
    code, message = "stats.region_not_found", "该地区不在本辖区内"


class InvalidPeriod(BadRequest):
    code, message = "stats.invalid_period", "统计起始日期不能晚于截止日期"
