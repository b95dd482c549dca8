"""projects, numbering, ledger, files, report rounds, review events

Create Date: 2026-11-24 04:12:54.011589
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import boolean, date, floating, integer, json, string, text, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = 'bc6116724e25'
down_revision: str | None = '8a85ace76561'


def upgrade() -> None:
    create_table(
        'ledger_entry',
        string('id', 36),
        string('project_id', 36),
        integer('seq'),
        timestamp('recorded_at'),
        string('actor_subject', 200),
        string('actor_kind', 16),
        string('actor_name', 200, nullable=True),
        string('actor_org_id', 64, nullable=True),
        json('actor_roles'),
        string('action', 48),
        string('from_status', 24, nullable=True),
        string('to_status', 24, nullable=True),
        json('details'),
        string('request_id', 128, nullable=True),
        string('prev_hash', 64, nullable=True),
        string('hash', 64),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'seq', name='uq_ledger_project_seq'),
        indexes=[
            index('ix_ledger_entry_project_id', 'project_id'),
        ],
    )
    create_table(
        'project',
        string('id', 36),
        string('number', 32),
        integer('year'),
        integer('seq'),
        string('title', 200),
        string('category', 16),
        string('sub_kind', 32, nullable=True),
        integer('expected_participants', nullable=True),
        string('initiation', 16),
        string('filing_batch', 16),
        json('interests'),
        integer('affected_population', nullable=True),
        text('description', nullable=True),
        boolean('already_implemented'),
        string('region_code', 6),
        string('level', 10),
        string('responsible_org_id', 64),
        string('responsible_org_name', 200, nullable=True),
        string('implementing_unit_name', 200, nullable=True),
        string('implementing_org_id', 64, nullable=True),
        string('assessor_kind', 8),
        string('agency_id', 64, nullable=True),
        string('agency_org_id', 64, nullable=True),
        string('agency_name', 200, nullable=True),
        timestamp('commissioned_at', nullable=True),
        date('planned_decision_date', nullable=True),
        date('deadline', nullable=True),
        boolean('mandatory'),
        json('mandatory_triggers'),
        string('status', 24),
        string('risk_level', 8, nullable=True),
        string('decision_outcome', 32, nullable=True),
        integer('report_rounds'),
        string('current_review_id', 64, nullable=True),
        string('decision_list_id', 36, nullable=True),
        string('created_by', 200),
        string('designated_by_org_id', 64, nullable=True),
        integer('version'),
        timestamp('created_at'),
        timestamp('updated_at'),
        timestamp('filed_at', nullable=True),
        timestamp('decided_at', nullable=True),
        timestamp('closed_at', nullable=True),
        timestamp('withdrawn_at', nullable=True),
        integer('ledger_seq'),
        string('ledger_head_hash', 64, nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number', name='uq_project_number'),
        sa.UniqueConstraint('region_code', 'year', 'seq', name='uq_project_region_year_seq'),
        indexes=[
            index('ix_project_agency_org_created', 'agency_org_id', 'created_at'),
            index('ix_project_category', 'category'),
            index('ix_project_created', 'created_at', 'id'),
            index('ix_project_deadline_status', 'deadline', 'status'),
            index('ix_project_decision_list', 'decision_list_id'),
            index('ix_project_initiation', 'initiation'),
            index('ix_project_org_created', 'responsible_org_id', 'created_at'),
            index('ix_project_region_created', 'region_code', 'created_at'),
            index('ix_project_risk_level', 'risk_level'),
            index('ix_project_status_created', 'status', 'created_at'),
            index('ix_project_year_region', 'year', 'region_code'),
        ],
    )
    create_table(
        'project_number_counter',
        string('region_code', 6),
        integer('year'),
        integer('last_seq'),
        sa.PrimaryKeyConstraint('region_code', 'year'),
    )
    create_table(
        'report_round',
        string('id', 36),
        string('project_id', 36),
        integer('round'),
        json('report'),
        string('document_file_id', 36, nullable=True),
        timestamp('submitted_at'),
        date('submitted_on'),
        string('submitted_by', 200),
        string('submitted_by_org_id', 64, nullable=True),
        string('assessor_kind', 8),
        string('agency_id', 64, nullable=True),
        string('review_id', 64, nullable=True),
        string('verdict', 32, nullable=True),
        floating('score', nullable=True),
        date('rectification_deadline', nullable=True),
        timestamp('decided_at', nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'round', name='uq_report_round_project_round'),
        indexes=[
            index('ix_report_round_review_id', 'review_id'),
        ],
    )
    create_table(
        'return_reason',
        string('id', 36),
        string('project_id', 36),
        integer('round'),
        string('review_id', 64),
        string('verdict', 32),
        string('item_code', 16),
        string('category_code', 16),
        string('region_code', 6),
        timestamp('decided_at'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('review_id', 'item_code', name='uq_return_reason_review_item'),
        indexes=[
            index('ix_return_reason_category', 'category_code'),
            index('ix_return_reason_project_id', 'project_id'),
            index('ix_return_reason_region_decided', 'region_code', 'decided_at'),
        ],
    )
    create_table(
        'review_event',
        string('id', 36),
        string('project_id', 36),
        string('review_id', 64),
        string('event', 16),
        integer('round'),
        json('payload'),
        timestamp('received_at'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('review_id', 'event', name='uq_review_event_review_event'),
        indexes=[
            index('ix_review_event_project_id', 'project_id'),
        ],
    )
    create_table(
        'stored_file',
        string('id', 36),
        string('filename', 255),
        string('kind', 8),
        string('content_type', 100),
        integer('size'),
        string('sha256', 64),
        string('storage_path', 300),
        string('uploaded_by', 200),
        string('uploaded_by_org_id', 64, nullable=True),
        timestamp('created_at'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_stored_file_sha256', 'sha256'),
            index('ix_stored_file_uploaded_by_org_id', 'uploaded_by_org_id'),
        ],
    )


def downgrade() -> None:
    drop_tables(
        'stored_file', 'review_event', 'return_reason', 'report_round', 'project_number_counter', 'project',
        'ledger_entry',
    )
