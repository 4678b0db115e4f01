"""Indexes for a clerk's own case list and the tracker's counts per stage at 100,000 instances (issue 14)

The creation index carries the starter (PostgreSQL's INCLUDE), so a clerk's list picks its page of ids from
the index alone; `ix_human_task_stage` lets the tracker count tasks per stage off one index.

Revision ID: 0027_index_only_lists
Revises: 0026_mend_task_form_version
"""
from alembic import op


revision = '0027_index_only_lists'
down_revision = '0026_mend_task_form_version'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_process_instance_created', table_name='process_instance')
        op.create_index('ix_process_instance_created', 'process_instance', ['created_at', 'id'],
                        postgresql_include=['started_by'])
    op.create_index('ix_human_task_stage', 'human_task', ['definition_id', 'task_spec', 'due_at'])


def downgrade() -> None:
    op.drop_index('ix_human_task_stage', table_name='human_task')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_process_instance_created', table_name='process_instance')
        op.create_index('ix_process_instance_created', 'process_instance', ['created_at', 'id'])
