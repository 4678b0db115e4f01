"""One instance or one task, read in one to three built-once statements: what every API call on a case reads
first (the instance's page and answer, the task being completed), kept apart from the pages' list queries."""
from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from engine.access import InstanceFacts
from engine.errors import Conflict, N_, NotFound
from engine.models import InstanceEvent
from engine.runtime.prepared import Prepared
from engine.runtime.references import REFERENCES
from engine.runtime.store import DEFINITIONS, HUMAN_TASKS, INSTANCES, TaskView, task_view
from engine.runtime.summary import PARTICIPANTS, SUMMARIES


@dataclass(frozen=True)
class InstanceRow:
    id: str
    process_key: str
    process_name: str
    version: int
    status: str
    business_key: str | None
    started_by: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    # The readable reference (`C-20261130-0007`) pages name the case by until it has a case number; None for an
    # instance started before references existed. Read in the same statement as the row.
    reference: str | None = None


@dataclass(frozen=True)
class InstanceDetail:
    """One instance as its pages show it, read from projections: nothing here grows with its history."""

    row: InstanceRow
    definition_id: int
    facts: InstanceFacts
    ready: list[TaskView]
    data: dict[str, Any]
    completed_counts: dict[str, int]
    event_count: int

    @property
    def completed_elements(self) -> list[str]:
        return sorted(self.completed_counts)

    @property
    def active_elements(self) -> list[str]:
        return sorted({t.task_spec for t in self.ready})


# Built once, as the step's statements are: every API completion reads one instance, and building and
# cache-keying a statement costs more than running it; the two every API call on a case sends are
# `Prepared` (run on the driver's cursor, without SQLAlchemy's per-execution set-up: about half the CPU).
# The row leaves out `state` (the serialized workflow).
_DETAIL_FROM = (INSTANCES.join(DEFINITIONS, DEFINITIONS.c.id == INSTANCES.c.definition_id)
                .outerjoin(SUMMARIES, SUMMARIES.c.instance_id == INSTANCES.c.id)
                .outerjoin(REFERENCES, REFERENCES.c.instance_id == INSTANCES.c.id))
_DETAIL_COLUMNS = (INSTANCES.c.id, INSTANCES.c.definition_id, INSTANCES.c.status, INSTANCES.c.business_key,
                   INSTANCES.c.started_by, INSTANCES.c.created_at, INSTANCES.c.updated_at, INSTANCES.c.completed_at,
                   INSTANCES.c.event_seq, DEFINITIONS.c.key, DEFINITIONS.c.name, DEFINITIONS.c.version,
                   SUMMARIES.c.data, SUMMARIES.c.completed, REFERENCES.c.reference)
_INSTANCE_DETAIL = Prepared(select(*_DETAIL_COLUMNS).select_from(_DETAIL_FROM)
                            .where(INSTANCES.c.id == bindparam("b_id")))
_READY_TASKS = (select(HUMAN_TASKS).where(HUMAN_TASKS.c.instance_id == bindparam("b_id"))
                .order_by(HUMAN_TASKS.c.created_at, HUMAN_TASKS.c.id))
_PARTICIPANTS = select(PARTICIPANTS.c.username).where(PARTICIPANTS.c.instance_id == bindparam("b_id"))
_TASK = select(HUMAN_TASKS).where(HUMAN_TASKS.c.id == bindparam("b_id"))
_TASK_SEEN = select(InstanceEvent.id).where(InstanceEvent.task_id == bindparam("b_id")).limit(1)


def _connection(session: Session | Connection) -> Connection:
    return session.connection() if isinstance(session, Session) else session


def instance_detail(session: Session | Connection, instance_id: str) -> InstanceDetail:
    found = _INSTANCE_DETAIL.first(_connection(session), {"b_id": instance_id})
    if found is None:
        raise NotFound(N_("no instance %(instance)s"), instance=instance_id)
    return _detail(session, found)


