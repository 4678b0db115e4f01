"""local outbox for e-mail and SMS notices (CASEDESK_NOTIFY_TRANSPORT=outbox)

Revision ID: 0012_staffweb
Revises: 0009_validation_instructions
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_staffweb'
down_revision = '0009_validation_instructions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('recipient', sa.String(length=200), nullable=False),
        sa.Column('subject', sa.String(length=400), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('reference', sa.String(length=300), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_outbox_message_created_at', 'outbox_message', ['created_at'])
    op.create_index('ix_outbox_message_instance_id', 'outbox_message', ['instance_id'])


def downgrade() -> None:
    op.drop_index('ix_outbox_message_instance_id', table_name='outbox_message')
    op.drop_index('ix_outbox_message_created_at', table_name='outbox_message')
    op.drop_table('outbox_message')
