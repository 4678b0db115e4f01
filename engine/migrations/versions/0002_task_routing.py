"""task routing (due dates) and number sequences

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_human_task_due_at', ['due_at'], unique=False)
    op.create_table('number_sequence',
    sa.Column('series', sa.String(length=80), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'period')
    )


def downgrade() -> None:
    op.drop_table('number_sequence')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_due_at')
        batch_op.drop_column('due_at')
