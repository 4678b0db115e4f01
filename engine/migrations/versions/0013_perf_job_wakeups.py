"""PostgreSQL: NOTIFY casedesk_jobs whenever a job may have become due sooner, so idle workers wake at once

Revision ID: 0013_perf_job_wakeups
Revises: 0012_staffweb

The triggers fire inside the transaction that schedules the job, so a worker is woken exactly when
that transaction commits (never before, never lost to a rollback). A job becomes runnable sooner when
it is inserted, moved earlier, put back to pending, or its lease is released; a deployment, a
retirement or its undoing may add or pause a timer start. SQLite has no NOTIFY: workers poll there.
"""
from alembic import op


revision = '0013_perf_job_wakeups'
down_revision = '0012_staffweb'
branch_labels = None
depends_on = None

CHANNEL = 'casedesk_jobs'


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(f"""
        CREATE FUNCTION casedesk_jobs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- A job says when it falls due (seconds since the epoch; naive timestamps hold UTC), so a worker
            -- already waking before then sleeps on; anything else says '' (look again). PostgreSQL folds a
            -- transaction's identical notifications into one.
            IF TG_LEVEL = 'ROW' THEN
                PERFORM pg_notify('{CHANNEL}', extract(epoch FROM NEW.due_at)::text);
            ELSE
                PERFORM pg_notify('{CHANNEL}', '');
            END IF;
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE TRIGGER job_scheduled AFTER INSERT ON job FOR EACH ROW
        WHEN (NEW.status = 'pending') EXECUTE FUNCTION casedesk_jobs_changed()""")
    op.execute("""
        CREATE TRIGGER job_rescheduled AFTER UPDATE ON job FOR EACH ROW
        WHEN (NEW.status = 'pending' AND (NEW.due_at < OLD.due_at OR OLD.status <> 'pending'
              OR (NEW.lease_expires_at IS NULL AND OLD.lease_expires_at IS NOT NULL)))
        EXECUTE FUNCTION casedesk_jobs_changed()""")
    op.execute("""
        CREATE TRIGGER process_definition_jobs AFTER INSERT OR UPDATE ON process_definition
        FOR EACH STATEMENT EXECUTE FUNCTION casedesk_jobs_changed()""")
    op.execute("""
        CREATE TRIGGER retired_process_jobs AFTER INSERT OR DELETE ON retired_process
        FOR EACH STATEMENT EXECUTE FUNCTION casedesk_jobs_changed()""")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP TRIGGER IF EXISTS retired_process_jobs ON retired_process")
    op.execute("DROP TRIGGER IF EXISTS process_definition_jobs ON process_definition")
    op.execute("DROP TRIGGER IF EXISTS job_rescheduled ON job")
    op.execute("DROP TRIGGER IF EXISTS job_scheduled ON job")
    op.execute("DROP FUNCTION IF EXISTS casedesk_jobs_changed()")
