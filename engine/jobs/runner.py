"""The job runner: claim due jobs under a lease and run each through the normal step path, exactly once."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Iterator

from sqlalchemy import Connection, insert, select

from engine.clock import Clock, isoformat
from engine.definitions.service import DefinitionService
from engine.errors import CasedeskError, Conflict, DefinitionUnloadable, NotFound
from engine.history.eventlog import EFFECT, chain_event
from engine.runtime.store import InstanceRecord, InstanceStore
from engine.jobs.store import INCIDENTS, JOBS, ClaimedJob, JobStore, WaitKey
from engine.persistence import Database
from engine.runtime.service import Runtime
from engine.definitions.timer_events import is_timer
from engine.jobs.timer_starts import TimerStarts
from engine.jobs.periodic import KIND as PERIODIC, PeriodicJob, PeriodicJobs
from engine.jobs.steps_ahead import PreparedFiring, prepare_firing
from engine.jobs.warmup import Preloaded, Warmup
from engine.runtime.step import InstanceStep
from engine.runtime.waits import RETRY

log = logging.getLogger(__name__)

CLAIM_BATCH = 10  # jobs claimed at a time per thread that runs them
# Jobs of different instances fired in one transaction (each under its own savepoint): one commit, one
# instance lock and one job lock statement for all of them. Bounded: the instances stay locked until it commits.
GROUP_SIZE = 10
# Steps computed ahead cost one statement each in their group (their write), so the group's own statements
# (BEGIN, the locks, the job rows' delete, COMMIT) weigh more: they go in larger groups.
COMPUTED_GROUP_SIZE = 25
INSTANCE_JOBS = ("timer", "retry")
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
        self.warmup = Warmup(runtime)
        self._held: set[int] = set()
        self._prepared: dict[int, ClaimedJob] = {}  # claimed ahead of their due time (`prepare`)
        self._preloaded: dict[str, Preloaded] = {}  # their instances, by id
        self._firings: dict[int, PreparedFiring] = {}  # their timer steps computed ahead, by job id
        self._held_lock = threading.Lock()  # guards the four above: the group threads share them

    def run_due(self, worker: str, limit: int | None = None, stop: threading.Event | None = None,
                pool: Executor | None = None, threads: int = 1) -> int:
        """Run every job due at `clock.now()` (at most `limit`, until `stop` is set); returns how many ran.
        Jobs prepared ahead (`prepare`) go first. Jobs of different instances run in groups of up to
        GROUP_SIZE, one transaction each; with a `pool` of `threads` threads, the groups run side by side."""
        self.starts.schedule()
        self.periodic.schedule()
        ran = 0
        while (limit is None or ran < limit) and not (stop is not None and stop.is_set()):
            # Every prepared job due now at once: the threads take its groups as they come free.
            batch = self._take_prepared(None if limit is None else limit - ran)
            if not batch:
                want = CLAIM_BATCH * max(threads, 1)
                batch = self.claim(worker, want if limit is None else min(want, limit - ran))
            if not batch:
                break
            with self._held_lock:
                computed = {job.id for job in batch if job.id in self._firings}
            groups = list(_groups(batch, max(threads, 1), computed))
            if pool is not None and len(groups) > 1:
                ran += sum(pool.map(lambda group: self._run_group_unless_stopped(group, worker, stop), groups))
                continue
            for index, group in enumerate(groups):
                if stop is not None and stop.is_set():
                    self.release([job for rest in groups[index:] for job in rest], worker)  # hand them back
                    break
                ran += self._run_group(group, worker, stop)
        return ran

    def prepare(self, worker: str, ahead: timedelta, limit: int, compute_until: datetime | None = None) -> int:
        """Claim up to `limit` jobs falling due within `ahead` and load their instances now, so that each
        fires from a warm workflow the moment it is due; a timer's step is also computed now, in memory
        (engine/jobs/steps_ahead.py), while the clock is before `compute_until` (always when not given).
        Returns how many jobs were claimed."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            batch = self._jobs(conn).claim(worker, now, now + self.lease, limit, due_by=now + ahead)
        with self._held_lock:
            self._held.update(job.id for job in batch)
            self._prepared.update((job.id, job) for job in batch)
        ids = [job.instance_id for job in batch if job.kind in INSTANCE_JOBS and job.instance_id]
        if not ids:
            return len(batch)
        with self.db.unit_of_work(write=False) as session:
            preloaded = self.warmup.read(session.connection(), ids)
        firings = {}
        for job in batch:
            if compute_until is not None and self.clock.now() >= compute_until:
                break
            # One step per instance: a second job of it fires after the first, from the state that one leaves.
            loaded = preloaded.pop(job.instance_id, None) if job.instance_id else None
            if loaded is None:
                continue
            firing = prepare_firing(self.runtime, job, loaded.record, loaded.workflow, loaded.summary, worker)
            if firing is None:  # its step must run at its due time; the workflow may be half-advanced: reload
                continue
            firings[job.id] = firing
        with self._held_lock:
            self._preloaded.update(preloaded)
            self._firings.update(firings)
        return len(batch)

    def prepared(self) -> tuple[int, datetime | None]:
        """How many jobs this runner holds ahead of their due time, and the soonest due of them."""
        with self._held_lock:
            return len(self._prepared), min((job.due_at for job in self._prepared.values()), default=None)

    def computed_ahead(self) -> int:
        """How many of the jobs held ahead have their step computed, waiting for their due time to be written."""
        with self._held_lock:
            return len(self._firings)

    def release_prepared(self, worker: str) -> None:
        """Hand back the jobs claimed ahead (the worker stops): another worker fires them when due."""
        with self._held_lock:
            jobs, self._prepared = list(self._prepared.values()), {}
            self._preloaded.clear()
            self._firings.clear()
        if jobs:
            self.release(jobs, worker)

    def _take_prepared(self, limit: int | None) -> list[ClaimedJob]:
        now = self.clock.now()
        with self._held_lock:
            due = sorted((job for job in self._prepared.values() if job.due_at <= now),
                         key=lambda job: (job.due_at, job.id))[:limit]
            for job in due:
                del self._prepared[job.id]
        return due

    def _take_preloaded(self, jobs: list[ClaimedJob]) -> dict[str, Preloaded]:
        with self._held_lock:
            return {job.instance_id: self._preloaded.pop(job.instance_id) for job in jobs
                    if job.instance_id in self._preloaded}

    def _take_firings(self, jobs: list[ClaimedJob]) -> dict[int, PreparedFiring]:
        with self._held_lock:
            return {job.id: self._firings.pop(job.id) for job in jobs if job.id in self._firings}

    def _run_group_unless_stopped(self, group: list[ClaimedJob], worker: str, stop: threading.Event | None) -> int:
        if stop is not None and stop.is_set():
            self.release(group, worker)  # hand them back rather than sit on them
            return 0
        return self._run_group(group, worker, stop)

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
        """When a job may next be run: the soonest free due time, the soonest lease to run out, or the
        soonest job this runner prepared."""
        with self.db.unit_of_work(write=False) as session:
            free_due, lease_end = session.execute(JobStore.next_due_query(self.clock.now())).one()
        times = [t for t in (free_due, lease_end, self.prepared()[1]) if t is not None]
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
        except Exception as exc:  # noqa: BLE001 - a worker survives any single job; the error is kept on the job
            self._handle_failure(job, worker, exc)
            return 0
        finally:
            with self._held_lock:
                self._held.discard(job.id)

    def _handle_failure(self, job: ClaimedJob, worker: str, exc: Exception) -> None:
        if isinstance(exc, DefinitionUnloadable):
            # Retrying cannot help until an owner acts: report it now, and go on with the other jobs.
            self._failed(job, worker, str(exc), final=True)
            return
        if not isinstance(exc, CasedeskError):
            log.error("job %s failed", job.id, exc_info=exc)
        self._failed(job, worker, f"{type(exc).__name__}: {exc}")

    def _run(self, job: ClaimedJob, worker: str) -> int:
        if job.kind == "start":
            return self.starts.run(job, worker, self.runtime, self._jobs)
        if job.kind == PERIODIC:
            return self.periodic.run(job, worker, self._jobs)
        preloaded = self._take_preloaded([job]).get(job.instance_id or "")
        if preloaded is not None:
            self.warmup.lend(job.instance_id or "", preloaded)  # taken only if the row is still at its version
        with self.db.transaction() as conn:
            step = self._fire(conn, self._jobs(conn), job, worker)
        if step is None:
            return 0
        self.runtime.committed(step)
        return 1

    def _run_group(self, group: list[ClaimedJob], worker: str, stop: threading.Event | None = None) -> int:
        """Fire jobs of different instances in one transaction, each under a savepoint: a job that fails
        leaves the others' steps to commit and is counted as failed on its own, as if it had run alone.
        When `stop` is set, the jobs not started yet are handed back."""
        firings = self._take_firings(group)
        if (len(group) == 1 and not firings) or group[0].kind not in INSTANCE_JOBS:
            return sum(self.run_claimed(job, worker) for job in group)
        steps: list[InstanceStep] = []
        gone: list[WaitKey] = []  # job rows of waits that the prepared steps ended: deleted together
        unstarted: list[ClaimedJob] = []
        failures: list[tuple[ClaimedJob, Exception]] = []
        try:
            with self.db.transaction() as conn:
                jobs = self._jobs(conn)
                # Instances first, then the jobs (the order of every step), each in one statement.
                warm = self._take_preloaded(group)
                computed = frozenset(firing.job.instance_id or "" for firing in firings.values())
                records = self.warmup.lock(conn, [job.instance_id or "" for job in group], warm, self.db.is_postgres,
                                           computed)
                held = jobs.hold_all([job.id for job in group], worker)
                for index, job in enumerate(group):
                    if stop is not None and stop.is_set():
                        unstarted = group[index:]
                        break
                    if job.id not in held:
                        continue  # our lease ran out and another worker took the job
                    record = records.get(job.instance_id or "")
                    if record is None:  # the instance is gone: nothing waits any more
                        jobs.delete(job.id)
                        continue
                    firing = firings.get(job.id)
                    if firing is not None and firing.current(record) and held[job.id].due_at == job.due_at:
                        # Computed ahead, pure, on this very row: only its writes are left, and no savepoint.
                        # If they fail, the group fails as a whole and each job runs again on its own.
                        steps.append(firing.write(conn, self.runtime, gone))
                        continue
                    if record.id in warm:
                        self.warmup.lend(record.id, warm[record.id])
                    _driver_execute(conn, _SAVEPOINT)
                    try:
                        step = self._fire(conn, jobs, job, worker, locked=record)
                    except Exception as exc:  # noqa: BLE001 - handled below, as run_claimed would
                        _driver_execute(conn, _ROLLBACK_TO_SAVEPOINT)
                        failures.append((job, exc))
                        continue
                    if step is not None:
                        steps.append(step)
                jobs.delete_waits(gone)
        except Exception:  # noqa: BLE001 - e.g. the commit failed: nothing of the group is stored
            log.warning("a group of %s jobs failed as a whole; running them one at a time", len(group),
                        exc_info=True)
            return sum(self.run_claimed(job, worker) for job in group)
        finally:
            with self._held_lock:
                self._held.difference_update(job.id for job in group)
        if unstarted:
            self.release(unstarted, worker)
        for step in steps:
            self.runtime.committed(step)
        for job, exc in failures:
            self._handle_failure(job, worker, exc)
        return len(steps)

    def _fire(self, conn: Connection, jobs: JobStore, job: ClaimedJob, worker: str,
              locked: InstanceRecord | None = None) -> InstanceStep | None:
        """The job's step, finished in the caller's transaction; None when there was nothing (more) to do.
        `locked`: the instance row the caller locked, having taken the job's lock after it; else both are
        taken here."""
        try:
            step = (self.runtime.locked_step(conn, job.instance_id or "") if locked is None
                    else self.runtime.step_on_locked(conn, locked))
        except (NotFound, Conflict):  # the instance is gone or ended: nothing waits any more
            jobs.delete(job.id)
            return None
        if locked is None and jobs.hold(job.id, worker) is None:  # after the instance lock, as in every step
            return None  # our lease ran out and another worker took the job
        task = step.waiting_task(job.task_id or "")
        if task is None or (job.kind == "timer") != is_timer(task):
            jobs.delete(job.id)  # the instance moved on without this row following: drop it
            return None
        if job.kind == "timer":
            step.fire_timer(task, isoformat(job.due_at), worker)
        else:
            retry = task._get_internal_data(RETRY) or {}
            step.retry_service(task, "service_retried", {"due": isoformat(job.due_at),
                                                         "fired_at": isoformat(step.now),
                                                         "previous_error": retry.get("error")})
        step.finish()
        return step

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


