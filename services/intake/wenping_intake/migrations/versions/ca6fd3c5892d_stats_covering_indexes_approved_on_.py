"""stats covering indexes, approved_on, return_reason year

Create Date: 2026-11-24 05:07:52.969846
"""

import sqlalchemy as sa
from alembic import op

revision: str = 'ca6fd3c5892d'
down_revision: str | None = '322d80079630'


def _local_date(column: str, dialect: str) -> str:
    """The Asia/Shanghai date of a stored UTC timestamp (SQLite keeps naive UTC text)."""
    if dialect == "postgresql":
        return f"CAST(timezone('Asia/Shanghai', {column}) AS DATE)"
    return f"date({column}, '+8 hours')"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_on', sa.Date(), nullable=True))
    # Backfill: the Beijing date of each project's latest approved round (what reports/ keeps from now on).
    op.execute(
        "UPDATE project SET approved_on = ("
        f"SELECT {_local_date('max(report_round.decided_at)', dialect)} FROM report_round "
        "WHERE report_round.project_id = project.id AND report_round.verdict = 'approved' "
        "AND report_round.decided_at IS NOT NULL)"
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index('ix_project_stats_facets', ['region_code', 'year', 'status', 'deadline', 'approved_on', 'report_rounds', 'filed_at'], unique=False)
        batch_op.create_index('ix_project_stats_kinds', ['region_code', 'year', 'category', 'initiation', 'risk_level'], unique=False)
    with op.batch_alter_table('return_reason', schema=None) as batch_op:
        batch_op.add_column(sa.Column('year', sa.Integer(), nullable=True))
    op.execute("UPDATE return_reason SET year = (SELECT project.year FROM project WHERE project.id = return_reason.project_id)")
    with op.batch_alter_table('return_reason', schema=None) as batch_op:
        batch_op.alter_column('year', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_return_reason_category'))
        batch_op.drop_index(batch_op.f('ix_return_reason_region_decided'))
        batch_op.create_index('ix_return_reason_stats', ['region_code', 'year', 'category_code', 'review_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('return_reason', schema=None) as batch_op:
        batch_op.drop_index('ix_return_reason_stats')
        batch_op.create_index(batch_op.f('ix_return_reason_region_decided'), ['region_code', 'decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_reason_category'), ['category_code'], unique=False)
        batch_op.drop_column('year')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index('ix_project_stats_kinds')
        batch_op.drop_index('ix_project_stats_facets')
        batch_op.drop_column('approved_on')
