"""outbox and idempotency

Create Date: 2026-11-24 04:02:54.491622
"""
from wenping_shared.migration_ops import create_delivery_tables, drop_delivery_tables

revision: str = '827fb6ea427b'
down_revision: str | None = None

upgrade = create_delivery_tables
downgrade = drop_delivery_tables
