"""definition lifecycle: origin, view-only models, retired versions and processes

Revision ID: 0006_lifecycle
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_lifecycle'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=10), nullable=False, server_default='files'))
        batch_op.add_column(sa.Column('executable', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('model_problems', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('retired_by', sa.String(length=80), nullable=True))
    op.create_table(
        'retired_process',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('retired_by', sa.String(length=80), nullable=False),
        sa.Column('retired_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('retired_process')
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        for column in ('retired_by', 'retired_at', 'model_problems', 'executable', 'origin'):
            batch_op.drop_column(column)
