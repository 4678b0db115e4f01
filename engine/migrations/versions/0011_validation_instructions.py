"""task instructions: a ready user task keeps its instructionsForEndUser rendered over its own data

Revision ID: 0009_validation_instructions
Revises: 0009_errors_signals
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_validation_instructions'
down_revision = '0009_errors_signals'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instructions', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('instructions')
