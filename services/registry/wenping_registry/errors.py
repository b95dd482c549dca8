"""Every problem the registry service reports, one class each (code, status and title stated once).

Raise the class, with a ``detail`` only when the sentence depends on the case. Problems other
services report too (``ProjectNotFound``, ``AgencyNotFound``, ``UnknownRegion``, ...) are declared
in ``wenping_shared``. To add one: copy a class below into its domain's section.
"""

from __future__ import annotations

from typing import Any

from wenping_shared import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    UnprocessableEntity,
)

# auth: RFC 6749 §5.2 errors, still problem+json with a Chinese detail; ``error`` carries the
# OAuth error name for OAuth clients.


class OAuthError(BadRequest):
    code, error = "oauth.invalid_request", "invalid_request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, error=self.error, **extra)


class InvalidOAuthRequest(OAuthError):
    """A required parameter is missing."""


class InvalidGrant(OAuthError, message="用户名或密码错误"):
    status, code, error = 401, "oauth.invalid_grant", "invalid_grant"


class InvalidClient(OAuthError):
    status, code, error = 401, "oauth.invalid_client", "invalid_client"


class InvalidTarget(OAuthError):
    code, error = "oauth.invalid_target", "invalid_target"


class InvalidScope(OAuthError):
    code, error = "oauth.invalid_scope", "invalid_scope"


class UnsupportedGrantType(OAuthError, message="grant_type 须为 password 或 client_credentials"):
    code, error = "oauth.unsupported_grant_type", "unsupported_grant_type"


class TooManyFailures(TooManyRequests, code="auth.too_many_failures"): ...


# identity: regions, organisations, users


class OrganizationNotFound(NotFound, code="organization.not_found", message="单位不存在"): ...


class OrganizationOutsideRegion(Forbidden, code="organization.outside_region", message="只能在本辖区内创建单位"): ...


class DuplicateOrganizationName(Conflict, code="organization.duplicate_name"): ...


class UserOrganizationNotFound(BadRequest, code="user.organization_not_found", message="所属单位不存在或不在本辖区内"): ...


class DuplicateUsername(Conflict, code="user.duplicate_username"): ...


class UserRoleOrgMismatch(BadRequest, code="user.role_org_mismatch", message="agency 角色的用户须属于第三方稳评机构"): ...


class UserNotFound(NotFound, code="user.not_found", message="当前令牌不属于平台用户"): ...


# agencies


class AgencyManageForbidden(Forbidden, code="agency.manage_forbidden", message="只有机构所在辖区的管理员可以管理该机构"): ...


class FilingOutsideProvince(Forbidden, code="agency.filing_outside_province"): ...


class AgencyOutsideRegion(Forbidden, code="agency.outside_region", message="只能在本辖区内登记机构"): ...


class DuplicateCreditCode(Conflict, code="agency.duplicate_credit_code", message="该统一社会信用代码的机构已登记"): ...


class AgencyOrganizationNotFound(BadRequest, code="agency.organization_not_found", message="机构单位不存在或不在本辖区内"): ...


class AgencyOrganizationKind(BadRequest, code="agency.organization_kind", message="机构须关联类型为第三方稳评机构（agency）的单位"): ...


class OrganizationTaken(Conflict, code="agency.organization_taken", message="该单位已登记为机构"): ...


class CreditCodeMismatch(Conflict, code="agency.credit_code_mismatch", message="单位登记的统一社会信用代码与所填不一致"): ...


class GradingCriteriaNotMet(Conflict, code="agency_grading.criteria_not_met"): ...


class DuplicateCertificate(Conflict, code="practitioner.duplicate_certificate"): ...


class MisconductOutsideRegion(Forbidden, code="misconduct.outside_region", message="只能登记本辖区内发生的不良行为"): ...


class MisconductInFuture(BadRequest, code="misconduct.future_date", message="认定日期不能晚于今天"): ...


# experts


class ExpertNotFound(NotFound, code="expert.not_found", message="专家不存在"): ...


class ExpertManageForbidden(Forbidden, code="expert.manage_forbidden", message="只有专家所在辖区的管理员可以修改专家信息"): ...


class ExpertOutsideRegion(Forbidden, code="expert.outside_region", message="只能在本辖区内管理专家"): ...


class EmployerNotFound(BadRequest, code="expert.employer_not_found", message="工作单位不存在或不在本辖区内"): ...


class EmployerRequired(BadRequest, code="expert.employer_required", message="工作单位名称不能为空"): ...


class ExpertUserNotFound(BadRequest, code="expert.user_not_found", message="专家账号不存在或不在本辖区内"): ...


class UserNotExpert(BadRequest, code="expert.user_not_expert", message="关联的账号须具有专家（expert）角色"): ...


class UserAlreadyLinked(Conflict, code="expert.user_already_linked", message="该账号已关联其他专家"): ...


class DuplicateIdNumber(Conflict, code="expert.duplicate_id_number", message="该身份证号码的专家已在库中"): ...


class InvalidTerm(BadRequest, code="expert.invalid_term", message="聘期结束日期不能早于开始日期"): ...


class InvalidIds(BadRequest, code="expert.invalid_ids", message="ids 不能为空"): ...


class TooManyIds(BadRequest, code="expert.too_many_ids"): ...


class ImportFileRequired(UnprocessableEntity, code="expert_import.file_required", message="请上传 .xlsx 文件（multipart 的 file 字段或请求体）"): ...


class InvalidImport(UnprocessableEntity, code="expert_import.invalid"):
    """The whole sheet is refused (nothing imported); ``errors`` lists the rows."""


# expert draws


class DrawForbidden(Forbidden, code="expert_draw.forbidden", message="只有项目所属单位的报备员、项目所在辖区的审查员和管理员可以抽取专家"): ...


class DrawOutsideRegion(Forbidden, code="expert_draw.region_outside", message="只能在本辖区范围内抽取专家"): ...


class DrawProjectClosed(Conflict, code="expert_draw.project_closed"): ...


class DrawFieldsRequired(BadRequest, code="expert_draw.fields_required", message="无法根据项目确定专家领域，请在请求中指定 fields"): ...


class NotEnoughExperts(Conflict, code="expert_draw.not_enough_experts"):
    """Fewer eligible experts than requested; the counts say why (exclusions by reason)."""


class ConcurrentDraw(Conflict, code="expert_draw.concurrent_draw", message="同一项目的另一次抽取刚刚完成，请刷新后重试"): ...


class DrawNotFound(NotFound, code="expert_draw.not_found", message="抽取记录不存在"): ...


class DeclineForbidden(Forbidden, code="expert_draw.decline_forbidden", message="只有本次抽取选中的专家本人可以谢绝抽取"): ...


class DrawAlreadyDeclined(Conflict, code="expert_draw.already_declined", message="您已谢绝过本次抽取，不能重复谢绝"): ...


class DeclineAfterAssessment(Conflict, code="expert_draw.assessment_ended"): ...


class UnsupportedDrawAlgorithm(Conflict, code="expert_draw.unsupported_algorithm"): ...


class IntakeProjectUnavailable(ServiceUnavailable, code="intake.project_unavailable"): ...


class IntakeProjectUnreadable(ServiceUnavailable, code="intake.project_unreadable", message="受理服务返回的项目数据无法识别"): ...

