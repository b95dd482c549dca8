"""inspections, rectification, circulars and accountability actions

Create Date: 2026-11-29 07:30:00
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import boolean, date, integer, json, string, text, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = 'd1f4a9c3e7b2'
down_revision: str | None = '2526d4dc3d3a'


def upgrade() -> None:
    create_table(
        'inspection',
        string('id', 36),
        string('project_id', 36),
        string('project_number', 32),
        string('project_title', 200),
        string('region_code', 6),
        string('org_id', 64),
        string('org_name', 200, nullable=True),
        date('inspected_on'),
        json('inspectors'),
        text('summary', nullable=True),
        string('recorded_by', 200),
        string('recorded_by_name', 200, nullable=True),
        string('recorder_region_code', 6),
        timestamp('created_at'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_inspection_region_on', 'region_code', 'inspected_on'),
            index('ix_inspection_org_on', 'org_id', 'inspected_on'),
            index('ix_inspection_project', 'project_id'),
        ],
    )
    create_table(
        'inspection_finding',
        string('id', 36),
        string('inspection_id', 36),
        string('project_id', 36),
        string('region_code', 6),
        string('org_id', 64),
        date('inspected_on'),
        string('check', 16),
        text('finding'),
        boolean('problem'),
        text('requirement', nullable=True),
        date('deadline', nullable=True),
        string('state', 16, nullable=True),
        text('report', nullable=True),
        timestamp('reported_at', nullable=True),
        string('reported_by', 200, nullable=True),
        text('decision_note', nullable=True),
        timestamp('decided_at', nullable=True),
        string('decided_by', 200, nullable=True),
        timestamp('updated_at'),
        integer('version'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('inspection_id', 'check', name='uq_inspection_finding_check'),
        indexes=[
            index('ix_inspection_finding_region_state', 'region_code', 'state', 'deadline'),
            index('ix_inspection_finding_org_state', 'org_id', 'state', 'deadline'),
            index('ix_inspection_finding_project', 'project_id'),
        ],
    )
    create_table(
        'circular',
        string('id', 36),
        string('region_code', 6),
        integer('year'),
        integer('seq'),
        string('document_number', 64),
        string('title', 200),
        date('period_start'),
        date('period_end'),
        string('issuing_office', 200),
        date('issued_on'),
        json('finding_ids'),
        json('addressees'),
        string('created_by', 200),
        timestamp('created_at'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('region_code', 'year', 'seq', name='uq_circular_region_year_seq'),
        indexes=[
            index('ix_circular_region_created', 'region_code', 'created_at'),
        ],
    )
    create_table(
        'circular_number_counter',
        string('region_code', 6),
        integer('year'),
        integer('last_seq'),
        sa.PrimaryKeyConstraint('region_code', 'year'),
    )
    create_table(
        'accountability_action',
        string('id', 36),
        string('project_id', 36),
        string('project_number', 32),
        string('project_title', 200),
        string('region_code', 6),
        string('org_id', 64),
        string('org_name', 200, nullable=True),
        string('kind', 16),
        string('ground', 32),
        string('ground_ref', 64, nullable=True),
        text('ground_detail', nullable=True),
        date('decided_on'),
        text('description'),
        integer('officials_count'),
        string('officials_level', 16, nullable=True),
        json('official_names'),
        string('recorded_by', 200),
        string('recorded_by_name', 200, nullable=True),
        timestamp('created_at'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_accountability_action_region_on', 'region_code', 'decided_on'),
            index('ix_accountability_action_org_on', 'org_id', 'decided_on'),
            index('ix_accountability_action_project', 'project_id'),
        ],
    )


def downgrade() -> None:
    drop_tables('accountability_action', 'circular_number_counter', 'circular', 'inspection_finding', 'inspection')
