"""decision lists, tracking, evaluation

Create Date: 2026-11-24 04:19:06.464513
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import boolean, date, floating, integer, string, text, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = '322d80079630'
down_revision: str | None = 'bc6116724e25'


def upgrade() -> None:
    create_table(
        'decision_list',
        string('id', 36),
        string('title', 200),
        string('batch', 16),
        integer('year'),
        string('region_code', 6),
        string('responsible_org_id', 64),
        string('responsible_org_name', 200, nullable=True),
        integer('item_count'),
        string('created_by', 200),
        timestamp('created_at'),
        integer('version'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_decision_list_created', 'created_at', 'id'),
            index('ix_decision_list_org_created', 'responsible_org_id', 'created_at'),
            index('ix_decision_list_region_created', 'region_code', 'created_at'),
        ],
    )
    create_table(
        'effect_evaluation',
        string('id', 36),
        string('project_id', 36),
        integer('disputes_arisen'),
        text('disputes_description', nullable=True),
        boolean('measures_effective'),
        text('summary'),
        integer('petitions_count', nullable=True),
        integer('mass_incidents_count', nullable=True),
        floating('satisfaction_rate', nullable=True),
        integer('measures_total'),
        integer('measures_completed'),
        string('evaluated_by', 200),
        string('evaluated_by_name', 200, nullable=True),
        timestamp('evaluated_at'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', name='uq_effect_evaluation_project'),
    )
    create_table(
        'tracked_measure',
        string('id', 36),
        string('project_id', 36),
        string('measure_key', 80),
        integer('measure_index', nullable=True),
        text('content'),
        string('responsible_unit', 200, nullable=True),
        date('deadline', nullable=True),
        string('status', 16),
        integer('progress_percent'),
        text('last_note', nullable=True),
        integer('record_count'),
        timestamp('created_at'),
        timestamp('updated_at'),
        timestamp('completed_at', nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'measure_key', name='uq_tracked_measure_project_key'),
        indexes=[
            index('ix_tracked_measure_deadline_status', 'deadline', 'status'),
            index('ix_tracked_measure_project_id', 'project_id'),
        ],
    )
    create_table(
        'tracking_record',
        string('id', 36),
        string('project_id', 36),
        string('measure_id', 36),
        integer('progress_percent'),
        string('status', 16),
        text('note', nullable=True),
        string('responsible_unit', 200, nullable=True),
        date('deadline', nullable=True),
        string('recorded_by', 200),
        string('recorded_by_name', 200, nullable=True),
        timestamp('recorded_at'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_tracking_record_measure_id', 'measure_id'),
            index('ix_tracking_record_project_recorded', 'project_id', 'recorded_at', 'id'),
        ],
    )


def downgrade() -> None:
    drop_tables('tracking_record', 'tracked_measure', 'effect_evaluation', 'decision_list')
