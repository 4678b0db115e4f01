"""signal subscriptions: the signal catches each running instance waits at, projected by its steps

Revision ID: 0009_errors_signals
Revises: 0008_messaging
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_errors_signals'
down_revision = '0008_messaging'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'signal_subscription',
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('signal_name', sa.String(length=200), nullable=False),
        sa.Column('element', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('instance_id', 'task_id'),
    )
    op.create_index('ix_signal_subscription_name', 'signal_subscription', ['signal_name'])


def downgrade() -> None:
    op.drop_index('ix_signal_subscription_name', table_name='signal_subscription')
    op.drop_table('signal_subscription')
