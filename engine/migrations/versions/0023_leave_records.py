"""leave register (R-3.1)

Revision ID: 0023_leave_records
Revises: 0022_testrun_test_cases
"""
from alembic import op
import sqlalchemy as sa


revision = '0023_leave_records'
down_revision = '0022_testrun_test_cases'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'leave_record',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('requester', sa.String(length=80), nullable=False),
        sa.Column('department', sa.String(length=80), nullable=True),
        sa.Column('superior_group', sa.String(length=80), nullable=False),
        sa.Column('leave_type', sa.String(length=20), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('cover', sa.String(length=80), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('claims_returned_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_leave_record_requester', 'leave_record', ['requester'])
    op.create_index('ix_leave_record_absence', 'leave_record', ['status', 'starts_at', 'ends_at'])


def downgrade() -> None:
    op.drop_index('ix_leave_record_absence', table_name='leave_record')
    op.drop_index('ix_leave_record_requester', table_name='leave_record')
    op.drop_table('leave_record')
