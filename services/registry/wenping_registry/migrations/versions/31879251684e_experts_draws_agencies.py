"""experts, draws, agencies

Create Date: 2026-11-24 04:14:58.117647
"""

import sqlalchemy as sa

from wenping_shared.migration_columns import big_integer, boolean, date, floating, integer, json, string, timestamp
from wenping_shared.migration_ops import create_table, drop_tables, index

revision: str = '31879251684e'
down_revision: str | None = '908d11f954e2'


def upgrade() -> None:
    create_table(
        'expert_draw',
        string('id', 36),
        string('project_id', 64),
        string('project_number', 64, nullable=True),
        string('project_title', 300, nullable=True),
        string('project_region_code', 6),
        string('decision_body_org_id', 36, nullable=True),
        string('implementing_org_id', 36, nullable=True),
        string('region_code', 6),
        json('fields'),
        integer('count'),
        json('avoid_org_ids'),
        string('algorithm_version', 32),
        big_integer('seed'),
        boolean('seed_supplied'),
        json('pool'),
        json('chosen_expert_ids'),
        json('exclusions'),
        integer('eligible_count'),
        integer('year'),
        timestamp('drawn_at'),
        string('drawn_by', 100),
        json('drawn_by_roles'),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_expert_draw_project_drawn', 'project_id', 'drawn_at'),
            index('ix_expert_draw_project_region_code', 'project_region_code'),
        ],
    )
    create_table(
        'agency',
        string('id', 36),
        string('name', 200),
        string('credit_code', 18),
        string('org_id', 36),
        string('region_code', 6),
        string('status', 16),
        string('status_reason', 500, nullable=True),
        json('filings'),
        string('contact_person', 100, nullable=True),
        string('contact_phone', 32, nullable=True),
        string('address', 300, nullable=True),
        integer('version'),
        timestamp('created_at'),
        timestamp('updated_at'),
        string('created_by', 100, nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['region_code'], ['region.code']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('credit_code'),
        sa.UniqueConstraint('org_id'),
        indexes=[
            index('ix_agency_name', 'name'),
            index('ix_agency_region_code', 'region_code'),
            index('ix_agency_region_name', 'region_code', 'name', 'id'),
            index('ix_agency_status', 'status'),
        ],
    )
    create_table(
        'agency_grading',
        string('id', 36),
        string('agency_id', 36),
        string('grade', 1),
        date('graded_on'),
        date('valid_from'),
        date('valid_until'),
        json('criteria'),
        string('criteria_source', 16),
        string('suggested_grade', 1),
        string('note', 1000, nullable=True),
        string('graded_by', 100),
        timestamp('created_at'),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_agency_grading_agency_valid', 'agency_id', 'valid_until'),
            index('ix_agency_grading_grade', 'grade'),
        ],
    )
    create_table(
        'agency_misconduct',
        string('id', 36),
        string('agency_id', 36),
        string('credit_code', 18),
        date('recorded_on'),
        string('region_code', 6),
        string('description', 2000),
        string('project_id', 64, nullable=True),
        string('recorded_by', 100),
        timestamp('created_at'),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.ForeignKeyConstraint(['region_code'], ['region.code']),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_agency_misconduct_agency_date', 'agency_id', 'recorded_on'),
            index('ix_agency_misconduct_credit_code', 'credit_code'),
        ],
    )
    create_table(
        'agency_performance',
        string('id', 36),
        string('agency_id', 36),
        string('review_id', 64),
        string('project_id', 64),
        integer('round'),
        string('verdict', 32),
        floating('score'),
        timestamp('decided_at'),
        timestamp('received_at'),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('review_id', name='uq_agency_performance_review'),
        indexes=[
            index('ix_agency_performance_agency_id', 'agency_id'),
        ],
    )
    create_table(
        'agency_practitioner',
        string('id', 36),
        string('agency_id', 36),
        string('name', 100),
        boolean('employed'),
        boolean('full_time'),
        string('education', 50, nullable=True),
        timestamp('created_at'),
        string('created_by', 100, nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.PrimaryKeyConstraint('id'),
        indexes=[
            index('ix_agency_practitioner_agency_id', 'agency_id'),
        ],
    )
    create_table(
        'expert',
        string('id', 36),
        string('name', 100),
        json('fields'),
        string('title', 100, nullable=True),
        string('employer_org_id', 36, nullable=True),
        string('employer_name', 200),
        string('region_code', 6),
        string('phone', 32, nullable=True),
        string('email', 200, nullable=True),
        string('id_number', 18, nullable=True),
        date('term_start', nullable=True),
        date('term_end', nullable=True),
        string('status', 16),
        string('status_reason', 500, nullable=True),
        string('user_id', 36, nullable=True),
        integer('version'),
        timestamp('created_at'),
        timestamp('updated_at'),
        string('created_by', 100, nullable=True),
        sa.ForeignKeyConstraint(['employer_org_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['region_code'], ['region.code']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('id_number'),
        sa.UniqueConstraint('user_id'),
        indexes=[
            index('ix_expert_employer_org_id', 'employer_org_id'),
            index('ix_expert_name', 'name'),
            index('ix_expert_region_code', 'region_code'),
            index('ix_expert_region_name', 'region_code', 'name', 'id'),
            index('ix_expert_status', 'status'),
        ],
    )
    create_table(
        'expert_draw_selection',
        string('id', 36),
        string('draw_id', 36),
        string('expert_id', 36),
        string('project_id', 64),
        integer('position'),
        integer('year'),
        timestamp('drawn_at'),
        sa.ForeignKeyConstraint(['draw_id'], ['expert_draw.id']),
        sa.ForeignKeyConstraint(['expert_id'], ['expert.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'expert_id', name='uq_expert_draw_selection_project_expert'),
        indexes=[
            index('ix_expert_draw_selection_draw_id', 'draw_id'),
            index('ix_expert_draw_selection_expert_year', 'expert_id', 'year'),
        ],
    )
    create_table(
        'expert_field',
        string('expert_id', 36),
        string('field', 32),
        sa.ForeignKeyConstraint(['expert_id'], ['expert.id']),
        sa.PrimaryKeyConstraint('expert_id', 'field'),
        indexes=[
            index('ix_expert_field_field_expert', 'field', 'expert_id'),
        ],
    )
    create_table(
        'practitioner_certificate',
        string('id', 36),
        string('practitioner_id', 36),
        string('agency_id', 36),
        string('number', 64),
        date('issued_on'),
        date('expires_on', nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id']),
        sa.ForeignKeyConstraint(['practitioner_id'], ['agency_practitioner.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
        indexes=[
            index('ix_practitioner_certificate_agency_id', 'agency_id'),
            index('ix_practitioner_certificate_practitioner_id', 'practitioner_id'),
        ],
    )


def downgrade() -> None:
    drop_tables(
        'practitioner_certificate', 'expert_field', 'expert_draw_selection', 'expert', 'agency_practitioner',
        'agency_performance', 'agency_misconduct', 'agency_grading', 'agency', 'expert_draw',
    )
