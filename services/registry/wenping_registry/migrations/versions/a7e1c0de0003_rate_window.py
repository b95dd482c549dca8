"""rate window: per-principal allowances of the expensive operations, shared by every process

Revision ID: a7e1c0de0003
Revises: 9ca7d65f8f4e
Create Date: 2026-11-29 05:40:00
"""
from collections.abc import Sequence

from wenping_shared.migration_ops import create_rate_window_table, drop_rate_window_table

revision: str = 'a7e1c0de0003'
down_revision: str | None = '9ca7d65f8f4e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_rate_window_table()


def downgrade() -> None:
    drop_rate_window_table()
