"""Core-level reads and writes of the step's hot path: a handful of statements per step.

The ORM's unit of work costs several times more than SpiffWorkflow itself on a
short step, so the instance row, the inbox rows and the event rows are handled
with SQLAlchemy Core statements here, built once and run straight on the driver
(engine.runtime.prepared); everything else uses the ORM models.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from datetime import datetime
from typing import Any, Iterable, cast

from sqlalchemy import (LABEL_STYLE_TABLENAME_PLUS_COL, ColumnElement, Connection, Integer, String, Table,
                        and_, bindparam, case, delete, insert, null, select, update)

from engine.definitions.lifecycle import STARTABLE_DEFINITION, retired_reason
from engine.errors import Conflict, N_
from engine.runtime import summary
from engine.runtime.prepared import Prepared, Savepoint
from engine.models import (Group, HumanTask, InstanceEvent, Membership, ProcessDefinition, ProcessInstance, User,
                           UTCDateTime)

INSTANCES = cast(Table, ProcessInstance.__table__)
HUMAN_TASKS = cast(Table, HumanTask.__table__)
EVENTS = cast(Table, InstanceEvent.__table__)
DEFINITIONS = cast(Table, ProcessDefinition.__table__)
USERS, GROUPS, MEMBERSHIPS = (cast(Table, m.__table__) for m in (User, Group, Membership))


@dataclass
class InstanceRecord:
    id: str
    definition_id: int
    status: str
    business_key: str | None
    started_by: str
    state: str | None  # None: not read, the step's workflow is warm (InstanceStore.lock_task)
    event_seq: int
    event_head: str
    lock_version: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class TaskView:
    """A ready user task as the inbox shows it: one `human_task` row."""

    id: str
    instance_id: str
    process_key: str
    task_spec: str
    title: str
    candidate_group: str | None
    assignee: str | None
    form_file: str | None
    ui_form_file: str | None
    created_at: datetime
    due_at: datetime | None = None
    instructions: str | None = None  # Markdown from the task's own data when it became ready, if it rendered
    definition_id: int | None = None  # the instance's version when this row was projected
    form_definition_id: int | None = None  # the version holding its forms (a late-bound call's own)

    def forms_version(self, instance_version: int) -> int:
        """The definition id whose forms this task shows and checks (its instance's when none was kept)."""
        return self.form_definition_id if self.form_definition_id is not None else instance_version


# Built once: constructing and cache-keying a statement costs more than running it on a short step.
_SELECT_INSTANCE = select(INSTANCES).where(INSTANCES.c.id == bindparam("b_id"))
_LOCK_INSTANCE = _SELECT_INSTANCE.with_for_update()
_SELECT_TASK = Prepared(select(HUMAN_TASKS).where(HUMAN_TASKS.c.id == bindparam("b_id")))
_INSTANCE_READS = {True: Prepared(_LOCK_INSTANCE), False: Prepared(_SELECT_INSTANCE)}  # by lock_rows
_ACTOR = select(USERS.c.id).where(USERS.c.username == bindparam("b_actor"), USERS.c.active.is_(True))
_ACTOR_IN_TASK_GROUP = (
    _ACTOR.join(MEMBERSHIPS, MEMBERSHIPS.c.user_id == USERS.c.id)
    .join(GROUPS, GROUPS.c.id == MEMBERSHIPS.c.group_id)
    .where(GROUPS.c.name == HUMAN_TASKS.c.candidate_group)
)
# The stored state, unless the caller holds the instance warm at the row's version (`b_warm`): a warm step
# never reads it, and a state can be far larger than everything else the step reads.
_STATE_UNLESS_WARM = case((INSTANCES.c.lock_version == bindparam("b_warm", type_=Integer()), null()),
                          else_=INSTANCES.c.state).label(f"{INSTANCES.name}_state")
# A step that asked (`b_warm` given) and is not warm also gets the instance's summary: it would read it next.
_COLD = and_(bindparam("b_warm", type_=Integer()).is_not(None),
             INSTANCES.c.lock_version != bindparam("b_warm", type_=Integer()))
_SUMMARY_IF_COLD = [case((_COLD, column), else_=null()).label(f"cold_summary_{column.name}")
                    for column in (summary.SUMMARIES.c.data, summary.SUMMARIES.c.completed)]
NOT_WARM = -1  # a `warm_version` no row has: the caller holds nothing warm
_SELECT_STATE = Prepared(select(INSTANCES.c.state).where(INSTANCES.c.id == bindparam("b_id")))
# What an absence policy's SQL condition is asked about (`task_reads`): the actor, at the step's moment.
ACTOR_PARAM = bindparam("b_actor", type_=String())
NOW_PARAM = bindparam("b_now", type_=UTCDateTime())


def task_reads(actor_absent: ColumnElement[bool] | None = None) -> tuple[Prepared, Prepared]:
    """The task, its instance and the actor's standing in one round trip: the hot path's first read, plain
    and locked. `actor_absent` (over `ACTOR_PARAM` and `NOW_PARAM`) joins the standing as `actor_absent`.

    Locked, both rows are (the instance first: every writer takes the instance before its inbox rows): after
    waiting for another step, PostgreSQL hands back the task row as that step left it, or no row if it
    removed the task, so no second read is needed to see whether the task is still there."""
    standing = [_ACTOR.exists().label("actor_known"), _ACTOR_IN_TASK_GROUP.exists().label("actor_in_group")]
    if actor_absent is not None:
        standing.append(actor_absent.label("actor_absent"))
    instance = [column for column in INSTANCES.c if column.name != "state"] + [_STATE_UNLESS_WARM]
    plain = (select(HUMAN_TASKS, *instance, *_SUMMARY_IF_COLD, *standing)
             .join(INSTANCES, INSTANCES.c.id == HUMAN_TASKS.c.instance_id)
             .outerjoin(summary.SUMMARIES, summary.SUMMARIES.c.instance_id == INSTANCES.c.id)
             .where(HUMAN_TASKS.c.id == bindparam("b_id"))
             .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL))
    return Prepared(plain), Prepared(plain.with_for_update(of=[INSTANCES, HUMAN_TASKS]))


