"""expert draw declines and replacements: a declined selection keeps its reason and replacement;
a replacement draw names the draw and expert it replaces

Create Date: 2026-11-29 07:04:27
"""

from alembic import op

from wenping_shared.migration_columns import string, timestamp

revision: str = '495c3217f3c9'
down_revision: str | None = 'a7e1c0de0003'

SELECTION_COLUMNS = ('declined_at', 'decline_reason', 'declined_by', 'replacement_draw_id', 'replacement_expert_id')


def upgrade() -> None:
    with op.batch_alter_table('expert_draw', schema=None) as batch_op:
        batch_op.add_column(string('replaces_draw_id', 36, nullable=True))
        batch_op.add_column(string('replaces_expert_id', 36, nullable=True))
        batch_op.create_index('ix_expert_draw_replaces_draw_id', ['replaces_draw_id'], unique=False)
        batch_op.create_foreign_key('fk_expert_draw_replaces_draw_id', 'expert_draw', ['replaces_draw_id'], ['id'])
    with op.batch_alter_table('expert_draw_selection', schema=None) as batch_op:
        batch_op.add_column(timestamp('declined_at', nullable=True))
        batch_op.add_column(string('decline_reason', 500, nullable=True))
        batch_op.add_column(string('declined_by', 100, nullable=True))
        batch_op.add_column(string('replacement_draw_id', 36, nullable=True))
        batch_op.add_column(string('replacement_expert_id', 36, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('expert_draw_selection', schema=None) as batch_op:
        for column in reversed(SELECTION_COLUMNS):
            batch_op.drop_column(column)
    with op.batch_alter_table('expert_draw', schema=None) as batch_op:
        batch_op.drop_constraint('fk_expert_draw_replaces_draw_id', type_='foreignkey')
        batch_op.drop_index('ix_expert_draw_replaces_draw_id')
        batch_op.drop_column('replaces_expert_id')
        batch_op.drop_column('replaces_draw_id')
