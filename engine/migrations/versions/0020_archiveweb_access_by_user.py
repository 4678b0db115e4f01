"""the archive access log filtered by user reads an index (username, at)

Revision ID: 0020_archiveweb_access_by_user
Revises: 0019_mend_list_indexes
"""
from alembic import op


revision = '0020_archiveweb_access_by_user'
down_revision = '0019_mend_list_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_archive_access_username', 'archive_access', ['username', 'at'])


def downgrade() -> None:
    op.drop_index('ix_archive_access_username', table_name='archive_access')
