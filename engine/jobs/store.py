"""Core statements on the `job` and `incident` tables, inside the caller's transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, cast

from sqlalchemy import Connection, Table, and_, bindparam, delete, func, insert, or_, select, tuple_, update

from engine.jobs.models import Incident, Job
from engine.runtime.bpmn_errors import UncaughtError
from engine.runtime.waits import StuckService, Wait

JOBS = cast(Table, Job.__table__)
INCIDENTS = cast(Table, Incident.__table__)
WaitKey = tuple[str, str, str]  # (kind, instance id, task id): one job row of an instance's wait

_DELETE_WAIT = delete(JOBS).where(JOBS.c.kind == bindparam("b_kind"), JOBS.c.instance_id == bindparam("b_instance"),
                                  JOBS.c.task_id == bindparam("b_task"))
_MOVE_WAIT = (update(JOBS).where(JOBS.c.kind == bindparam("b_kind"), JOBS.c.instance_id == bindparam("b_instance"),
                                 JOBS.c.task_id == bindparam("b_task"))
              .values(due_at=bindparam("b_due"), lease_owner=None, lease_expires_at=None))
_INSERT_JOB = insert(JOBS)
_HOLD = (select(JOBS).where(JOBS.c.id.in_(bindparam("b_ids", expanding=True)),
                            JOBS.c.lease_owner == bindparam("b_worker"), JOBS.c.status == "pending")
         .order_by(JOBS.c.id))
_HOLD_LOCKED = _HOLD.with_for_update()


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    instance_id: str | None
    task_id: str | None
    element: str
    process_key: str | None
    definition_id: int | None
    due_at: datetime
    attempts: int
    payload: str


def _claimed(row: Any) -> ClaimedJob:
    m = row._mapping
    return ClaimedJob(m["id"], m["kind"], m["instance_id"], m["task_id"], m["element"], m["process_key"],
                      m["definition_id"], m["due_at"], m["attempts"], m["payload"])


class JobStore:
    def __init__(self, conn: Connection, lock_rows: bool):
        self.conn = conn
        self.lock_rows = lock_rows  # FOR UPDATE [SKIP LOCKED] on PostgreSQL; SQLite serializes writers

    # -- projection of an instance's waits (called by the step) -------------------------------

    def sync_waits(self, instance_id: str, before: Mapping[tuple[str, str], Wait],
                   after: Mapping[tuple[str, str], Wait], now: datetime) -> None:
        gone = [{"b_kind": k, "b_instance": instance_id, "b_task": t} for (k, t) in before if (k, t) not in after]
        moved = [{"b_kind": w.kind, "b_instance": instance_id, "b_task": w.task_id, "b_due": w.due}
                 for key, w in after.items() if key in before and before[key].due != w.due]
        new = [{"kind": w.kind, "status": "pending", "instance_id": instance_id, "task_id": w.task_id,
                "element": w.element, "due_at": w.due, "attempts": 0, "payload": "{}", "created_at": now}
               for key, w in after.items() if key not in before]
        # One row (a timer fired, a wait began) goes as a plain statement: a list would take the driver's
        # executemany path, which costs more than the statement itself.
        for statement, rows in ((_DELETE_WAIT, gone), (_MOVE_WAIT, moved), (_INSERT_JOB, new)):
            if rows:
                self.conn.execute(statement, rows[0] if len(rows) == 1 else rows)

    def delete_waits(self, keys: list[WaitKey]) -> None:
        """`sync_waits`' deletions of several steps (of different instances) at once: one statement."""
        if not keys:
            return
        if self.lock_rows:  # PostgreSQL: row values
            key = tuple_(JOBS.c.kind, JOBS.c.instance_id, JOBS.c.task_id)
            self.conn.execute(delete(JOBS).where(key.in_(bindparam("b_keys", expanding=True))), {"b_keys": keys})
        else:  # SQLite: no network between statements
            self.conn.execute(_DELETE_WAIT, [{"b_kind": k, "b_instance": i, "b_task": t} for k, i, t in keys])

    def sync_incidents(self, instance_id: str, before: Mapping[str, StuckService],
                       after: Mapping[str, StuckService], now: datetime, actor: str | None, ended: bool) -> None:
        for task_id, stuck in after.items():
            if task_id not in before:
                self.conn.execute(insert(INCIDENTS).values(
                    instance_id=instance_id, kind="service", task_id=task_id, element=stuck.element,
                    error=stuck.error, attempts=stuck.attempts, status="open", opened_at=now))
            elif before[task_id] != stuck:
                self.conn.execute(update(INCIDENTS).where(self._open_for(instance_id, task_id))
                                  .values(error=stuck.error, attempts=stuck.attempts))
        for task_id in before:
            if task_id not in after:
                self.conn.execute(update(INCIDENTS).where(self._open_for(instance_id, task_id)).values(
                    status="closed" if ended else "resolved", resolved_at=now, resolved_by=actor))

    def open_failure_incident(self, instance_id: str, failure: UncaughtError, now: datetime) -> None:
        """An uncaught BPMN error failed the instance: an administrator must see it."""
        self.conn.execute(insert(INCIDENTS).values(
            instance_id=instance_id, kind="error", task_id=None, element=failure.element, error=failure.describe(),
            attempts=1, status="open", opened_at=now))

    def close_failure_incidents(self, instance_id: str, now: datetime, ended: bool, actor: str | None = None) -> None:
        self.conn.execute(update(INCIDENTS).where(
            INCIDENTS.c.instance_id == instance_id, INCIDENTS.c.kind == "error", INCIDENTS.c.status == "open")
            .values(status="closed" if ended else "resolved", resolved_at=now, resolved_by=actor))

    @staticmethod
    def _open_for(instance_id: str, task_id: str) -> Any:
        return and_(INCIDENTS.c.instance_id == instance_id, INCIDENTS.c.task_id == task_id,
                    INCIDENTS.c.status == "open", INCIDENTS.c.kind == "service")

    # -- the worker's side ----------------------------------------------------------------------

    @staticmethod
    def due_query(now: datetime, limit: int, due_by: datetime | None = None) -> Any:
        """Free pending jobs due by `due_by` (by `now` when not given), soonest first."""
        free = or_(JOBS.c.lease_expires_at.is_(None), JOBS.c.lease_expires_at < now)
        return (select(JOBS.c.id).where(JOBS.c.status == "pending", JOBS.c.due_at <= (due_by or now), free)
                .order_by(JOBS.c.due_at, JOBS.c.id).limit(limit))

    @staticmethod
    def next_due_query(now: datetime) -> Any:
        """(soonest due of the free pending jobs, soonest end of a lease held on one): both by index."""
        free = or_(JOBS.c.lease_expires_at.is_(None), JOBS.c.lease_expires_at < now)
        pending = JOBS.c.status == "pending"
        free_due = select(func.min(JOBS.c.due_at)).where(pending, free).scalar_subquery()
        held = and_(JOBS.c.lease_owner.is_not(None), JOBS.c.lease_expires_at >= now)  # ix_job_lease_owner
        lease_end = select(func.min(JOBS.c.lease_expires_at)).where(pending, held)
        return select(free_due, lease_end.scalar_subquery())

    def claim(self, worker: str, now: datetime, lease_until: datetime, limit: int,
              due_by: datetime | None = None) -> list[ClaimedJob]:
        """Take up to `limit` jobs due by `due_by` (default: now) that nobody holds (or whose holder's lease
        ran out). Taking a job before it is due only reserves it: it still runs no earlier than `due_at`."""
        query = self.due_query(now, limit, due_by)
        if self.lock_rows:  # one round trip: take the free rows, lease them, read them back
            taken = (update(JOBS).where(JOBS.c.id.in_(query.with_for_update(skip_locked=True).scalar_subquery()))
                     .values(lease_owner=worker, lease_expires_at=lease_until).returning(*JOBS.c))
            return sorted((_claimed(row) for row in self.conn.execute(taken)), key=lambda job: (job.due_at, job.id))
        ids = list(self.conn.execute(query).scalars())
        if not ids:
            return []
        self.conn.execute(update(JOBS).where(JOBS.c.id.in_(ids))
                          .values(lease_owner=worker, lease_expires_at=lease_until))
        rows = self.conn.execute(select(JOBS).where(JOBS.c.id.in_(ids)).order_by(JOBS.c.due_at, JOBS.c.id))
        return [_claimed(row) for row in rows]

    def hold(self, job_id: int, worker: str) -> ClaimedJob | None:
        """Re-read a claimed job under lock, inside the step that runs it; None when the lease was lost."""
        return self.hold_all([job_id], worker).get(job_id)

    def hold_all(self, job_ids: list[int], worker: str) -> dict[int, ClaimedJob]:
        """`hold` for several jobs in one statement (take their instances' locks first): the ones still ours."""
        rows = self.conn.execute(_HOLD_LOCKED if self.lock_rows else _HOLD, {"b_ids": job_ids, "b_worker": worker})
        return {job.id: job for job in map(_claimed, rows)}

    def renew(self, worker: str, job_ids: list[int], lease_until: datetime) -> int:
        if not job_ids:
            return 0
        mine = select(JOBS.c.id).where(JOBS.c.id.in_(job_ids), JOBS.c.lease_owner == worker)
        if self.lock_rows:  # a job whose step is running is locked by that step: skip it, it is safe
            mine = mine.with_for_update(skip_locked=True)
        ids = list(self.conn.execute(mine).scalars())
        if ids:
            self.conn.execute(update(JOBS).where(JOBS.c.id.in_(ids)).values(lease_expires_at=lease_until))
        return len(ids)

    def release(self, job_id: int, worker: str) -> None:
        self.conn.execute(update(JOBS).where(JOBS.c.id == job_id, JOBS.c.lease_owner == worker)
                          .values(lease_owner=None, lease_expires_at=None))

    def failed(self, job_id: int, worker: str, error: str, retry_at: datetime | None) -> int:
        """Count a failed run; back off until `retry_at`, or hold the job for an incident (None).
        Returns the attempts so far, 0 when the job is no longer ours."""
        row = self.conn.execute(select(JOBS.c.attempts).where(JOBS.c.id == job_id, JOBS.c.lease_owner == worker)).first()
        if row is None:
            return 0  # the job is gone or another worker holds it now: its failure is not ours to count
        attempts = row[0] + 1
        values: dict[str, Any] = {"attempts": attempts, "last_error": error, "lease_owner": None,
                                  "lease_expires_at": None}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values["due_at"] = retry_at
        self.conn.execute(update(JOBS).where(JOBS.c.id == job_id).values(**values))
        return attempts

    def delete(self, job_id: int) -> None:
        self.conn.execute(delete(JOBS).where(JOBS.c.id == job_id))
