"""Progress tracking (R-2.2.3): open cases by stage with overdue flags, and the periodic report's figures."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import distinct, func, select

from engine.definitions.service import LoadedDefinition
from engine.runtime.store import HUMAN_TASKS, TaskView, task_view
from engine.models import InstanceEvent, ProcessDefinition, ProcessInstance
from engine.persistence import Database
from engine.definitions.specinfo import element_info

LoadDefinition = Callable[[int], LoadedDefinition]


@dataclass(frozen=True)
class OpenCase:
    """One waiting task of a running case, placed in its stage (the called process that holds it)."""

    instance_id: str
    business_key: str | None
    process_key: str
    stage_key: str
    stage_name: str
    task: TaskView
    due_at: datetime | None
    overdue: bool


@dataclass
class StageFigures:
    key: str
    name: str
    open_cases: int = 0
    overdue: int = 0
    done_tasks: int = 0
    dated_done: int = 0
    on_time: int = 0
    durations: list[timedelta] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.dated_done if self.dated_done else None

    @property
    def mean_duration(self) -> timedelta | None:
        return sum(self.durations, timedelta()) / len(self.durations) if self.durations else None


@dataclass(frozen=True)
class Report:
    stages: list[StageFigures]
    open_cases: int
    overdue: int
    dated_done: int
    on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.dated_done if self.dated_done else None


@dataclass(frozen=True)
class StageLoad:
    """How many tasks wait in one stage, and how many of them are overdue."""

    key: str
    name: str
    waiting: int
    overdue: int


@dataclass(frozen=True)
class Workload:
    stages: list[StageLoad]
    waiting: int
    open_cases: int
    overdue: int


class ProgressService:
    def __init__(self, db: Database, load_definition: LoadDefinition):
        self.db = db
        self.load_definition = load_definition

    def open_cases(self, now: datetime, limit: int | None = None) -> list[OpenCase]:
        """Waiting user tasks of running cases, overdue first (most overdue on top), then by due date,
        undated last, the longest waiting first; the first `limit` of them, or all."""
        ht = HUMAN_TASKS.c
        query = (select(HUMAN_TASKS, ProcessInstance.business_key, ProcessInstance.definition_id)
                 .join(ProcessInstance, ProcessInstance.id == ht.instance_id)
                 .where(ProcessInstance.status == "running")
                 .order_by(ht.due_at.asc().nulls_last(), ht.created_at, ht.instance_id))
        if limit is not None:
            query = query.limit(limit)
        with self.db.unit_of_work(write=False) as session:
            rows = session.execute(query).all()
        cases = []
        for row in rows:
            task = task_view(row)
            info = element_info(self.load_definition(row.definition_id), task.task_spec)
            due_at = task.due_at
            cases.append(OpenCase(task.instance_id, row.business_key, task.process_key, info.process_key,
                                  info.process_name, task, due_at, due_at is not None and due_at < now))
        return cases

    def workload(self, now: datetime) -> Workload:
        """Waiting and overdue tasks per stage, counted by the database (one row per element, not per task);
        open cases are the running ones (some wait for a timer or a message, not for a person)."""
        ht = HUMAN_TASKS.c
        late = ht.due_at < now
        # Only running instances have rows here: a finished, cancelled or failed one's are removed.
        with self.db.unit_of_work(write=False) as session:
            rows = session.execute(select(ht.definition_id, ht.task_spec, func.count(), func.count().filter(late))
                                   .group_by(ht.definition_id, ht.task_spec)).all()
            cases, overdue_cases = session.execute(select(
                select(func.count()).where(ProcessInstance.status == "running").scalar_subquery(),
                select(func.count(distinct(ht.instance_id))).where(late).scalar_subquery())).one()
        stages: dict[str, list[int]] = {}
        names: dict[str, str] = {}
        for definition_id, task_spec, waiting, overdue_here in rows:
            info = element_info(self.load_definition(definition_id), task_spec)
            names[info.process_key] = info.process_name
            counts = stages.setdefault(info.process_key, [0, 0])
            counts[0] += waiting
            counts[1] += overdue_here
        loads = sorted((StageLoad(key, names[key], w, o) for key, (w, o) in stages.items()),
                       key=lambda s: (-s.overdue, -s.waiting, s.key))
        return Workload(loads, sum(s.waiting for s in loads), cases, overdue_cases)

    def report(self, now: datetime, since: datetime | None = None) -> Report:
        """Cases per stage, on-time rate of finished tasks that had a due date, mean time per stage
        (first task ready to last task done, for stages a case has left)."""
        stages: dict[str, StageFigures] = {}

        def stage(key: str, name: str) -> StageFigures:
            return stages.setdefault(key, StageFigures(key, name))

        cases = self.open_cases(now)
        open_stage_of: set[tuple[str, str]] = set()
        counted: set[tuple[str, str]] = set()
        for case in cases:
            figures = stage(case.stage_key, case.stage_name)
            open_stage_of.add((case.instance_id, case.stage_key))
            if (case.instance_id, case.stage_key) not in counted:
                counted.add((case.instance_id, case.stage_key))
                figures.open_cases += 1
            figures.overdue += case.overdue
        spans: dict[tuple[str, str], list[datetime]] = defaultdict(list)
        for instance_id, definition_id, ready, done in self._finished_tasks(since):
            info = element_info(self.load_definition(definition_id), ready.task_spec or "")
            figures = stage(info.process_key, info.process_name)
            figures.done_tasks += 1
            due = json.loads(ready.payload).get("due_at")
            if due:
                figures.dated_done += 1
                figures.on_time += done.at <= datetime.fromisoformat(due)
            spans[(instance_id, info.process_key)] += [ready.at, done.at]
        for (instance_id, key), times in spans.items():
            if (instance_id, key) not in open_stage_of:
                stages[key].durations.append(max(times) - min(times))
        ordered = sorted(stages.values(), key=lambda s: (-s.open_cases, s.name))
        return Report(ordered, len({c.instance_id for c in cases}), len({c.instance_id for c in cases if c.overdue}),
                      sum(s.dated_done for s in ordered), sum(s.on_time for s in ordered))

    def _finished_tasks(self, since: datetime | None) -> list[tuple[str, int, InstanceEvent, InstanceEvent]]:
        """(instance, definition, task_ready event, task_done event) of every finished user task."""
        with self.db.unit_of_work(write=False) as session:
            query = (select(InstanceEvent, ProcessInstance.definition_id)
                     .join(ProcessInstance, ProcessInstance.id == InstanceEvent.instance_id)
                     .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                     .where(InstanceEvent.type.in_(("task_ready", "task_done")))
                     .order_by(InstanceEvent.instance_id, InstanceEvent.seq))
            if since is not None:
                query = query.where(InstanceEvent.at >= since)
            rows = session.execute(query).all()
        ready: dict[str, InstanceEvent] = {}
        finished = []
        for event, definition_id in rows:
            if event.task_id is None:
                continue
            if event.type == "task_ready":
                ready[event.task_id] = event
            elif event.task_id in ready:
                finished.append((event.instance_id, definition_id, ready.pop(event.task_id), event))
        return finished
