"""human_task.form_definition_id: the version whose forms a task shows (a late-bound called process's own)

Revision ID: 0026_mend_task_form_version
Revises: 0025_attach_documents
"""
from alembic import op
import sqlalchemy as sa


revision = '0026_mend_task_form_version'
down_revision = '0025_attach_documents'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('form_definition_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('form_definition_id')
