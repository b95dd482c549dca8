"""statistics tallies (project_tally, return_reason_tally), backfilled from the rows

Create Date: 2026-11-29 07:20:00
"""

import sqlalchemy as sa
from alembic import op

from wenping_shared.migration_columns import integer, string
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = 'b7a11e5d0c01'
down_revision: str | None = 'c4a11d7e0001'

#: Finished statuses (never overdue): projects/lifecycle.py FINISHED_STATUSES.
_FINISHED = "('closed', 'withdrawn', 'rejected')"


def _iso_day(column: str, dialect: str) -> str:
    # SQLite keeps dates as ISO text already.
    return f"to_char({column}, 'YYYY-MM-DD')" if dialect == "postgresql" else column


def backfill_statements(dialect: str) -> list[str]:
    """Tallies from the rows, as stats/tallies.py keeps them at every change (also run by the
    benchmarks after a bulk load, and by the test that compares the two)."""
    day = _iso_day("deadline", dialect)
    columns = "facet, region_code, year, value, projects, filed, rounds, reviewed, timed, on_time"
    return [
        "DELETE FROM project_tally",
        "DELETE FROM return_reason_tally",
        f"INSERT INTO project_tally ({columns}) SELECT 'status', region_code, year, status, count(*), "
        "sum(CASE WHEN filed_at IS NOT NULL THEN 1 ELSE 0 END), sum(report_rounds), "
        "sum(CASE WHEN report_rounds > 0 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN deadline IS NOT NULL AND approved_on IS NOT NULL THEN 1 ELSE 0 END), "
        "sum(CASE WHEN approved_on <= deadline THEN 1 ELSE 0 END) "
        "FROM project GROUP BY region_code, year, status",
        *(
            f"INSERT INTO project_tally ({columns}) SELECT '{facet}', region_code, year, {value}, count(*), 0, 0, 0, 0, 0 "
            f"FROM project {where} GROUP BY region_code, year, {value}"
            for facet, value, where in (
                ("category", "category", ""),
                ("initiation", "initiation", ""),
                ("risk_level", "COALESCE(risk_level, '')", ""),
                ("due_month", f"substr({day}, 1, 7)", f"WHERE deadline IS NOT NULL AND status NOT IN {_FINISHED}"),
                ("due_day", day, f"WHERE deadline IS NOT NULL AND status NOT IN {_FINISHED}"),
            )
        ),
        "INSERT INTO return_reason_tally (region_code, year, category_code, failed_items, returned_reviews) "
        "SELECT region_code, year, category_code, count(*), count(DISTINCT review_id) "
        "FROM return_reason GROUP BY region_code, year, category_code",
    ]


def backfill(connection: sa.Connection) -> None:
    for statement in backfill_statements(connection.dialect.name):
        connection.execute(sa.text(statement))


def upgrade() -> None:
    create_table(
        'project_tally',
        string('facet', 16),
        string('region_code', 6),
        integer('year'),
        string('value', 32),
        *(integer(name) for name in ('projects', 'filed', 'rounds', 'reviewed', 'timed', 'on_time')),
        sa.PrimaryKeyConstraint('facet', 'region_code', 'year', 'value'),
        indexes=[
            index('ix_project_tally_facet_value', 'facet', 'value', 'region_code', 'year'),
        ],
    )
    create_table(
        'return_reason_tally',
        string('region_code', 6),
        integer('year'),
        string('category_code', 16),
        integer('failed_items'),
        integer('returned_reviews'),
        sa.PrimaryKeyConstraint('region_code', 'year', 'category_code'),
    )
    backfill(op.get_bind())


def downgrade() -> None:
    drop_tables('return_reason_tally', 'project_tally')
