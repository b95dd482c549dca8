"""The registry's security audit trail: the shared hash-chained tables (``wenping_shared.audit_tables``),
whose records keep what the registry's own entries say in ``detail`` (``changes``, ``region_code``)."""

from __future__ import annotations

from typing import Any

from wenping_shared import audit_tables

from ..database import TableBase


class RegistryDetail:
    """Reading the registry's details back (``detail`` holds ``changes`` and ``region_code``)."""

    detail: dict[str, Any]

    @property
    def changes(self) -> dict[str, Any]:
        return dict(self.detail.get("changes") or {})

    @property
    def region_code(self) -> str | None:
        return self.detail.get("region_code")


AuditEntry, AuditChain = audit_tables(TableBase, RegistryDetail)
