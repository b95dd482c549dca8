"""expert opinions: the experts drawn for each project (from the registry) and their written
opinions with the assessor's adoption record

Create Date: 2026-11-29 07:10:00
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import integer, string, text, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = 'c3e7f0a1b2d4'
down_revision: str | None = 'e5c1a7b2d901'


def upgrade() -> None:
    create_table(
        'project_expert',
        string('project_id', 64),
        string('expert_id', 36),
        string('expert_name', 100),
        string('subject', 100, nullable=True),
        string('region_code', 6),
        string('draw_id', 36),
        timestamp('drawn_at'),
        timestamp('declined_at', nullable=True),
        sa.ForeignKeyConstraint(['project_id'], ['project.id']),
        sa.PrimaryKeyConstraint('project_id', 'expert_id'),
        indexes=[index('ix_project_expert_subject_project', 'subject', 'project_id')],
    )
    create_table(
        'expert_opinion',
        string('id', 36),
        string('project_id', 64),
        string('expert_id', 36),
        string('expert_name', 100),
        string('submitted_by', 100),
        text('text'),
        integer('after_round'),
        timestamp('submitted_at'),
        string('adoption', 16, nullable=True),
        string('adoption_reason', 1000, nullable=True),
        string('adopted_by', 100, nullable=True),
        timestamp('adopted_at', nullable=True),
        integer('version'),
        sa.ForeignKeyConstraint(['project_id'], ['project.id']),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_expert_opinion_project_submitted', 'project_id', 'submitted_at'),
            index('ix_expert_opinion_expert_id', 'expert_id'),
        ],
    )


def downgrade() -> None:
    drop_tables('expert_opinion', 'project_expert')
