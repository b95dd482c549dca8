"""webhooks and clearances

Create Date: 2026-11-29 04:02:08.740324
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import boolean, integer, json, string, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = '10b79136ddb1'
down_revision: str | None = 'ca6fd3c5892d'


def upgrade() -> None:
    create_table(
        'clearance',
        string('id', 36),
        string('project_id', 36),
        string('project_number', 32),
        string('basis', 24),
        string('status', 16),
        json('claims'),
        timestamp('issued_at'),
        string('issued_by', 200),
        timestamp('revoked_at', nullable=True),
        string('revoked_by', 200, nullable=True),
        string('revocation_reason', 300, nullable=True),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_clearance_project_issued', 'project_id', 'issued_at'),
            index('ix_clearance_project_number', 'project_number'),
        ],
    )
    create_table(
        'webhook_delivery',
        string('id', 36),
        string('subscription_id', 36),
        string('message_id', 60),
        string('event_type', 40),
        integer('attempt'),
        timestamp('attempted_at'),
        string('outcome', 16),
        integer('status_code', nullable=True),
        string('error', 300, nullable=True),
        integer('duration_ms', nullable=True),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_webhook_delivery_subscription_attempted', 'subscription_id', 'attempted_at', 'id'),
        ],
    )
    create_table(
        'webhook_reminder_notice',
        integer('id'),
        string('reminder_key', 120),
        string('project_id', 36),
        timestamp('announced_at'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reminder_key', name='uq_webhook_reminder_notice_key'),
    )
    create_table(
        'webhook_subscription',
        string('id', 36),
        string('owner_subject', 200),
        string('owner_region_code', 6, nullable=True),
        json('owner_scopes'),
        string('url', 2000),
        json('event_types'),
        string('description', 200, nullable=True),
        string('secret', 100),
        boolean('active'),
        string('disabled_reason', 300, nullable=True),
        integer('consecutive_failures'),
        integer('version'),
        timestamp('created_at'),
        timestamp('updated_at'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_webhook_subscription_owner_created', 'owner_subject', 'created_at', 'id'),
        ],
    )
    create_table(
        'webhook_subscription_change',
        string('id', 36),
        string('subscription_id', 36),
        timestamp('at'),
        string('actor', 200),
        string('action', 32),
        json('details'),
        string('request_id', 128, nullable=True),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_webhook_subscription_change_subscription_id', 'subscription_id'),
        ],
    )


def downgrade() -> None:
    drop_tables(
        'webhook_subscription_change', 'webhook_subscription', 'webhook_reminder_notice', 'webhook_delivery',
        'clearance',
    )
