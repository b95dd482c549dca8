"""Every problem the review service reports, one class each (code, status and title stated once).

Raise the class, with a ``detail`` only when the sentence depends on the case. Problems other
services report too (``ProjectNotFound``, ``ReportNotFound``, ``RegionNotFound``, ...) are
declared in ``wenping_shared``. To add one: copy a class below into its domain's section.
"""

from __future__ import annotations

from wenping_shared import BadRequest, Conflict, Forbidden, NotFound, ServiceUnavailable, UnprocessableEntity

# reviews: opening


class OpenForbidden(Forbidden, code="review.open_forbidden", message="仅受理服务或审查员可开启审查"): ...


class HandoffIncomplete(UnprocessableEntity, code="review.handoff_incomplete"):
    """Intake's hand-off lacks what a review is opened from; ``missing`` names the fields."""


class ProjectMismatch(UnprocessableEntity, code="review.project_mismatch", message="project.project_id 与 project_id 不一致"): ...


class ReviewerBody(UnprocessableEntity, code="review.reviewer_body", message="审查员开启审查只需提供 project_id 和 round，报告由系统从受理服务获取"):
    """A reviewer sent what intake supplies; ``fields`` names them."""


class IntakeUnavailable(ServiceUnavailable, code="review.intake_unavailable", message="受理服务暂不可用，请稍后重试"): ...


class IntakeDataInvalid(Conflict, code="review.intake_data_invalid", message="受理服务返回的项目或报告不符合接口约定，无法开启审查"): ...


# reviews: reading, judging, deciding


class ReviewNotFound(NotFound, code="review.not_found", message="审查不存在"): ...


class ReviewListForbidden(Forbidden, code="review.list_forbidden", message="当前账号无权查看审查列表"): ...


class AuditForbidden(Forbidden, code="review.audit_forbidden", message="仅审查员和维稳办负责人可查看审查日志"): ...


class ReviewerRequired(Forbidden, code="review.reviewer_required", message="仅本辖区审查员可操作"):
    """Only a reviewer of the review's region may act; the detail names the action."""


class AlreadyDecided(Conflict, code="review.already_decided", message="审查已作出结论，不能再修改"): ...


class ConcurrentChange(Conflict, code="review.concurrent_change", message="审查已被他人同时修改，请刷新后重试"): ...


class ItemNotFound(NotFound, code="review.item_not_found"): ...


class OverrideCommentRequired(UnprocessableEntity, code="review.override_comment_required"): ...


class ManualItemsPending(Conflict, code="review.manual_items_pending"):
    """Items still pending; ``items`` lists their codes and titles."""


class DeadlineNotApplicable(UnprocessableEntity, code="review.deadline_not_applicable", message="审查通过的报告无需整改，不能设置整改期限"): ...


class DeadlineInPast(UnprocessableEntity, code="review.deadline_in_past", message="整改期限须晚于今天"): ...


# reviews: the feedback letter


class NotDecided(Conflict, code="review.not_decided", message="审查尚未作出结论，暂无书面反馈意见"): ...


class OfficeUnavailable(ServiceUnavailable, code="review.office_unavailable", message="注册服务暂不可用，无法确定发文机关，请稍后重试"): ...


class OfficeNotFound(NotFound, code="review.office_not_found", message="发文机关不存在"): ...


# precheck


class PrecheckIntakeUnavailable(ServiceUnavailable, code="precheck.intake_unavailable", message="受理服务暂不可用，请稍后重试或不带 project_id 预审"): ...


# checklists


class ChecklistVersionNotFound(NotFound, code="checklist.version_not_found"): ...


# region configurations


class RegionConfigRoleRequired(Forbidden, code="region_config.role_required", message="仅平台管理员或维稳办负责人可设置本辖区审查配置"): ...


class OutsideJurisdiction(Forbidden, code="region_config.outside_jurisdiction", message="只能设置本辖区（含下级）的审查配置"): ...


# statistics


class StatsRegionNotFound(NotFound, code="stats.region_not_found", message="该地区不在本辖区内"): ...


class InvalidPeriod(BadRequest, code="stats.invalid_period", message="统计起始日期不能晚于截止日期"): ...
