"""The problems clearance endpoints report."""

from __future__ import annotations

from wenping_shared import Conflict, Forbidden, NotFound


class ClearanceReadForbidden(Forbidden, code="clearance.read_forbidden", message="核验稳评备案证明须持 clearances:read 授权范围的对接客户端令牌，或可查看该项目的账号"): ...


class ClearanceProjectNotFound(NotFound, code="clearance.project_not_found", message="项目编号不存在或不在调用方辖区内"): ...


class ClearanceNotIssued(Conflict, code="clearance.not_issued", message="该项目尚无有效的稳评备案证明（评估报告未经审查通过，或证明已被撤销），无法打印"): ...
