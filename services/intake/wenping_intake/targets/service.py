"""Target rules: a supervisor sets targets inside their subtree; progress is counted from projects."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from wenping_shared import Principal, ServiceClient, public_view, region_contains, utcnow
from wenping_shared.contracts.vocab import ProjectCategory

from ..errors import (
    OutsideSubtree,
    OversightReaderOnly,
    OversightSupervisorOnly,
    TargetImportInvalid,
    TargetOrgNotFound,
)
from ..projects.service import ProjectService
from ..public import label_or_none
from ..unit_access import OVERSIGHT_READERS
from . import workbook
from .models import AssessmentTarget
from .repository import TargetRepository, scope_key
from .schemas import COUNTING_RULE, TargetBoard, TargetImportResult, TargetPublic, TargetSet

AREA = "target"

CompletedRows = Sequence[Any]


def completed_for(target: AssessmentTarget, rows: CompletedRows) -> int:
    """The target's progress from (org, region, category, count) rows of approved projects."""
    total = 0
    for org_id, region_code, category, count in rows:
        if target.category and category != target.category:
            continue
        if target.org_id is not None:
            if org_id == target.org_id:
                total += int(count)
        elif region_contains(target.region_code, region_code):
            total += int(count)
    return total


def target_public(target: AssessmentTarget, completed: int) -> TargetPublic:
    return public_view(
        TargetPublic, target,
        category_label=label_or_none(ProjectCategory, target.category),
        completed=completed,
        remaining=max(target.target_count - completed, 0),
        met=completed >= target.target_count,
    )


def ensure_supervisor(principal: Principal) -> str:
    if principal.kind != "user" or not principal.has_role("supervisor") or not principal.region_code:
        raise OversightSupervisorOnly()
    return principal.region_code


def reader_region(principal: Principal, region_code: str | None) -> str:
    """The region whose subtree the caller reads: their own unless they name one inside it."""
    if principal.kind != "user" or not principal.has_role(*OVERSIGHT_READERS) or not principal.region_code:
        raise OversightReaderOnly()
    region = region_code or principal.region_code
    if not region_contains(principal.region_code, region):
        raise OutsideSubtree()
    return region


