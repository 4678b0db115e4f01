"""risk register, indicators, readings and warnings (R-5)

Revision ID: 0014_risk_register
Revises: 0013_perf_job_wakeups
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_risk_register'
down_revision = '0013_perf_job_wakeups'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'risk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=400), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=True),
        sa.Column('impact', sa.String(length=10), nullable=True),
        sa.Column('assessment', sa.Text(), nullable=False),
        sa.Column('response', sa.String(length=10), nullable=True),
        sa.Column('measures', sa.Text(), nullable=False),
        sa.Column('responsible_department', sa.String(length=40), nullable=True),
        sa.Column('responsible_person', sa.String(length=80), nullable=True),
        sa.Column('approval_note', sa.Text(), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('identified_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
    )
    op.create_index('ix_risk_status', 'risk', ['status'])
    op.create_index('ix_risk_instance_id', 'risk', ['instance_id'])
    op.create_table(
        'risk_indicator',
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('threshold', sa.Float(), nullable=False),
        sa.Column('responsible_department', sa.String(length=40), nullable=False),
        sa.Column('responsible_person', sa.String(length=80), nullable=False),
        sa.Column('alert_email', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('last_value', sa.Float(), nullable=True),
        sa.Column('last_checked_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('code'),
    )
    op.create_table(
        'risk_reading',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.String(length=40), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_risk_reading_indicator', 'risk_reading', ['indicator'])
    op.create_table(
        'risk_warning',
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('indicator', sa.String(length=40), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('threshold', sa.Float(), nullable=False),
        sa.Column('responsible_department', sa.String(length=40), nullable=False),
        sa.Column('responsible_person', sa.String(length=80), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('measures', sa.Text(), nullable=False),
        sa.Column('verification', sa.Text(), nullable=False),
        sa.Column('raised_at', sa.DateTime(), nullable=False),
        sa.Column('raised_by_instance', sa.String(length=36), nullable=False),
        sa.Column('warning_instance', sa.String(length=36), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('number'),
    )
    op.create_index('ix_risk_warning_status', 'risk_warning', ['status'])
    op.create_index('ix_risk_warning_indicator', 'risk_warning', ['indicator'])


def downgrade() -> None:
    op.drop_index('ix_risk_warning_indicator', table_name='risk_warning')
    op.drop_index('ix_risk_warning_status', table_name='risk_warning')
    op.drop_table('risk_warning')
    op.drop_index('ix_risk_reading_indicator', table_name='risk_reading')
    op.drop_table('risk_reading')
    op.drop_table('risk_indicator')
    op.drop_index('ix_risk_instance_id', table_name='risk')
    op.drop_index('ix_risk_status', table_name='risk')
    op.drop_table('risk')
