"""Timer steps computed ahead of their due time, in memory, and only written when the moment comes.

A claimed timer job's due time is known, so its step can run before it: the waiting timer is fired and the
instance advanced on a workflow loaded ahead, with the step's clock set to the due time (what the events
record, so replay repeats it exactly). Nothing of it leaves memory then. At the due time the job runner
locks the instance row and, if its version is still the one the step started from, finishes the step
(projections and the one write statement) in the firing transaction; any change in between voids the
prepared step and the job fires the ordinary way.

Only pure work is done ahead: a step that would call a service-task handler or read or write the database
(a call activity choosing its version) is stopped where it tries, and one that would send messages or throw
signals to other instances is dropped after it; those jobs fire at their due time as always.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection

from handlers.context import HandlerRegistry

from engine.clock import isoformat
from engine.definitions.timer_events import is_timer
from engine.errors import CasedeskError
from engine.jobs.store import ClaimedJob, JobStore, WaitKey
from engine.runtime.service import Runtime
from engine.runtime.step import InstanceStep
from engine.runtime.store import InstanceRecord, InstanceStore

log = logging.getLogger(__name__)


class NotPure(CasedeskError):
    """A step computed ahead tried to reach outside its instance: it must run at its due time instead."""


class _Unplugged:
    """The connection of a step computed ahead: any use refuses (reads could be stale, writes would be early)."""

    def __getattr__(self, name: str) -> Any:
        raise NotPure(f"the step would use the database ({name})")


class _NoHandlers:
    """The handler registry of a step computed ahead: a service task's call is a side effect, refused."""

    def get(self, operator: str) -> Any:
        raise NotPure(f"the step would call the handler {operator!r}")


_UNPLUGGED = _Unplugged()
_NO_HANDLERS = _NoHandlers()


class _PreparedStep(InstanceStep):
    """A step whose ended waits (its own timer's job row, mostly) are deleted with the rest of its group's, in
    one statement, by the job runner: `gone` collects them."""

    gone: list[WaitKey] | None = None

    def reaches_other_instances(self) -> bool:
        """Messages or signals for other instances (delivered when it finishes): done at the due time only."""
        return bool(self.workflow.bpmn_events or self._thrown_signals)

    def _job_store(self) -> JobStore:
        return _DeferredDeletes(self.store.conn, self.store.lock_rows, self.gone)


class _DeferredDeletes(JobStore):
    def __init__(self, conn: Connection, lock_rows: bool, gone: list[WaitKey] | None):
        super().__init__(conn, lock_rows)
        self.gone = gone

    def sync_waits(self, instance_id: str, before: Any, after: Any, now: Any) -> None:
        if self.gone is None:
            return super().sync_waits(instance_id, before, after, now)
        self.gone.extend((kind, instance_id, task_id) for (kind, task_id) in before if (kind, task_id) not in after)
        super().sync_waits(instance_id, {key: wait for key, wait in before.items() if key in after}, after, now)


@dataclass
class PreparedFiring:
    """A timer job's step, advanced in memory from row version `version`; finished by `write`."""

    job: ClaimedJob
    version: int
    step: _PreparedStep

    def current(self, record: InstanceRecord) -> bool:
        """Is the instance row (locked just now) still the one the step was computed from?"""
        return record.status == "running" and record.lock_version == self.version

    def write(self, conn: Connection, runtime: Runtime, gone: list[WaitKey]) -> InstanceStep:
        """Finish the step in the caller's transaction, which holds the lock of a `current` instance row and of
        the job's row; the waits the step ended go to `gone`, for the caller to delete (`JobStore.delete_waits`)."""
        step = self.step
        step.store = InstanceStore(conn, runtime.db.is_postgres)
        step.handlers = runtime.handlers
        step.mailroom, step.signals = runtime.mailroom, runtime.signal_post
        step.gone = gone
        step.finish()
        return step


def prepare_firing(runtime: Runtime, job: ClaimedJob, record: InstanceRecord, workflow: Any, summary: Any,
                   worker: str) -> PreparedFiring | None:
    """Fire `job`'s timer on `workflow` (decoded from `record`, which is not locked) at the job's due time, in
    memory; None when the step must wait for its due time (it is not pure) or cannot run here."""
    if job.kind != "timer" or record.status != "running":
        return None
    try:
        definition = runtime.definitions.load(record.definition_id)
        # The record is the step's own copy: the step moves its chain head and state as it goes.
        step = _PreparedStep(InstanceStore(cast(Connection, _UNPLUGGED), runtime.db.is_postgres), _copy(record),
                             definition, runtime.environment, cast(HandlerRegistry, _NO_HANDLERS), runtime.codec,
                             job.due_at, warm=workflow, resolve=runtime.definitions.load, summary=summary)
        task = step.waiting_task(job.task_id or "")
        if task is None or not is_timer(task):
            return None
        step.fire_timer(task, isoformat(job.due_at), worker)
    except Exception as exc:  # noqa: BLE001 - NotPure, or a failure the ordinary firing will report
        log.debug("job %s not prepared: %s", job.id, exc)
        return None
    if step.reaches_other_instances():
        return None
    return PreparedFiring(job, record.lock_version, step)


def _copy(record: InstanceRecord) -> InstanceRecord:
    return InstanceRecord(**vars(record))
