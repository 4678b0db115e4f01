"""Processes started by a timer start event: one `start` job per deployed process, one instance per occurrence."""
from __future__ import annotations

import ast
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import Connection, delete, func, insert, select, update
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)

from engine.clock import Clock, isoformat
from engine.definitions.service import DefinitionService
from engine.definitions.lifecycle import startable_ids
from engine.errors import DefinitionUnloadable, InvalidInput, N_
from engine.history.eventlog import INPUT
from engine.runtime.store import DEFINITIONS, INSTANCES
from engine.isotime import add, parse_cycle, parse_duration, parse_instant
from engine.jobs.store import JOBS, ClaimedJob, JobStore
from engine.persistence import Database
from engine.definitions.timer_events import StepStartCycle

if TYPE_CHECKING:
    from engine.runtime.service import Runtime

log = logging.getLogger(__name__)
TIMER_ACTOR = "timer"
RETIRED = "retired"  # the status of a start job while its process is retired


@dataclass(frozen=True)
class StartTimer:
    element: str
    kind: type
    value: str


def start_timer(spec: Any) -> StartTimer | None:
    """The process's timer start event, if it has one. Its expression must be a literal: no data exists yet."""
    for event in getattr(spec, "bpmn_start_events", []):
        definition = getattr(event, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            try:
                value = ast.literal_eval(definition.expression.strip())
            except (ValueError, SyntaxError) as exc:
                raise InvalidInput(N_("timer start %(event)s: the expression must be a quoted ISO 8601 text, not "
                                      "%(expression)s"), event=event.bpmn_id,
                                   expression=repr(definition.expression)) from exc
            return StartTimer(event.bpmn_id, type(definition), str(value))
    return None


def occurrence(timer: StartTimer, deployed_at: datetime, index: int) -> datetime | None:
    """When the `index`-th instance starts (0-based), counted from the version's deployment; None: no more."""
    if issubclass(timer.kind, (CycleTimerEventDefinition, StepStartCycle)):
        cycle = parse_cycle(timer.value, deployed_at)
        upcoming = cycle.first_after(deployed_at)
        if upcoming is None:
            return None
        total = upcoming[0] + index
        if cycle.repetitions is not None and total >= cycle.repetitions:
            return None
        return cycle.occurrence(total)
    if index > 0:
        return None
    if issubclass(timer.kind, DurationTimerEventDefinition):
        return add(deployed_at, parse_duration(timer.value))
    return parse_instant(timer.value)


def next_occurrence(timer: StartTimer, deployed_at: datetime, after: datetime) -> tuple[int, datetime] | None:
    """The first occurrence strictly after `after` and its index counted from the deployment; None: no more."""
    if issubclass(timer.kind, (CycleTimerEventDefinition, StepStartCycle)):
        cycle = parse_cycle(timer.value, deployed_at)
        first, upcoming = cycle.first_after(deployed_at), cycle.first_after(after)
        if first is None or upcoming is None:
            return None
        return upcoming[0] - first[0], upcoming[1]
    due = occurrence(timer, deployed_at, 0)
    return (0, due) if due is not None and due > after else None


class TimerStarts:
    def __init__(self, db: Database, definitions: DefinitionService, clock: Clock):
        self.db = db
        self.definitions = definitions
        self.clock = clock
        self._seen: dict[str, int | None] = {}

    def schedule(self) -> None:
        """Keep one `start` job per process whose newest version has a timer start event."""
        with self.db.unit_of_work(write=False) as session:
            latest = startable_ids(session)  # retired processes and versions start nothing
            scheduled = set(session.scalars(select(JOBS.c.process_key).where(JOBS.c.kind == "start")))
        changed: dict[str, int | None] = {key: def_id for key, def_id in latest.items() if self._seen.get(key) != def_id}
        gone = scheduled | {key for key, def_id in self._seen.items() if def_id is not None}
        changed.update({key: None for key in gone - set(latest)})
        for key, definition_id in changed.items():
            try:
                self._schedule(key, definition_id)
            except (InvalidInput, DefinitionUnloadable) as exc:
                # One process that cannot be scheduled must not stop the timers of every other one.
                log.error("process %s: %s", key, exc)
            self._seen[key] = definition_id

    def _schedule(self, key: str, definition_id: int | None) -> None:
        """Point the process's `start` job at its startable version. A retired process keeps its job
        paused (status `retired`); brought back, it resumes at the next occurrence, so the weeks it
        was retired start nothing. Falling back to an older version (the newer one retired) also
        starts from now, never replaying that version's past occurrences."""
        timer = None if definition_id is None else start_timer(self.definitions.load(definition_id).spec)
        now = self.clock.now()
        with self.db.transaction() as conn:
            existing = conn.execute(select(JOBS.c.id, JOBS.c.definition_id, JOBS.c.status)
                                    .where(JOBS.c.kind == "start", JOBS.c.process_key == key)).first()
            if definition_id is None:
                if existing is not None and existing.status != RETIRED:
                    conn.execute(update(JOBS).where(JOBS.c.id == existing.id).values(
                        status=RETIRED, lease_owner=None, lease_expires_at=None))
                return
            if existing is not None and existing.definition_id == definition_id and existing.status != RETIRED:
                return
            resume = existing is not None and (existing.status == RETIRED or (existing.definition_id or 0) > definition_id)
            if existing is not None:
                conn.execute(delete(JOBS).where(JOBS.c.id == existing.id))
            if timer is None:
                return
            deployed_at = conn.execute(select(DEFINITIONS.c.deployed_at).where(DEFINITIONS.c.id == definition_id)
                                       ).scalar_one()
            if resume:
                upcoming = next_occurrence(timer, deployed_at, now)
            else:
                # A version whose last occurrence started its instance has no job left: another worker (or this
                # one restarted) must not start its occurrences again, so count what the timer already started.
                started = conn.execute(select(func.count()).select_from(INSTANCES).where(
                    INSTANCES.c.definition_id == definition_id, INSTANCES.c.started_by == TIMER_ACTOR)).scalar_one()
                upcoming = (started, occurrence(timer, deployed_at, started))
            if upcoming is not None and upcoming[1] is not None:
                conn.execute(insert(JOBS).values(
                    kind="start", status="pending", process_key=key, definition_id=definition_id,
                    element=timer.element, due_at=upcoming[1], attempts=0,
                    payload=json.dumps({"index": upcoming[0]}), created_at=now))

    def run(self, job: ClaimedJob, worker: str, runtime: "Runtime", jobs_on: Callable[[Connection], JobStore]) -> int:
        """Start the instance for this occurrence and move the job to the next one, in one transaction."""
        definition = self.definitions.load(job.definition_id or 0)
        timer = start_timer(definition.spec)
        with self.db.transaction() as conn:
            jobs = jobs_on(conn)
            if jobs.hold(job.id, worker) is None:
                return 0
            step = runtime.new_instance_step(conn, definition, TIMER_ACTOR)
            step.record(INPUT, "instance_started", {"process": definition.key, "version": definition.version,
                                                    "data": {}, "timer": job.element}, actor=TIMER_ACTOR)
            step.start({})
            waiting = [t for t in step.workflow.get_tasks() if t.task_spec.bpmn_id == job.element
                       and step.waiting_task(str(t.id)) is not None]
            if waiting:
                step.fire_timer(waiting[0], isoformat(job.due_at), worker)
            step.finish(is_new=True)
            index = json.loads(job.payload).get("index", 0) + 1
            deployed_at = conn.execute(select(DEFINITIONS.c.deployed_at)
                                       .where(DEFINITIONS.c.id == definition.id)).scalar_one()
            due = occurrence(timer, deployed_at, index) if timer is not None else None
            if due is None:
                jobs.delete(job.id)
            else:
                conn.execute(update(JOBS).where(JOBS.c.id == job.id).values(
                    due_at=due, payload=json.dumps({"index": index}), lease_owner=None, lease_expires_at=None,
                    attempts=0, last_error=None))
        runtime.committed(step)
        return 1