def _detail(session: Session | Connection, found: dict[str, Any]) -> InstanceDetail:
    """The instance of a `_DETAIL_COLUMNS` row with its ready tasks and participants (two more statements)."""
    instance_id = found["id"]
    ready = [task_view(t) for t in session.execute(_READY_TASKS, {"b_id": instance_id})]
    actors = session.execute(_PARTICIPANTS, {"b_id": instance_id}).scalars().all()
    row = _detail_row(found)
    data, completed = found["data"], found["completed"]
    facts = InstanceFacts(
        started_by=row.started_by,
        actors=frozenset(actors),
        # A task in someone's hands waits for them, not for their group: colleagues do not read a case
        # (a leave request, a career plan) because it sits in a person's inbox (R-3.1 confidentiality).
        ready_groups=frozenset(t.candidate_group for t in ready if t.assignee is None),
        ready_assignees=frozenset(t.assignee for t in ready if t.assignee),
    )
    return InstanceDetail(row, found["definition_id"], facts, ready,
                          json.loads(data) if data else {}, json.loads(completed) if completed else {},
                          found["event_seq"])


@dataclass(frozen=True)
class InstanceOutline:
    """An instance's row, data and event count: what an API answer shows of it besides its ready tasks."""

    row: InstanceRow
    data: dict[str, Any]
    event_count: int


def instance_outline(conn: Session | Connection, instance_id: str) -> InstanceOutline:
    """One statement (no ready tasks, no participants)."""
    found = _INSTANCE_DETAIL.first(_connection(conn), {"b_id": instance_id})
    if found is None:
        raise NotFound(N_("no instance %(instance)s"), instance=instance_id)
    data = found["data"]
    return InstanceOutline(_detail_row(found), json.loads(data) if data else {}, found["event_seq"])


def _detail_row(found: dict[str, Any]) -> InstanceRow:
    return InstanceRow(found["id"], found["key"], found["name"] or found["key"], found["version"], found["status"],
                       found["business_key"], found["started_by"], found["created_at"], found["updated_at"],
                       found["completed_at"], found["reference"])


@dataclass(frozen=True)
class TaskAtHand:
    """A ready task with what completing it checks first, read in one statement: its instance's version
    and data, and what the task alone tells of who may see the instance. `facts` hold only the starter
    and this task, a part of the instance's facts: whoever `may_see_instance` on them may on all of them
    (more participants and ready tasks only let more people see); a refusal on them means read them all."""

    task: TaskView
    definition_id: int
    data: dict[str, Any]
    facts: InstanceFacts


_TASK_AT_HAND = Prepared(
    select(HUMAN_TASKS, INSTANCES.c.definition_id.label("at_hand_definition_id"),
           INSTANCES.c.started_by.label("at_hand_started_by"), SUMMARIES.c.data.label("at_hand_data"))
    .select_from(HUMAN_TASKS.join(INSTANCES, INSTANCES.c.id == HUMAN_TASKS.c.instance_id)
                 .outerjoin(SUMMARIES, SUMMARIES.c.instance_id == INSTANCES.c.id))
    .where(HUMAN_TASKS.c.id == bindparam("b_id")))
_TASK_FIELDS = tuple(f.name for f in fields(TaskView))


def task_at_hand(conn: Session | Connection, task_id: str) -> TaskAtHand:
    """Conflict when the task was ready once and no longer is, NotFound when it never was."""
    found = _TASK_AT_HAND.first(_connection(conn), {"b_id": task_id})
    if found is None:
        raise _missing_task(conn, task_id)
    task = TaskView(**{name: found[name] for name in _TASK_FIELDS})
    facts = InstanceFacts(started_by=found["at_hand_started_by"],
                          ready_groups=frozenset({task.candidate_group}) if task.assignee is None else frozenset(),
                          ready_assignees=frozenset({task.assignee}) if task.assignee else frozenset())
    data = found["at_hand_data"]
    return TaskAtHand(task, found["at_hand_definition_id"], json.loads(data) if data else {}, facts)


def ready_task(conn: Session | Connection, task_id: str) -> TaskView:
    """A ready user task; Conflict when it was ready once and no longer is, NotFound when it never was."""
    row = conn.execute(_TASK, {"b_id": task_id}).first()
    if row is not None:
        return task_view(row)
    raise _missing_task(conn, task_id)


def _missing_task(conn: Session | Connection, task_id: str) -> Exception:
    if conn.execute(_TASK_SEEN, {"b_id": task_id}).first() is not None:
        return Conflict(N_("task %(task)s is no longer ready"), task=task_id)
    return NotFound(N_("no task %(task)s"), task=task_id)
