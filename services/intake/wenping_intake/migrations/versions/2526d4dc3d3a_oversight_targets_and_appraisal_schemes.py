"""oversight targets and appraisal schemes

Create Date: 2026-11-29 05:15:47.505386
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import integer, json, string, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = '2526d4dc3d3a'
down_revision: str | None = 'a7e1c0de0001'


def upgrade() -> None:
    create_table(
        'appraisal_scheme',
        string('id', 36),
        string('region_code', 6),
        integer('version'),
        json('weights'),
        json('penalties'),
        json('grades'),
        string('note', 500, nullable=True),
        string('created_by', 200),
        timestamp('created_at'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('region_code', 'version', name='uq_appraisal_scheme_region_version'),
    )
    create_table(
        'assessment_target',
        string('id', 36),
        string('scope_key', 120),
        integer('year'),
        string('region_code', 6),
        string('org_id', 64, nullable=True),
        string('org_name', 200, nullable=True),
        string('category', 16, nullable=True),
        integer('target_count'),
        string('set_by', 200),
        timestamp('created_at'),
        timestamp('updated_at'),
        integer('version'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('scope_key', name='uq_assessment_target_scope'),
        indexes=[
            index('ix_assessment_target_year_region', 'year', 'region_code'),
        ],
    )
    create_table(
        'oversight_change',
        string('id', 36),
        string('area', 32),
        string('object_id', 64),
        string('action', 32),
        timestamp('at'),
        string('actor', 200),
        string('actor_region_code', 6, nullable=True),
        json('details'),
        string('request_id', 128, nullable=True),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_oversight_change_object', 'area', 'object_id', 'at'),
        ],
    )


def downgrade() -> None:
    drop_tables('oversight_change', 'assessment_target', 'appraisal_scheme')
