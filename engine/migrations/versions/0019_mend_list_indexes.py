"""instance lists newest first per filter: indexes that end in created_at; the tracker reads human_task alone

Revision ID: 0019_mend_list_indexes
Revises: 0018_i18n_case_references
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_mend_list_indexes'
down_revision = '0018_i18n_case_references'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_process_instance_status', table_name='process_instance')
    op.drop_index('ix_process_instance_definition_id', table_name='process_instance')
    op.create_index('ix_process_instance_created', 'process_instance', ['created_at', 'id'])
    op.create_index('ix_process_instance_status_created', 'process_instance', ['status', 'created_at'])
    op.create_index('ix_process_instance_definition_created', 'process_instance', ['definition_id', 'created_at'])
    op.create_index('ix_process_instance_starter_created', 'process_instance', ['started_by', 'created_at'])
    op.drop_index('ix_human_task_due_at', table_name='human_task')
    op.create_index('ix_human_task_due_created', 'human_task', ['due_at', 'created_at'])
    op.add_column('human_task', sa.Column('definition_id', sa.Integer(), nullable=True))
    _trigram_index()
    op.execute("UPDATE human_task SET definition_id = (SELECT process_instance.definition_id FROM process_instance"
               " WHERE process_instance.id = human_task.instance_id)")


# The instance list's case-number search is a substring match (LIKE '%…%'): on PostgreSQL a trigram
# index answers it without a table scan. pg_trgm ships with PostgreSQL's contrib modules and is a
# trusted extension (the database owner may create it); a server without it still searches, by scan.
TRIGRAM_INDEX = 'ix_process_instance_business_key_trgm'


def _trigram_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    try:
        with bind.begin_nested():
            op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
            op.execute(f'CREATE INDEX {TRIGRAM_INDEX} ON process_instance USING gin (business_key gin_trgm_ops)')
    except sa.exc.DBAPIError as error:
        print(f'casedesk: no trigram index for case-number search ({error.orig}); searches scan instead')


def downgrade() -> None:
    op.execute(f'DROP INDEX IF EXISTS {TRIGRAM_INDEX}')
    with op.batch_alter_table('human_task') as batch_op:
        batch_op.drop_column('definition_id')
    op.drop_index('ix_human_task_due_created', table_name='human_task')
    op.create_index('ix_human_task_due_at', 'human_task', ['due_at'])
    op.drop_index('ix_process_instance_starter_created', table_name='process_instance')
    op.drop_index('ix_process_instance_definition_created', table_name='process_instance')
    op.drop_index('ix_process_instance_status_created', table_name='process_instance')
    op.drop_index('ix_process_instance_created', table_name='process_instance')
    op.create_index('ix_process_instance_definition_id', 'process_instance', ['definition_id'])
    op.create_index('ix_process_instance_status', 'process_instance', ['status'])