class TargetService:
    def __init__(self, session: AsyncSession, peers: ServiceClient) -> None:
        self.session = session
        self.peers = peers
        self.targets = TargetRepository(session)

    async def _resolve(self, principal: Principal, data: TargetSet, orgs: dict[str, dict[str, Any]]) -> tuple[str, str | None]:
        """(region, organisation name) of a target, inside the supervisor's subtree."""
        subtree = principal.region_code or ""
        if data.org_id is not None:
            org = orgs.get(data.org_id)
            if org is None:
                raise TargetOrgNotFound()
            region, name = str(org.get("region_code", "")), str(org["name"])
        else:
            region, name = data.region_code or "", None
        if not region_contains(subtree, region):
            raise OutsideSubtree()
        return region, name

    async def _organizations(self, org_ids: Sequence[str | None]) -> dict[str, dict[str, Any]]:
        """The registry's organisations, asked before the database is touched (no lock across a call)."""
        projects = ProjectService(self.session, self.peers)
        found: dict[str, dict[str, Any]] = {}
        for org_id in dict.fromkeys(o for o in org_ids if o):
            org = await projects.organization(org_id)
            if org is not None:
                found[org_id] = org
        return found

    async def _upsert(self, principal: Principal, data: TargetSet, region: str, org_name: str | None) -> tuple[AssessmentTarget, bool]:
        category = data.category.value if data.category else None
        key = scope_key(data.year, region, data.org_id, category)
        target = await self.targets.by_key(key)
        created = target is None
        before = None if target is None else target.target_count
        if target is None:
            target = AssessmentTarget(
                scope_key=key, year=data.year, region_code=region, org_id=data.org_id, org_name=org_name,
                category=category, target_count=data.target_count, set_by=principal.subject,
            )
        else:
            target.target_count = data.target_count
            target.org_name = org_name or target.org_name
            target.set_by = principal.subject
            target.updated_at = utcnow()
            target.version += 1
        self.session.add(target)
        await self.targets.record_change(
            principal, AREA, target.id, "set" if created else "replace",
            {"scope_key": key, "target_count": data.target_count, "previous_count": before},
        )
        return target, created

    async def set(self, principal: Principal, data: TargetSet) -> TargetPublic:
        ensure_supervisor(principal)
        orgs = await self._organizations([data.org_id])
        region, org_name = await self._resolve(principal, data, orgs)
        target, _ = await self._upsert(principal, data, region, org_name)
        await self.session.flush()
        rows = await self.targets.completed(target.year, target.region_code)
        return target_public(target, completed_for(target, rows))

    async def board(self, principal: Principal, year: int, region_code: str | None) -> TargetBoard:
        if principal.kind == "user" and principal.has_role("filer") and not principal.has_role(*OVERSIGHT_READERS):
            # A department sees its own organisation's targets only.
            region = principal.region_code or ""
            targets = await self.targets.of_subtree(year, _province(region), org_id=principal.org_id or "")
            rows = await self.targets.completed(year, _province(region))
        else:
            region = reader_region(principal, region_code)
            targets = await self.targets.of_subtree(year, region)
            rows = await self.targets.completed(year, region)
        items = [target_public(t, completed_for(t, rows)) for t in targets]
        return TargetBoard(year=year, region_code=region, counting_rule=COUNTING_RULE, items=items)

    async def import_table(self, principal: Principal, content: bytes) -> TargetImportResult:
        """Every row valid or nothing imported; errors[] names each bad row (1-based, as in Excel)."""
        ensure_supervisor(principal)
        rows = await asyncio.to_thread(workbook.read_rows, content)
        parsed: list[tuple[int, TargetSet]] = []
        errors: list[dict[str, Any]] = []
        for line, values in rows:
            try:
                parsed.append((line, TargetSet.model_validate(values)))
            except ValidationError as exc:
                for error in exc.errors():
                    field = ".".join(str(p) for p in error["loc"]) or "row"
                    errors.append({"loc": ["rows", line, workbook.column_title(field)], "msg": _chinese(error), "type": "value_error"})
        if not parsed and not errors:
            errors.append({"loc": ["rows"], "msg": "目标分解表中没有数据行", "type": "value_error"})
        orgs = await self._organizations([t.org_id for _, t in parsed])
        resolved: list[tuple[TargetSet, str, str | None]] = []
        seen: dict[str, int] = {}
        for line, data in parsed:
            try:
                region, name = await self._resolve(principal, data, orgs)
            except (TargetOrgNotFound, OutsideSubtree) as exc:
                errors.append({"loc": ["rows", line], "msg": exc.detail, "type": "value_error"})
                continue
            key = scope_key(data.year, region, data.org_id, data.category.value if data.category else None)
            if key in seen:
                errors.append({"loc": ["rows", line], "msg": f"与第 {seen[key]} 行是同一目标", "type": "value_error"})
                continue
            seen[key] = line
            resolved.append((data, region, name))
        if errors:
            lines = sorted({e["loc"][1] for e in errors if len(e["loc"]) > 1})
            raise TargetImportInvalid(
                f"目标分解表有 {len(errors)} 处错误（第 {'、'.join(str(n) for n in lines) or '-'} 行），未导入任何目标",
                errors=errors,
            )
        created = replaced = 0
        targets: list[AssessmentTarget] = []
        for data, region, name in resolved:
            target, is_new = await self._upsert(principal, data, region, name)
            created += is_new
            replaced += not is_new
            targets.append(target)
        await self.session.flush()
        province = _province(targets[0].region_code)
        counts = {year: await self.targets.completed(year, province) for year in {t.year for t in targets}}
        return TargetImportResult(
            created=created, replaced=replaced, items=[target_public(t, completed_for(t, counts[t.year])) for t in targets]
        )


def _province(region_code: str) -> str:
    """A supervisor's subtree lies inside one province: one count query covers all its targets."""
    return region_code[:2].ljust(6, "0")


def _chinese(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind == "missing":
        return "不能为空"
    if kind.startswith("int"):
        return "须为整数"
    if kind in ("greater_than_equal", "less_than_equal"):
        return "数值超出允许范围"
    if kind == "string_pattern_mismatch":
        return "须为 6 位数字的行政区划代码"
    if kind == "enum":
        return "类别须为 " + "、".join(f"{m.value}（{m.label}）" for m in ProjectCategory)
    message = str(error.get("msg", "格式错误"))
    return message.removeprefix("Value error, ")