_TASK_READS = task_reads()
_SELECT_INBOX = Prepared(select(HUMAN_TASKS).where(HUMAN_TASKS.c.instance_id == bindparam("b_id"))
                         .order_by(HUMAN_TASKS.c.created_at))
# A step changes these; naming only them keeps SQLite from rewriting the other columns' indexes.
_PROGRESS = ["state", "event_seq", "event_head", "updated_at"]
_OUTCOME = _PROGRESS + ["status", "business_key", "completed_at"]


def _save_statement(columns: list[str]) -> Any:
    return (
        update(INSTANCES)
        .where(INSTANCES.c.id == bindparam("b_id"), INSTANCES.c.lock_version == bindparam("b_expected"))
        .values({**{name: bindparam(name) for name in columns}, "lock_version": bindparam("b_next")})
    )


_SAVES = {False: Prepared(_save_statement(_PROGRESS)), True: Prepared(_save_statement(_OUTCOME))}
_SET_ASSIGNEE = Prepared(update(HUMAN_TASKS).where(HUMAN_TASKS.c.id == bindparam("b_id"))
                         .values(assignee=bindparam("b_who")))
_DELETE_TASK = Prepared(delete(HUMAN_TASKS).where(HUMAN_TASKS.c.id == bindparam("b_id")))
_INSERT_INSTANCE = Prepared(insert(INSTANCES))  # every column given
_INSERT_TASK = Prepared(insert(HUMAN_TASKS))
EVENT_COLUMNS = [c for c in EVENTS.c if c.name != "id"]  # the id is the database's
INSERT_EVENTS = Prepared(insert(EVENTS).values({c.name: bindparam(c.name) for c in EVENT_COLUMNS}))
_REPIN = Prepared(update(INSTANCES).where(INSTANCES.c.id == bindparam("b_id"))
                  .values(definition_id=bindparam("b_definition")))
_DEFINITION_VERSION = Prepared(select(DEFINITIONS.c.id).where(DEFINITIONS.c.key == bindparam("b_key"),
                                                             DEFINITIONS.c.version == bindparam("b_version")))
_STARTABLE = Prepared(STARTABLE_DEFINITION)
_TASK_SEEN = Prepared(select(EVENTS.c.id).where(EVENTS.c.task_id == bindparam("b_id")).limit(1))


@dataclass
class LockedTask:
    task: TaskView
    instance: InstanceRecord
    actor_known: bool
    actor_in_group: bool
    actor_absent: bool = False  # only when the store's task reads ask an absence policy
    # The instance's stored summary, read with it when the caller asked about a warm version it does not hold.
    known_summary: summary.KnownSummary | None = None


@cache
def _keys(cls: Any, prefix: str = "") -> tuple[tuple[str, str], ...]:
    """(field, column key) pairs of a record class: dataclasses.fields() walks the class on every call."""
    return tuple((f.name, prefix + f.name) for f in fields(cls))


def _record(cls: Any, mapping: Any, prefix: str = "") -> Any:
    return cls(**{name: mapping[key] for name, key in _keys(cls, prefix)})


def task_view(row: Any) -> TaskView:
    """A TaskView from a SQLAlchemy row of human_task."""
    return _record(TaskView, row._mapping)


def _values(record: Any) -> dict[str, Any]:
    # Shallow on purpose: dataclasses.asdict deep-copies, and these fields are flat.
    return {name: getattr(record, name) for name, _ in _keys(type(record))}


