"""staff e-mail digest: notification settings per user, and the tasks each digest named

Revision ID: 0017_archiveweb_staff_digest
Revises: 0016_i18n_group_titles
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_archiveweb_staff_digest'
down_revision = '0016_i18n_group_titles'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_notification_setting',
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('digest', sa.Boolean(), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=True),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint('username'),
    )
    op.create_table(
        'staff_digest_sent',
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('reason', sa.String(length=10), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('username', 'task_id', 'reason'),
    )


def downgrade() -> None:
    op.drop_table('staff_digest_sent')
    op.drop_table('staff_notification_setting')
