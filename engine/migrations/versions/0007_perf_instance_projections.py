"""instance projections: current data, completed elements and participants, so reads never scan the log

Revision ID: 0006_perf
Revises: 0006_lifecycle
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0006_perf'
down_revision = '0006_lifecycle'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'instance_summary',
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('completed', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('instance_id'),
    )
    op.create_table(
        'instance_participant',
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id']),
        sa.PrimaryKeyConstraint('instance_id', 'username'),
    )
    op.create_index('ix_instance_participant_username', 'instance_participant', ['username'])
    _backfill()


def _backfill() -> None:
    """Fold the existing logs once (the same fold as engine/runtime/summary.py, kept here so the migration
    does not change when that code does)."""
    conn = op.get_bind()
    conn.execute(sa.text(
        "INSERT INTO instance_participant (instance_id, username) "
        "SELECT DISTINCT instance_id, actor FROM instance_event WHERE actor IS NOT NULL"))
    rows = conn.execute(sa.text(
        "SELECT instance_id, type, payload FROM instance_event "
        "WHERE type IN ('instance_started', 'task_done', 'instance_completed') ORDER BY instance_id, seq"))
    summaries: dict[str, tuple[dict, dict]] = {}
    for instance_id, type_, payload in rows:
        data, completed = summaries.setdefault(instance_id, ({}, {}))
        body = json.loads(payload)
        body = body if isinstance(body, dict) else {}
        if type_ == 'instance_started':
            data.update(body.get('data') or {})
        elif type_ == 'task_done':
            delta = body.get('delta') or {}
            data.update(delta.get('set') or {})
            for name in delta.get('removed') or []:
                data.pop(name, None)
            if body.get('element'):
                completed[body['element']] = completed.get(body['element'], 0) + 1
        else:
            summaries[instance_id] = (dict(body.get('data') or data), completed)
    canonical = dict(sort_keys=True, separators=(',', ':'), ensure_ascii=False)
    for instance_id, (data, completed) in summaries.items():
        conn.execute(sa.text("INSERT INTO instance_summary (instance_id, data, completed) VALUES (:i, :d, :c)"),
                     {"i": instance_id, "d": json.dumps(data, **canonical), "c": json.dumps(completed, **canonical)})


def downgrade() -> None:
    op.drop_index('ix_instance_participant_username', table_name='instance_participant')
    op.drop_table('instance_participant')
    op.drop_table('instance_summary')
