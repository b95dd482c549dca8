"""rate window: per-principal allowances of the expensive operations, shared by every process

Create Date: 2026-11-29 05:40:00
"""
from wenping_shared.migration_ops import create_rate_window_table, drop_rate_window_table

revision: str = 'a7e1c0de0002'
down_revision: str | None = '424ea3ba6942'

upgrade = create_rate_window_table
downgrade = drop_rate_window_table
