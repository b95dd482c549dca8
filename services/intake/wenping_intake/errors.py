"""Every problem the intake service reports, one class each (code, status and title stated once).

Raise the class, with a ``detail`` only when the sentence depends on the case. Problems other
services report too (``ProjectNotFound``, ``AgencyNotFound``, ``RegistryUnavailable``, ...) are
declared in ``wenping_shared``. To add one: copy a class below into its domain's section.
"""

from __future__ import annotations

from wenping_shared import BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, UnprocessableEntity, WenpingError

# projects


class FilerOnly(Forbidden, code="project.filer_only", message="只有决策部门的报备员可以报备项目"): ...


class NoTenant(Forbidden, code="project.no_tenant", message="当前账号未关联单位或行政区划，无法报备"): ...


class SupervisorOnly(Forbidden, code="project.supervisor_only", message="只有维稳办负责人可以指定评估"): ...


class ResponsibleOrgNotFound(BadRequest, code="project.responsible_org_not_found", message="被指定的责任单位不存在或不在本辖区内"): ...


class ImplementingOrgNotFound(BadRequest, code="project.implementing_org_not_found", message="实施单位（implementing_org_id）不存在或不在本省范围内"): ...


class ResponsibleOrgNotDepartment(BadRequest, code="project.responsible_org_not_department", message="只能指定决策部门（kind=department）开展评估"): ...


class ProjectEditForbidden(Forbidden, code="project.edit_forbidden", message="只有项目责任单位可以修改项目"): ...


class ProjectNotEditable(Conflict, code="project.not_editable"):
    """Only drafts and filed projects may be edited."""


class TransitionForbidden(Forbidden, code="project.transition_forbidden", message="只有项目责任单位可以变更项目状态；审查结论由审查服务回写"): ...


class InvalidTransition(Conflict, code="project.invalid_transition"):
    """The project's status does not allow the action (or the event's round is not current)."""


class CommissionForbidden(Forbidden, code="project.commission_forbidden", message="只有项目责任单位可以委托第三方评估机构"): ...


class NotCommissionable(Conflict, code="project.not_commissionable"): ...


class AgencyIneligible(Conflict, code="project.agency_ineligible"):
    """The registry says the agency may not take the project; ``reasons`` carries its answer."""


# decision lists


class DecisionListFilerOnly(Forbidden, code="decision_list.filer_only", message="只有决策部门的报备员可以报送决策清单"): ...


class DecisionListNoTenant(Forbidden, code="decision_list.no_tenant", message="当前账号未关联单位或行政区划，无法报送决策清单"): ...


class DecisionListYearOutOfRange(UnprocessableEntity, code="decision_list.year_out_of_range"): ...


class ItemBatchMismatch(UnprocessableEntity, code="decision_list.item_batch_mismatch"): ...


class DecisionListNotFound(NotFound, code="decision_list.not_found", message="决策清单不存在"): ...


# expert opinions


class OpinionForbidden(Forbidden, code="expert_opinion.forbidden", message="只有为本项目抽取选中且未谢绝的专家可以提交书面意见"): ...


class OpinionsClosed(Conflict, code="expert_opinion.closed"): ...


class OpinionNotFound(NotFound, code="expert_opinion.not_found", message="专家意见不存在"): ...


class AdoptionForbidden(Forbidden, code="expert_opinion.adoption_forbidden", message="只有本项目的评估方（受托机构或自行评估的责任单位）可以记录意见采纳情况"): ...


class AdoptionAnswered(Conflict, code="expert_opinion.already_answered"): ...


class OpinionsUnanswered(Conflict, code="expert_opinion.unanswered"): ...


# files


class UnsupportedDocument(WenpingError, status=415, code="file.unsupported_type", title="文件类型不支持"):
    """Only .docx and .pdf originals, judged by their bytes."""


class EmptyFile(UnsupportedDocument, code="file.empty", message="文件为空"): ...


class ContentMismatch(UnsupportedDocument, code="file.content_mismatch"): ...


class FileTooLarge(PayloadTooLarge, code="file.too_large"): ...


class UploadForbidden(Forbidden, code="file.upload_forbidden", message="只有决策部门或评估机构人员可以上传评估报告原件"): ...


class FileNotFound(NotFound, code="file.not_found", message="文件不存在"): ...


# reports


class ReportSubmitForbidden(Forbidden, code="report.submit_forbidden", message="只有项目责任单位（自行评估）可以报送评估报告"): ...


