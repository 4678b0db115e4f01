"""The `casedesk worker` loop: run due jobs, sleep until the next one (or a NOTIFY), renew leases, stop cleanly."""
from __future__ import annotations

import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from engine.jobs.runner import JobRunner
from engine.jobs.wakeups import Wakeups, wakeups_for

log = logging.getLogger(__name__)

# On PostgreSQL a worker sleeps until the next due job or a notification; it still looks this often, so a
# schedule change made without the triggers (a restored dump, a manual UPDATE) is never waited out for long.
LONGEST_SLEEP_SECONDS = 60.0
# After a failed look (the database restarting) wait at least this long before the next one.
RETRY_SECONDS = 1.0
BUSY_SECONDS = timedelta(seconds=0.01)
DEFAULT_THREADS = 4  # CASEDESK_WORKER_THREADS; measured with bench/timers.py (README, Performance)
# A job falling due this soon is claimed and its instance loaded before its moment (a timer's step even
# computed, engine/jobs/steps_ahead.py): the worker wakes this long before the next job, and at the due time has
# little left to do. At most PREPARE_LIMIT jobs are held ahead (their workflows stay in memory, and other
# workers wait out their leases if this one dies), taken PREPARE_BATCH at a time so that the workers awake
# share them. 5 s: time for 400 steps computed ahead on two busy cores (README, Performance).
PREPARE_AHEAD = timedelta(seconds=5)
PREPARE_BATCH = 20
PREPARE_LIMIT = 500
# Stop preparing this long before the first prepared job is due: firing it on time matters more.
PREPARE_MARGIN = timedelta(seconds=0.02)


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(self, jobs: JobRunner, name: str, poll_seconds: float, lease_seconds: float,
                 wakeups: Wakeups | None = None, threads: int = DEFAULT_THREADS):
        self.jobs = jobs
        self.name = name
        # Jobs of one claimed batch run side by side: each waits on the database much of its time. SQLite
        # has one writer, so there they run one after the other.
        self.threads = threads if jobs.db.is_postgres else 1
        self.poll_seconds = poll_seconds  # SQLite only: PostgreSQL wakes on the due time or a NOTIFY
        self.wakeups = wakeups or wakeups_for(jobs.db.engine, poll_seconds)
        # Renew well before expiry so a slow database round trip never lets a live worker's lease lapse.
        self.renew_every = max(lease_seconds / 3, 0.05)
        self.ran = 0

    def run(self, stop: threading.Event, max_jobs: int | None = None) -> int:
        """Run until `stop` is set (or `max_jobs` have run); returns how many jobs ran."""
        heartbeat = threading.Thread(target=self._renew_leases, args=(stop,), name=f"lease-{self.name}", daemon=True)
        heartbeat.start()
        pool = ThreadPoolExecutor(self.threads, thread_name_prefix=f"job-{self.name}") if self.threads > 1 else None
        try:
            self._listen()
            while not stop.is_set():
                try:
                    ran = self.jobs.run_due(self.name, None if max_jobs is None else max_jobs - self.ran, stop,
                                            pool, self.threads)
                    upcoming, longest = self.jobs.next_due(), LONGEST_SLEEP_SECONDS
                    if self._prepare(upcoming, stop):
                        upcoming = self.jobs.next_due()
                    if ran == 0 and upcoming is not None:  # due yet not ours: another worker is taking it
                        upcoming = max(upcoming, datetime.now(timezone.utc) + BUSY_SECONDS)
                except Exception:  # noqa: BLE001 - e.g. the database restarting: wait and try again
                    log.exception("worker %s: running due jobs failed", self.name)
                    ran, upcoming, longest = 0, None, max(self.poll_seconds, RETRY_SECONDS)
                self.ran += ran
                if max_jobs is not None and self.ran >= max_jobs:
                    break
                if not stop.is_set():
                    self.wakeups.wait(self._wake_at(upcoming), longest)
        finally:
            stop.set()
            self.wakeups.interrupt()
            if pool is not None:
                pool.shutdown(wait=True)
            try:
                self.jobs.release_prepared(self.name)
            except Exception:  # noqa: BLE001 - their leases run out instead
                log.exception("worker %s could not hand back the jobs it prepared", self.name)
            heartbeat.join(timeout=5)
            self.wakeups.close()
        return self.ran

    def _wake_at(self, upcoming: datetime | None) -> datetime | None:
        """When to look again: PREPARE_AHEAD before the next job, to prepare it (a timer scheduled long ago is
        known well before its moment), or at it when that is already nearer."""
        if upcoming is not None and upcoming - self.jobs.clock.now() > PREPARE_AHEAD:
            return upcoming - PREPARE_AHEAD
        return upcoming

    def _prepare(self, upcoming: datetime | None, stop: threading.Event) -> bool:
        """Claim and load jobs falling due within PREPARE_AHEAD, until shortly before the first of them is due;
        True when some were claimed."""
        claimed = False
        while upcoming is not None and not stop.is_set():
            now = self.jobs.clock.now()
            held, first = self.jobs.prepared()
            first = upcoming if first is None else min(first, upcoming)
            if held >= PREPARE_LIMIT or first - now > PREPARE_AHEAD or now >= first - PREPARE_MARGIN:
                break
            if self.jobs.prepare(self.name, PREPARE_AHEAD, min(PREPARE_BATCH, PREPARE_LIMIT - held),
                                 compute_until=first - PREPARE_MARGIN) == 0:
                break
            claimed = True
            upcoming = self.jobs.next_due()  # a job scheduled meanwhile may be due sooner than those held
        return claimed

    def _listen(self) -> None:
        try:
            self.wakeups.listen()
        except Exception:  # noqa: BLE001 - waiting retries it; the jobs due now run meanwhile
            log.exception("worker %s: cannot listen for job notifications yet", self.name)

    def _renew_leases(self, stop: threading.Event) -> None:
        while not stop.wait(self.renew_every):
            try:
                self.jobs.renew_leases(self.name)
            except Exception:  # noqa: BLE001 - a missed renewal is retried; the lease has slack for it
                log.exception("worker %s could not renew its leases", self.name)
        self.wakeups.interrupt()  # stopping: end a sleep that may last until the next due job
