"""${message}

Create Date: ${create_date}
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: str | tuple[str, ...] | None = ${repr(down_revision)}
% if branch_labels:
branch_labels: str | tuple[str, ...] | None = ${repr(branch_labels)}
% endif
% if depends_on:
depends_on: str | tuple[str, ...] | None = ${repr(depends_on)}
% endif


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
