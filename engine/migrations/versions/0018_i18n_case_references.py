"""case references (issue 13, item 6): every case, consultation-only ones included, has a readable reference

Revision ID: 0018_i18n_case_references
Revises: 0017_archiveweb_staff_digest
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_i18n_case_references'
down_revision = '0017_archiveweb_staff_digest'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_reference',
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('reference', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('instance_id'),
        sa.UniqueConstraint('reference'),
    )


def downgrade() -> None:
    op.drop_table('case_reference')
