"""external identity links

Create Date: 2026-11-29 04:09:23.143528
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import string, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = '9ca7d65f8f4e'
down_revision: str | None = '31879251684e'


def upgrade() -> None:
    create_table(
        'external_identity_link',
        string('id', 36),
        string('issuer', 300),
        string('subject', 255),
        string('user_id', 36),
        timestamp('linked_at'),
        timestamp('last_seen_at'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('issuer', 'subject', name='uq_external_identity_issuer_subject'),
        indexes=[
            index('ix_external_identity_link_user_id', 'user_id'),
        ],
    )


def downgrade() -> None:
    drop_tables('external_identity_link')
