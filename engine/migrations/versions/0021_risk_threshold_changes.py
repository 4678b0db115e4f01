"""who set a risk indicator's threshold, and when (R-5.3)

Revision ID: 0021_risk_threshold_changes
Revises: 0020_archiveweb_access_by_user
"""
from alembic import op
import sqlalchemy as sa


revision = '0021_risk_threshold_changes'
down_revision = '0020_archiveweb_access_by_user'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('risk_indicator') as batch:
        batch.add_column(sa.Column('threshold_set_by', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('threshold_set_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('risk_indicator') as batch:
        batch.drop_column('threshold_set_at')
        batch.drop_column('threshold_set_by')
