"""risk watch: warning register, filing flags, incidents during implementation

Create Date: 2026-11-29 07:05:00
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import date, floating, integer, json, string, text, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = 'e5c1a7b2d901'
down_revision: str | None = 'd1f4a9c3e7b2'


def upgrade() -> None:
    create_table(
        'risk_warning',
        string('id', 36),
        string('project_id', 36),
        string('project_number', 32),
        string('title', 200),
        string('place', 500, nullable=True),
        string('region_code', 6),
        string('responsible_org_id', 64),
        string('responsible_org_name', 200, nullable=True),
        string('risk_level', 8),
        string('outcome', 32),
        string('decided_by', 200),
        timestamp('created_at'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_risk_warning_created', 'created_at', 'id'),
            index('ix_risk_warning_region_created', 'region_code', 'created_at'),
            index('ix_risk_warning_project', 'project_id'),
        ],
    )
    create_table(
        'risk_warning_flag',
        string('id', 36),
        string('project_id', 36),
        string('warning_id', 36),
        json('matched_fields'),
        floating('score'),
        json('scores'),
        timestamp('created_at'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'warning_id', name='uq_risk_warning_flag_project_warning'),
        indexes=[index('ix_risk_warning_flag_warning', 'warning_id')],
    )
    create_table(
        'project_incident',
        string('id', 36),
        string('project_id', 36),
        string('region_code', 6),
        date('occurred_on'),
        integer('people_involved'),
        string('scale', 16),
        text('description'),
        text('response'),
        string('reported_by', 200),
        string('reported_by_name', 200, nullable=True),
        string('reported_by_org_id', 64, nullable=True),
        timestamp('reported_at'),
        date('reported_on'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_project_incident_project_reported', 'project_id', 'reported_at', 'id'),
            index('ix_project_incident_reported_on', 'reported_on', 'id'),
        ],
    )


def downgrade() -> None:
    drop_tables('project_incident', 'risk_warning_flag', 'risk_warning')