class InstanceStore:
    """Statements on one connection inside the caller's transaction."""

    def __init__(self, conn: Connection, lock_rows: bool,
                 reads: tuple[Prepared, Prepared] = _TASK_READS):
        self.conn = conn
        self.lock_rows = lock_rows  # SELECT … FOR UPDATE on PostgreSQL; SQLite locks at BEGIN IMMEDIATE
        self.task_reads = reads  # `task_reads()`, with the runtime's absence condition

    def savepoint(self) -> Savepoint:
        """Around a handler that may be retried: its own writes go if it fails."""
        return Savepoint(self.conn)

    def lock_instance(self, instance_id: str) -> InstanceRecord | None:
        row = _INSTANCE_READS[self.lock_rows].first(self.conn, {"b_id": instance_id})
        return None if row is None else _record(InstanceRecord, row)

    def lock_task(self, task_id: str, actor: str, now: datetime | None = None,
                  warm_version: int | None = None) -> LockedTask | None:
        """A task and its instance in one statement, the instance row locked, with the actor's standing
        (whether they are away at `now`, if the store's reads ask). The instance's `state` is None when the
        row is at `warm_version` (the caller holds that state in memory; `instance_state` reads it); given
        another `warm_version` (NOT_WARM: none held), the instance's stored summary comes along."""
        query = self.task_reads[1] if self.lock_rows else self.task_reads[0]
        row = query.first(self.conn, {"b_id": task_id, "b_actor": actor, "b_now": now, "b_warm": warm_version})
        if row is None:
            return None
        instance = _record(InstanceRecord, row, f"{INSTANCES.name}_")
        cold = warm_version is not None and instance.lock_version != warm_version
        known = summary.stored_summary(row["cold_summary_data"], row["cold_summary_completed"]) if cold else None
        return LockedTask(_record(TaskView, row, f"{HUMAN_TASKS.name}_"), instance,
                          bool(row["actor_known"]), bool(row["actor_in_group"]), bool(row.get("actor_absent", False)),
                          known)

    def instance_state(self, instance_id: str) -> str:
        """The stored state of an instance whose row this transaction holds."""
        return _SELECT_STATE.scalar(self.conn, {"b_id": instance_id})

    def human_task(self, task_id: str) -> TaskView | None:
        row = _SELECT_TASK.first(self.conn, {"b_id": task_id})
        return None if row is None else _record(TaskView, row)

    def human_tasks(self, instance_id: str) -> dict[str, TaskView]:
        return {row["id"]: _record(TaskView, row) for row in _SELECT_INBOX.all(self.conn, {"b_id": instance_id})}

    def insert_instance(self, record: InstanceRecord) -> None:
        _INSERT_INSTANCE.run(self.conn, _values(record))

    def save_instance(self, record: InstanceRecord, outcome_changed: bool = False) -> None:
        """Write the instance back; the version column turns any lost update into a Conflict.
        `outcome_changed`: the status, business key or completion time moved too."""
        params = {name: getattr(record, name) for name in (_OUTCOME if outcome_changed else _PROGRESS)}
        params.update(b_id=record.id, b_expected=record.lock_version, b_next=record.lock_version + 1)
        if _SAVES[outcome_changed].run(self.conn, params) != 1:
            raise Conflict(N_("instance %(instance)s was changed by someone else; reload and try again"),
                           instance=record.id)
        record.lock_version += 1

    def repin_definition(self, instance_id: str, definition_id: int) -> None:
        """A migrated instance pins another version (in the same transaction as its saved state)."""
        _REPIN.run(self.conn, {"b_id": instance_id, "b_definition": definition_id})

    def set_assignee(self, task_id: str, assignee: str | None) -> None:
        _SET_ASSIGNEE.run(self.conn, {"b_id": task_id, "b_who": assignee})

    def delete_human_tasks(self, task_ids: Iterable[str]) -> None:
        _DELETE_TASK.run_many(self.conn, [{"b_id": task_id} for task_id in task_ids])

    def insert_human_tasks(self, records: list[TaskView]) -> None:
        _INSERT_TASK.run_many(self.conn, [_values(r) for r in records])

    def insert_events(self, rows: list[dict[str, Any]],
                      known: summary.KnownSummary | None = None) -> summary.KnownSummary | None:
        """Append event rows and fold them into the instance's projections; `known`: the instance's
        summary as stored before them, if the caller knows it (see summary.project). Returns it after."""
        if not rows:
            return known
        INSERT_EVENTS.run_many(self.conn, rows)
        return summary.project(self.conn, rows, known)

    def latest_definition_id(self, key: str) -> int | None:
        """The version new instances start from: the newest executable one not retired."""
        return _STARTABLE.scalar(self.conn, {"b_key": key})

    def retired_reason(self, key: str) -> str | None:
        """Why a retired process takes no new instance (a late-bound call to it), or None."""
        return retired_reason(self.conn, key)

    def definition_id(self, key: str, version: int) -> int | None:
        """The stored version `version` of process `key` (a call activity bound to a fixed version)."""
        return _DEFINITION_VERSION.scalar(self.conn, {"b_key": key, "b_version": version})

    def task_was_seen(self, task_id: str) -> bool:
        return _TASK_SEEN.first(self.conn, {"b_id": task_id}) is not None
