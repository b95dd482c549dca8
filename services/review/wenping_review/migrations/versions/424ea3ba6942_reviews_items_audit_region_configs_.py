"""reviews, items, audit, region configs, document numbers

Create Date: 2026-11-24 04:14:16.984418
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import boolean, date, floating, integer, json, string, text, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = '424ea3ba6942'
down_revision: str | None = '827fb6ea427b'


def upgrade() -> None:
    create_table(
        'document_number_sequence',
        string('issuing_region_code', 6),
        integer('year'),
        integer('last_number'),
        sa.PrimaryKeyConstraint('issuing_region_code', 'year'),
    )
    create_table(
        'region_config_version',
        string('id', 36),
        string('region_code', 6),
        integer('version'),
        json('overrides'),
        string('comment', 500, nullable=True),
        string('created_by', 200),
        timestamp('created_at'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('region_code', 'version', name='uq_region_config_version'),
        indexes=[
            index('ix_region_config_version_region_code', 'region_code'),
        ],
    )
    create_table(
        'review',
        string('id', 36),
        string('project_id', 64),
        integer('round'),
        string('status', 16),
        string('region_code', 6),
        string('project_number', 64, nullable=True),
        string('project_title', 300, nullable=True),
        string('report_title', 300),
        string('responsible_org_id', 64, nullable=True),
        string('responsible_org_name', 200, nullable=True),
        string('assessor_kind', 16),
        string('agency_id', 64, nullable=True),
        string('agency_org_id', 64, nullable=True),
        string('checklist_version', 16),
        json('config_source'),
        json('config'),
        date('submitted_on'),
        json('report'),
        json('project'),
        json('document_file', nullable=True),
        boolean('registry_unavailable'),
        string('opened_by', 200),
        timestamp('created_at'),
        timestamp('updated_at'),
        string('verdict', 32, nullable=True),
        floating('score', nullable=True),
        date('rectification_deadline', nullable=True),
        text('decision_comment', nullable=True),
        timestamp('decided_at', nullable=True),
        string('decided_by', 200, nullable=True),
        string('issuing_region_code', 6, nullable=True),
        string('issuing_org_id', 64, nullable=True),
        string('issuing_office', 200, nullable=True),
        integer('document_year', nullable=True),
        integer('document_seq', nullable=True),
        string('document_number', 64, nullable=True),
        integer('version'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'round', name='uq_review_project_round'),
        indexes=[
            index('ix_review_agency_org', 'agency_org_id', 'created_at', 'id'),
            index('ix_review_decided', 'region_code', 'decided_at'),
            index('ix_review_queue', 'status', 'region_code', 'created_at', 'id'),
            index('ix_review_responsible_org', 'responsible_org_id', 'created_at', 'id'),
        ],
    )
    create_table(
        'review_audit',
        string('id', 36),
        string('review_id', 36),
        string('action', 32),
        string('item_code', 16, nullable=True),
        string('actor', 200),
        string('actor_name', 200, nullable=True),
        string('actor_org_id', 64, nullable=True),
        timestamp('at'),
        string('before', 64, nullable=True),
        string('after', 64, nullable=True),
        text('comment', nullable=True),
        string('request_id', 200, nullable=True),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_review_audit_review', 'review_id', 'at'),
        ],
    )
    create_table(
        'review_item',
        string('review_id', 36),
        string('code', 16),
        integer('position'),
        string('category_code', 16),
        string('mode', 8),
        string('severity', 8),
        string('auto_result', 16, nullable=True),
        string('result', 16),
        text('evidence'),
        json('details'),
        string('suggestion', 16, nullable=True),
        text('comment', nullable=True),
        string('judged_by', 200, nullable=True),
        string('judged_by_name', 200, nullable=True),
        timestamp('judged_at', nullable=True),
        sa.ForeignKeyConstraint(['review_id'], ['review.id']),
        sa.PrimaryKeyConstraint('review_id', 'code'),
        indexes=[
            index('ix_review_item_code_result', 'code', 'result'),
        ],
    )


def downgrade() -> None:
    drop_tables('review_item', 'review_audit', 'review', 'region_config_version', 'document_number_sequence')
