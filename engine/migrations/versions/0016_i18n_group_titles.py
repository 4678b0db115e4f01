"""group titles per language (issue 13, item 6): staff read a group's name, never its code

Revision ID: 0016_i18n_group_titles
Revises: 0015_quality_findings
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_i18n_group_titles'
down_revision = '0015_quality_findings'
branch_labels = None
depends_on = None

COLUMNS = ('title_en', 'title_zh_hans', 'title_zh_hant')


def upgrade() -> None:
    with op.batch_alter_table('app_group') as batch:
        for column in COLUMNS:
            batch.add_column(sa.Column(column, sa.String(length=200), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('app_group') as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
