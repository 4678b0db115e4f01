"""Periodic jobs of the application (e.g. the staff digest): one `periodic` row each, run every interval.

They are registered in the composition root as an explicit dict (name → PeriodicJob); the runner claims
their rows like any other job, under a lease, so each run happens on one worker only."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import Connection, delete, insert, select, update

from engine.clock import Clock
from engine.jobs.store import JOBS, ClaimedJob, JobStore
from engine.persistence import Database

log = logging.getLogger(__name__)
KIND = "periodic"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval: timedelta
    run: Callable[[datetime], Any]  # opens its own transactions; raising backs the job off


class PeriodicJobs:
    def __init__(self, db: Database, clock: Clock, jobs: dict[str, PeriodicJob]):
        self.db = db
        self.clock = clock
        self.jobs = jobs
        self._scheduled = False

    def schedule(self) -> None:
        """Once per runner: one row per registered job, due no later than one interval from now; rows of
        jobs no longer registered (or switched off) are dropped."""
        if self._scheduled:
            return
        now = self.clock.now()
        with self.db.transaction() as conn:
            rows = {r.process_key: r for r in conn.execute(select(JOBS.c.id, JOBS.c.process_key, JOBS.c.due_at)
                                                           .where(JOBS.c.kind == KIND))}
            for name, row in rows.items():
                if name not in self.jobs:
                    conn.execute(delete(JOBS).where(JOBS.c.id == row.id))
            for name, job in self.jobs.items():
                row = rows.get(name)
                if row is None:
                    # First run one interval on: starting (or a one-off `worker --once`) sends nothing at once.
                    conn.execute(insert(JOBS).values(kind=KIND, status="pending", process_key=name, element=name,
                                                     due_at=now + job.interval, attempts=0, payload="{}",
                                                     created_at=now))
                elif row.due_at > now + job.interval:  # the interval was shortened
                    conn.execute(update(JOBS).where(JOBS.c.id == row.id).values(due_at=now + job.interval))
        self._scheduled = True

    def run(self, claimed: ClaimedJob, worker: str, jobs_on: Callable[[Connection], JobStore]) -> int:
        job = self.jobs.get(claimed.process_key or "")
        with self.db.transaction() as conn:
            if jobs_on(conn).hold(claimed.id, worker) is None:
                return 0
            if job is None:  # unregistered since it was scheduled
                conn.execute(delete(JOBS).where(JOBS.c.id == claimed.id))
                return 0
        now = self.clock.now()
        job.run(now)
        with self.db.transaction() as conn:
            conn.execute(update(JOBS).where(JOBS.c.id == claimed.id, JOBS.c.lease_owner == worker).values(
                due_at=now + job.interval, lease_owner=None, lease_expires_at=None, attempts=0, last_error=None))
        return 1
