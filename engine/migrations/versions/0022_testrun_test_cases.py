"""saved test cases of processes, re-run against every new version

Revision ID: 0022_testrun_test_cases
Revises: 0021_risk_threshold_changes
"""
from alembic import op
import sqlalchemy as sa


revision = '0022_testrun_test_cases'
down_revision = '0021_risk_threshold_changes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'process_test_case',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('process_key', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('script', sa.Text(), nullable=False),
        sa.Column('expected', sa.Text(), nullable=False),
        sa.Column('saved_by', sa.String(length=80), nullable=False),
        sa.Column('saved_at', sa.DateTime(), nullable=False),
        sa.Column('saved_on_version', sa.Integer(), nullable=True),
        sa.UniqueConstraint('process_key', 'name'),
    )
    op.create_index('ix_process_test_case_process_key', 'process_test_case', ['process_key'])


def downgrade() -> None:
    op.drop_index('ix_process_test_case_process_key', table_name='process_test_case')
    op.drop_table('process_test_case')
