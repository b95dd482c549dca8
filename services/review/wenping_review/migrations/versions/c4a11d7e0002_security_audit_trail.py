"""security audit trail: hash-chained audit records and the chain's head (with the purge checkpoint)

Create Date: 2026-11-29 07:40:00
"""
from wenping_shared.migration_ops import create_audit_tables, drop_audit_tables

revision: str = 'c4a11d7e0002'
down_revision: str | None = 'a7e1c0de0002'

upgrade = create_audit_tables
downgrade = drop_audit_tables
