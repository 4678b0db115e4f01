"""archive register (R-6): archives, filed items, borrowings, access log

Revision ID: 0004
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None

# Filed items and the access log are append-only: the database itself refuses to change a row.
APPEND_ONLY = ("archive_item", "archive_access")


def upgrade() -> None:
    op.create_table('archive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('archive_class', sa.String(length=20), nullable=False),
    sa.Column('case_number', sa.String(length=100), nullable=True),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opened_by_instance', sa.String(length=36), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_number'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('archive', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_archive_class'), ['archive_class'], unique=False)

    op.create_table('archive_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('archive_number', sa.String(length=40), nullable=False),
    sa.Column('borrowing_id', sa.String(length=36), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=400), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_archive_access_number', 'archive_access', ['archive_number', 'at'], unique=False)
    op.create_table('archive_borrowing',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('archive_id', sa.Integer(), nullable=False),
    sa.Column('borrower', sa.String(length=80), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('overdue_at', sa.DateTime(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['archive_id'], ['archive.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_archive_borrowing_reader', 'archive_borrowing', ['archive_id', 'borrower'], unique=False)
    op.create_table('archive_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('archive_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('filed_by_instance', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['archive_id'], ['archive.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('archive_id', 'seq')
    )
    with op.batch_alter_table('archive_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_item_archive_id'), ['archive_id'], unique=False)
    _create_append_only_triggers()


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION casedesk_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: rows are never updated or deleted', TG_TABLE_NAME;
            END $$""")
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION casedesk_refuse_change()")
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows are never updated or deleted'); END")


def downgrade() -> None:
    op.drop_table('archive_item')
    op.drop_index('ix_archive_borrowing_reader', table_name='archive_borrowing')
    op.drop_table('archive_borrowing')
    op.drop_index('ix_archive_access_number', table_name='archive_access')
    op.drop_table('archive_access')
    with op.batch_alter_table('archive', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_archive_class'))
    op.drop_table('archive')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS casedesk_refuse_change()")