class ReportNotAccepted(Conflict, code="report.not_accepted"): ...


class ReportDocumentNotFound(BadRequest, code="report.document_not_found", message="评估报告原件不存在，请先通过 POST /api/v1/files 上传"): ...


# tracking and evaluation


class NotTrackable(Conflict, code="tracking.not_trackable"): ...


class TrackingForbidden(Forbidden, code="tracking.forbidden"): ...


class MeasureNotFound(UnprocessableEntity, code="tracking.measure_not_found"): ...


class ResponsibleUnitRequired(UnprocessableEntity, code="tracking.responsible_unit_required", message="请求数据校验失败：responsible_unit 报告外新增的措施须填写责任单位"): ...


class EvaluationNotFound(NotFound, code="evaluation.not_found", message="该项目尚未报送效果评价"): ...


# statistics


class StatsForbidden(Forbidden, code="stats.forbidden", message="当前账号无权查看统计"): ...


class StatsRegionOutOfScope(Forbidden, code="stats.region_out_of_scope", message="只能统计本辖区及下级区划"): ...


# oversight: targets and appraisal


class OversightSupervisorOnly(Forbidden, code="oversight.supervisor_only", message="只有维稳办负责人可以设定考核目标和评分方案"): ...


class OversightReaderOnly(Forbidden, code="oversight.reader_only", message="只有维稳办负责人、审查员和平台管理员可以查看考核结果"): ...


class OutsideSubtree(Forbidden, code="oversight.outside_subtree", message="该行政区划或单位不在本辖区范围内"): ...


class TargetOrgNotFound(BadRequest, code="target.org_not_found", message="目标单位（org_id）不存在"): ...


class TargetImportInvalid(UnprocessableEntity, code="target.import_invalid"):
    """The decomposition table has bad rows (errors[] names each row and column); nothing was imported."""


class TargetImportUnreadable(BadRequest, code="target.import_unreadable", message="无法读取上传的目标分解表：请上传由模板填写的 xlsx 文件"): ...


# oversight: inspections (督查), rectification (整改) and circulars (通报)


class InspectionSupervisorOnly(Forbidden, code="inspection.supervisor_only", message="只有维稳办负责人可以记录督查、验收整改和印发通报"): ...


class InspectionNotFound(NotFound, code="inspection.not_found", message="督查记录不存在或不可见"): ...


class FindingNotFound(NotFound, code="inspection.finding_not_found", message="督查发现的问题不存在或不可见"): ...


class RectificationForbidden(Forbidden, code="inspection.rectification_forbidden", message="只有被督查单位（项目责任单位）的报备员可以报告整改情况"): ...


class RectificationInvalidTransition(Conflict, code="inspection.invalid_transition"):
    """The rectification's state does not allow the action (the detail says which state it is in)."""


class CircularNotFound(NotFound, code="circular.not_found", message="通报不存在或不可见"): ...


class CircularNoFindings(UnprocessableEntity, code="circular.no_findings", message="该期间本辖区的督查没有发现需要通报的问题"): ...


# oversight: accountability (追责问责)


class AccountabilitySupervisorOnly(Forbidden, code="accountability.supervisor_only", message="只有维稳办负责人可以记录约谈、通报批评和问责"): ...


class AccountabilityNotFound(NotFound, code="accountability.not_found", message="问责记录不存在或不可见"): ...


class AccountabilityGroundNotFound(UnprocessableEntity, code="accountability.ground_not_found"):
    """The stated ground does not hold for the project (the detail says what was looked for)."""


# oversight: the risk watch and incidents


class RiskWatchSupervisorOnly(Forbidden, code="risk_watch.supervisor_only", message="只有维稳办负责人可以查看风险监测看板"): ...


class RiskWatchReaderOnly(Forbidden, code="risk_watch.reader_only", message="只有维稳办负责人和审查员可以查看预警台账"): ...


class WarningNotFound(NotFound, code="risk_watch.warning_not_found", message="预警台账条目不存在"): ...


class IncidentForbidden(Forbidden, code="incident.forbidden", message="只有项目责任单位或本辖区维稳办负责人可以报告实施中发生的事件"): ...


class IncidentNotInTracking(Conflict, code="incident.not_in_tracking", message="只有决策实施后（准予实施、落实措施后实施或跟踪问效中）的项目可以报告事件"): ...


class IncidentDateInvalid(UnprocessableEntity, code="incident.date_invalid", message="事件发生日期须在项目决策之后且不晚于今天"): ...
