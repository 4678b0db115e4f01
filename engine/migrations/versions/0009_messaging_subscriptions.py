"""message subscriptions: what each running instance waits for, projected by its steps

Revision ID: 0008_messaging
Revises: 0008_security_accounts
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_messaging'
down_revision = '0008_security_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'message_subscription',
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('message_name', sa.String(length=200), nullable=False),
        sa.Column('element', sa.String(length=200), nullable=False),
        sa.Column('correlation', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('instance_id', 'task_id'),
    )
    op.create_index('ix_message_subscription_name', 'message_subscription', ['message_name'])


def downgrade() -> None:
    op.drop_index('ix_message_subscription_name', table_name='message_subscription')
    op.drop_table('message_subscription')
