"""identity, audit, outbox

Create Date: 2026-11-24 04:02:29.522905
"""

import sqlalchemy as sa

from wenping_registry.migrations.legacy_tables import create_audit_entry_table
from wenping_shared.migration_columns import boolean, integer, json, string, timestamp
from wenping_shared.migration_ops import create_delivery_tables, create_table, drop_tables, index

revision: str = '908d11f954e2'
down_revision: str | None = None


def upgrade() -> None:
    create_audit_entry_table()
    create_delivery_tables()
    create_table(
        'login_failure',
        integer('id'),
        string('username', 64),
        string('address', 64),
        timestamp('at'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_login_failure_address', 'address'),
            index('ix_login_failure_at', 'at'),
            index('ix_login_failure_username', 'username'),
        ],
    )
    create_table(
        'region',
        string('code', 6),
        string('name', 100),
        string('parent_code', 6, nullable=True),
        string('level', 10),
        sa.ForeignKeyConstraint(['parent_code'], ['region.code']),
        sa.PrimaryKeyConstraint('code'),
        indexes=[
            index('ix_region_parent_code', 'parent_code'),
        ],
    )
    create_table(
        'api_client',
        string('client_id', 64),
        string('name', 200),
        string('kind', 16),
        string('secret_hash', 200),
        string('service_name', 16, nullable=True),
        string('region_code', 6, nullable=True),
        json('scopes'),
        boolean('is_active'),
        sa.ForeignKeyConstraint(['region_code'], ['region.code']),
        sa.PrimaryKeyConstraint('client_id'),
    )
    create_table(
        'organization',
        string('id', 36),
        string('name', 200),
        string('kind', 32),
        string('region_code', 6),
        string('credit_code', 18, nullable=True),
        timestamp('created_at'),
        string('created_by', 64, nullable=True),
        sa.ForeignKeyConstraint(['region_code'], ['region.code']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('credit_code'),
        indexes=[
            index('ix_organization_name', 'name'),
            index('ix_organization_region_code', 'region_code'),
        ],
    )
    create_table(
        'user',
        string('id', 36),
        string('username', 64),
        string('display_name', 100),
        string('password_hash', 200),
        json('roles'),
        string('org_id', 36),
        string('region_code', 6),
        boolean('is_active'),
        timestamp('created_at'),
        string('created_by', 64, nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['region_code'], ['region.code']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username'),
        indexes=[
            index('ix_user_org_id', 'org_id'),
            index('ix_user_region_code', 'region_code'),
        ],
    )


def downgrade() -> None:
    drop_tables(
        'user', 'organization', 'api_client', 'region', 'outbox_message', 'login_failure', 'idempotency_record',
        'audit_entry',
    )