_SAVEPOINT = "SAVEPOINT casedesk_job"  # reused name: each job of a group rolls back to its own, the latest
_ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO SAVEPOINT casedesk_job"


def _driver_execute(conn: Connection, sql: str) -> None:
    """Straight to the driver: SQLAlchemy's statement machinery costs more than a savepoint itself, and it
    need not know of these (the group's transaction is SQLAlchemy's and commits or rolls back as one)."""
    conn.connection.dbapi_connection.execute(sql).close()  # type: ignore[union-attr]


def _groups(batch: list[ClaimedJob], threads: int, computed: set[int] | None = None) -> Iterator[list[ClaimedJob]]:
    """Instance jobs in groups of distinct instances (in id order, as they are locked), spread over
    `threads`, those whose step was computed ahead (`computed`, by job id) in groups of their own; a second
    job of an instance, and every other kind, runs alone."""
    grouped: dict[bool, list[ClaimedJob]] = {True: [], False: []}
    alone, seen = [], set()
    for job in sorted(batch, key=lambda job: (job.instance_id or "", job.due_at, job.id)):
        if job.kind in INSTANCE_JOBS and job.instance_id and job.instance_id not in seen:
            seen.add(job.instance_id)
            grouped[job.id in (computed or ())].append(job)
        else:
            alone.append(job)
    for is_computed, limit in ((True, COMPUTED_GROUP_SIZE), (False, GROUP_SIZE)):
        size = max(1, min(limit, -(-len(grouped[is_computed]) // threads)))
        jobs = iter(grouped[is_computed])
        while chunk := list(islice(jobs, size)):
            yield chunk
    for job in alone:
        yield [job]


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
