"""What a step writes at its end (instance row, inbox rows, events, projections), in one statement on PostgreSQL.

Each statement is a round trip to a PostgreSQL server, and a clerk waits for every one of them. The
instance update, the inbox rows that go and come, the appended events, new participants and the summary
are independent rows of one transaction, so PostgreSQL takes them as data-modifying CTEs of a single
statement; the instance update (or insert) is the main statement and returns the row, so a lost
update is still a Conflict. SQLite (no DML in WITH, and no network between) and the in-memory store
write them one by one through the store's own methods.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.dialects import postgresql

from engine.errors import Conflict
from engine.runtime import summary
from engine.runtime.store import _OUTCOME, _PROGRESS, EVENTS, HUMAN_TASKS, INSTANCES, InstanceRecord, InstanceStore, \
    TaskView, _values
from engine.runtime.summary import KnownSummary


@dataclass
class StepWrite:
    record: InstanceRecord
    is_new: bool
    outcome_changed: bool = False  # status, business key or completion time moved
    gone: list[str] = field(default_factory=list)  # inbox rows to remove
    new: list[TaskView] = field(default_factory=list)  # inbox rows to add
    events: list[dict[str, Any]] = field(default_factory=list)
    known: KnownSummary | None = None  # the instance's stored summary before the events, if known


def write_step(store: InstanceStore, write: StepWrite) -> KnownSummary | None:
    """Store the step's end; returns the instance's summary as stored after it, when known."""
    if store.lock_rows and not set(write.gone) & {task.id for task in write.new}:
        return _in_one_statement(store, write)
    # Row by row; also on PostgreSQL when a row is removed and added again (a migration re-derives the
    # inbox): the parts of one statement see the same snapshot, so the insert would find the old row.
    if write.is_new:
        store.insert_instance(write.record)
    else:
        store.save_instance(write.record, outcome_changed=write.outcome_changed)
    store.delete_human_tasks(write.gone)
    store.insert_human_tasks(write.new)
    return store.insert_events(write.events, write.known)


_SUMMARY = postgresql.insert(summary.SUMMARIES)
_WRITE_SUMMARY = _SUMMARY.on_conflict_do_update(index_elements=[summary.SUMMARIES.c.instance_id],
                                                set_={"data": _SUMMARY.excluded.data,
                                                      "completed": _SUMMARY.excluded.completed})


def _in_one_statement(store: InstanceStore, write: StepWrite) -> KnownSummary | None:
    record = write.record
    projections = summary.projection_writes(store.conn, write.events, write.known)  # reads only when not known
    parts = []
    if write.gone:
        parts.append(delete(HUMAN_TASKS).where(HUMAN_TASKS.c.id.in_(write.gone)).cte("gone"))
    if write.new:
        parts.append(insert(HUMAN_TASKS).values([_values(task) for task in write.new]).cte("came"))
    if write.events:
        parts.append(insert(EVENTS).values(write.events).cte("appended"))
    if projections.participants:
        parts.append(postgresql.insert(summary.PARTICIPANTS).values(projections.participants)
                     .on_conflict_do_nothing().cte("took_part"))
    for i, values in enumerate(projections.summaries):
        parts.append(_WRITE_SUMMARY.values(values).cte(f"summed_{i}"))
    if write.is_new:
        main: Any = insert(INSTANCES).values(_values(record)).returning(INSTANCES.c.lock_version)
    else:
        columns = _OUTCOME if write.outcome_changed else _PROGRESS
        main = (update(INSTANCES)
                .where(INSTANCES.c.id == record.id, INSTANCES.c.lock_version == record.lock_version)
                .values({**{name: getattr(record, name) for name in columns}, "lock_version": record.lock_version + 1})
                .returning(INSTANCES.c.lock_version))
    if store.conn.execute(main.add_cte(*parts)).first() is None:
        raise Conflict(f"instance {record.id} was changed by someone else; reload and try again")
    if not write.is_new:
        record.lock_version += 1
    return projections.known
