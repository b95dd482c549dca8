"""outbox and idempotency

Create Date: 2026-11-24 04:02:53.211330
"""
from wenping_shared.migration_ops import create_delivery_tables, drop_delivery_tables

revision: str = '8a85ace76561'
down_revision: str | None = None

upgrade = create_delivery_tables
downgrade = drop_delivery_tables
