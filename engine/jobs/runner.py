"""The job runner: claim due jobs under a lease and run each through the normal step path, exactly once."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select

from engine.clock import Clock, isoformat
from engine.definitions.service import DefinitionService
from engine.errors import CasedeskError, Conflict, DefinitionUnloadable, NotFound
from engine.history.eventlog import EFFECT, chain_event
from engine.runtime.store import InstanceStore
from engine.jobs.store import INCIDENTS, JOBS, ClaimedJob, JobStore
from engine.persistence import Database
from engine.runtime.service import Runtime
from engine.definitions.timer_events import is_timer
from engine.jobs.timer_starts import TimerStarts
from engine.jobs.periodic import KIND as PERIODIC, PeriodicJob, PeriodicJobs
from engine.runtime.waits import RETRY

log = logging.getLogger(__name__)

CLAIM_BATCH = 10
# A job whose step keeps failing (not a service task with its own retries) backs off, then becomes an incident.
JOB_ATTEMPTS = 3
JOB_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    status: str
    instance_id: str | None
    process_key: str | None
    element: str
    due_at: datetime
    lease_owner: str | None
    lease_expires_at: datetime | None
    attempts: int
    last_error: str | None


class JobRunner:
    def __init__(self, db: Database, runtime: Runtime, definitions: DefinitionService, clock: Clock,
                 lease_seconds: float = 60.0, periodic: dict[str, PeriodicJob] | None = None):
        self.db = db
        self.runtime = runtime
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        self.starts = TimerStarts(db, definitions, clock)
        self.periodic = PeriodicJobs(db, clock, periodic or {})
        self._held: set[int] = set()
        self._held_lock = threading.Lock()

    def run_due(self, worker: str, limit: int | None = None, stop: threading.Event | None = None,
                pool: Executor | None = None) -> int:
        """Run every job due at `clock.now()` (at most `limit`, until `stop` is set); returns how many ran.
        With a `pool`, the jobs of each claimed batch run on its threads, each in its own transaction."""
        self.starts.schedule()
        self.periodic.schedule()
        ran = 0
        while (limit is None or ran < limit) and not (stop is not None and stop.is_set()):
            batch = self.claim(worker, CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - ran))
            if not batch:
                break
            if pool is not None:
                ran += sum(pool.map(lambda job: self._run_unless_stopped(job, worker, stop), batch))
                continue
            for index, job in enumerate(batch):
                if stop is not None and stop.is_set():
                    self.release(batch[index:], worker)  # hand the rest back rather than sit on them
                    break
                ran += self.run_claimed(job, worker)
        return ran

    def _run_unless_stopped(self, job: ClaimedJob, worker: str, stop: threading.Event | None) -> int:
        if stop is not None and stop.is_set():
            self.release([job], worker)  # hand it back rather than sit on it
            return 0
        return self.run_claimed(job, worker)

    def release(self, jobs: list[ClaimedJob], worker: str) -> None:
        with self.db.transaction() as conn:
            store = self._jobs(conn)
            for job in jobs:
                store.release(job.id, worker)
        with self._held_lock:
            self._held.difference_update(job.id for job in jobs)

    def list_jobs(self, limit: int = 100) -> list[JobView]:
        """What is scheduled, soonest first: for operators (`casedesk jobs`)."""
        with self.db.unit_of_work(write=False) as session:
            rows = session.execute(select(JOBS).order_by(JOBS.c.due_at, JOBS.c.id).limit(limit))
            return [JobView(r.id, r.kind, r.status, r.instance_id, r.process_key, r.element, r.due_at,
                            r.lease_owner, r.lease_expires_at, r.attempts, r.last_error) for r in rows]

    def claim(self, worker: str, limit: int) -> list[ClaimedJob]:
        now = self.clock.now()
        # Look before taking the write lock: an idle worker polling must not queue behind SQLite's one writer.
        if not self.db.is_postgres:
            with self.db.unit_of_work(write=False) as session:
                if session.execute(JobStore.due_query(now, 1)).first() is None:
                    return []
        with self.db.transaction() as conn:
            batch = self._jobs(conn).claim(worker, now, now + self.lease, limit)
        with self._held_lock:
            self._held.update(job.id for job in batch)
        return batch

    def next_due(self) -> datetime | None:
        """When a job may next be claimed: the soonest free due time, or the soonest lease to run out."""
        with self.db.unit_of_work(write=False) as session:
            free_due, lease_end = session.execute(JobStore.next_due_query(self.clock.now())).one()
        times = [t for t in (free_due, lease_end) if t is not None]
        return min(times) if times else None

    def renew_leases(self, worker: str) -> int:
        """Push the lease of every job this runner holds (the worker's heartbeat thread calls this)."""
        with self._held_lock:
            held = sorted(self._held)
        if not held:
            return 0
        with self.db.transaction() as conn:
            return self._jobs(conn).renew(worker, held, self.clock.now() + self.lease)

    def run_claimed(self, job: ClaimedJob, worker: str) -> int:
        """Run one claimed job; 1 when it ran, 0 when its lease was lost, it was stale, or it failed."""
        try:
            return self._run(job, worker)
        except DefinitionUnloadable as exc:
            # Retrying cannot help until an owner acts: report it now, and go on with the other jobs.
            self._failed(job, worker, str(exc), final=True)
            return 0
        except CasedeskError as exc:
            self._failed(job, worker, f"{type(exc).__name__}: {exc}")
            return 0
        except Exception as exc:  # noqa: BLE001 - a worker survives any single job; the error is kept on the job
            log.exception("job %s failed", job.id)
            self._failed(job, worker, f"{type(exc).__name__}: {exc}")
            return 0
        finally:
            with self._held_lock:
                self._held.discard(job.id)

    def _run(self, job: ClaimedJob, worker: str) -> int:
        if job.kind == "start":
            return self.starts.run(job, worker, self.runtime, self._jobs)
        if job.kind == PERIODIC:
            return self.periodic.run(job, worker, self._jobs)
        with self.db.transaction() as conn:
            jobs = self._jobs(conn)
            try:
                step = self.runtime.locked_step(conn, job.instance_id or "")
            except (NotFound, Conflict):  # the instance is gone or ended: nothing waits any more
                jobs.delete(job.id)
                return 0
            held = jobs.hold(job.id, worker)  # after the instance lock: the same order as every step
            if held is None:
                return 0  # our lease ran out and another worker took the job
            task = step.waiting_task(job.task_id or "")
            if task is None or (job.kind == "timer") != is_timer(task):
                jobs.delete(job.id)  # the instance moved on without this row following: drop it
                return 0
            if job.kind == "timer":
                step.fire_timer(task, isoformat(job.due_at), worker)
            else:
                retry = task._get_internal_data(RETRY) or {}
                step.retry_service(task, "service_retried", {"due": isoformat(job.due_at),
                                                             "fired_at": isoformat(step.now),
                                                             "previous_error": retry.get("error")})
            step.finish()
        self.runtime.committed(step)
        return 1

    def _failed(self, job: ClaimedJob, worker: str, error: str, final: bool = False) -> None:
        """Keep the error on the job and back off; after the last attempt the instance gets an incident."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            jobs = self._jobs(conn)
            # A timer start has no instance to hold an incident: it keeps backing off, and says so in the log.
            last = (final or job.attempts + 1 >= JOB_ATTEMPTS) and job.instance_id is not None
            attempts = jobs.failed(job.id, worker, error,
                                   None if last else now + min(JOB_BACKOFF * (2 ** job.attempts), MAX_BACKOFF))
            log.warning("job %s (%s %s) failed, attempt %s: %s", job.id, job.kind, job.element, attempts, error)
            if last and attempts:
                open_job_incident(conn, self.db.is_postgres, job, error, attempts, now)

    def _jobs(self, conn: Connection) -> JobStore:
        return JobStore(conn, lock_rows=self.db.is_postgres)


def open_job_incident(conn: Connection, lock_rows: bool, job: ClaimedJob, error: str, attempts: int,
                      now: datetime) -> None:
    store = InstanceStore(conn, lock_rows)
    record = store.lock_instance(job.instance_id or "")
    if record is None:
        return
    conn.execute(insert(INCIDENTS).values(
        instance_id=record.id, kind="job", task_id=job.task_id, element=job.element, job_id=job.id,
        error=error, attempts=attempts, status="open", opened_at=now))
    event = chain_event(record, now, EFFECT, "incident_opened",
                        {"element": job.element, "job": job.kind, "error": error, "attempts": attempts},
                        task_id=job.task_id, task_spec=job.element)
    record.updated_at = now
    store.save_instance(record)
    store.insert_events([event])
