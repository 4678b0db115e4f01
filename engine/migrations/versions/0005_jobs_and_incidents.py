"""jobs and incidents

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=True),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('element', sa.String(length=200), nullable=False),
        sa.Column('process_key', sa.String(length=200), nullable=True),
        sa.Column('definition_id', sa.Integer(), nullable=True),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('lease_owner', sa.String(length=120), nullable=True),
        sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id']),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'instance_id', 'task_id'),
        sa.UniqueConstraint('kind', 'process_key'),
    )
    op.create_index('ix_job_due', 'job', ['status', 'due_at'])
    op.create_index('ix_job_lease_owner', 'job', ['lease_owner'])
    op.create_index(op.f('ix_job_instance_id'), 'job', ['instance_id'])
    op.create_table(
        'incident',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('element', sa.String(length=200), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by', sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_incident_status', 'incident', ['status'])
    op.create_index(op.f('ix_incident_instance_id'), 'incident', ['instance_id'])


def downgrade() -> None:
    op.drop_table('incident')
    op.drop_table('job')
