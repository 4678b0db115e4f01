"""What a step (or a claim) writes at its end (instance row, inbox rows, events, projections), in one statement
on PostgreSQL.

Each statement is a round trip to a PostgreSQL server, and a clerk waits for every one of them. The
instance update, the inbox rows that go and come, the appended events, new participants and the summary
are independent rows of one transaction, so PostgreSQL takes them as data-modifying CTEs of a single
statement; the instance update (or insert) is the main statement and returns the row, so a lost
update is still a Conflict. Rows travel as one JSON array per table (`json_populate_recordset`), so the
statement's text is the same whatever the number of rows: SQLAlchemy compiles it once and psycopg
prepares it on the server.
SQLite (no DML in WITH, and no network between) and the in-memory store write row by row through the
store's own methods.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Table, Text, any_, bindparam, cast, delete, func, insert, literal_column, select, \
    update
from sqlalchemy.dialects import postgresql

from engine.column_limits import refuse_text
from engine.runtime import summary
from engine.runtime.prepared import Prepared
from engine.runtime.store import _OUTCOME, _PROGRESS, EVENT_COLUMNS, EVENTS, HUMAN_TASKS, INSERT_EVENTS, INSTANCES, \
    InstanceRecord, InstanceStore, TaskView, _values
from engine.errors import Conflict, N_
from engine.models import UTCDateTime
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
    assign: tuple[str, str | None] | None = None  # (task id, who holds it now): a claim, unclaim or handover


def write_step(store: InstanceStore, write: StepWrite) -> KnownSummary | None:
    """Store the step's end; returns the instance's summary as stored after it, when known."""
    if store.lock_rows and not set(write.gone) & {task.id for task in write.new}:
        projections = summary.projection_writes(store.conn, write.events, write.known)  # reads only if not known
        if len(projections.summaries) <= 1:
            _in_one_statement(store, write, projections)
            return projections.known
        summary.write_projections(store.conn, projections)  # several instances' rows: never from one step
        return _row_by_row(store, write, with_events=False)
    # Row by row also on PostgreSQL when a row is removed and added again (a migration re-derives the
    # inbox): the parts of one statement see one snapshot, so the insert would still find the old row.
    return _row_by_row(store, write)


def _row_by_row(store: InstanceStore, write: StepWrite, with_events: bool = True) -> KnownSummary | None:
    if write.assign is not None:
        store.set_assignee(*write.assign)
    if write.is_new:
        store.insert_instance(write.record)
    else:
        store.save_instance(write.record, outcome_changed=write.outcome_changed)
    store.delete_human_tasks(write.gone)
    store.insert_human_tasks(write.new)
    if with_events:
        return store.insert_events(write.events, write.known)
    INSERT_EVENTS.run_many(store.conn, write.events)
    return None


# -- the statement ------------------------------------------------------------------------------------

def _from_json(table: Table, columns: list[Column[Any]], param: str) -> Any:
    """INSERT … SELECT from one JSON array of rows: one parameter, however many rows, that the driver
    sends as one string (per-element array encoding costs more than the rows' own JSON)."""
    rows = func.json_populate_recordset(literal_column(f"NULL::{table.name}"),
                                       cast(bindparam(param, type_=Text()), postgresql.JSON)).alias("r")
    return insert(table).from_select([c.name for c in columns],
                                     select(*[literal_column(f"r.{c.name}") for c in columns]).select_from(rows))


def _json_rows(rows: list[dict[str, Any]]) -> str:
    """The rows as one JSON array; keys that are no column of the table are ignored by the database."""
    return _ROWS_JSON.encode(rows)


def _stored(value: Any) -> Any:
    # What UTCDateTime stores: naive UTC. Only moments reach here (the encoder's fallback).
    if isinstance(value, datetime):
        return _UTC.process_bind_param(value, None).isoformat()  # type: ignore[union-attr]
    raise TypeError(f"{type(value).__name__} is no column value")


_UTC = UTCDateTime()
_ROWS_JSON = json.JSONEncoder(ensure_ascii=False, default=_stored)  # one encoder: dumps() builds one per call


_TASK_COLUMNS = list(HUMAN_TASKS.c)
_EVENT_COLUMNS = EVENT_COLUMNS
_GONE = delete(HUMAN_TASKS).where(HUMAN_TASKS.c.id == any_(bindparam("w_gone", type_=postgresql.ARRAY(Text())))) \
    .cte("gone")
_CAME = _from_json(HUMAN_TASKS, _TASK_COLUMNS, "w_tasks").cte("came")
_APPENDED = _from_json(EVENTS, _EVENT_COLUMNS, "w_events").cte("appended")
_TOOK_PART = (postgresql.insert(summary.PARTICIPANTS)
              .from_select(["instance_id", "username"],
                           select(bindparam("w_instance", type_=Text()),
                                  func.unnest(bindparam("w_participants", type_=postgresql.ARRAY(Text())))))
              .on_conflict_do_nothing().cte("took_part"))
# A statement without a claim names no task (NULL matches no row).
_ASSIGNED = update(HUMAN_TASKS).where(HUMAN_TASKS.c.id == bindparam("a_task", type_=Text())) \
    .values(assignee=bindparam("a_who")).cte("assigned")
_SUMMARY_ROW = postgresql.insert(summary.SUMMARIES).values(
    instance_id=bindparam("s_instance"), data=bindparam("s_data"), completed=bindparam("s_completed"))
_SUMMED = _SUMMARY_ROW.on_conflict_do_update(
    index_elements=[summary.SUMMARIES.c.instance_id],
    set_={"data": _SUMMARY_ROW.excluded.data, "completed": _SUMMARY_ROW.excluded.completed}).cte("summed")


def _main(is_new: bool, outcome_changed: bool) -> Any:
    if is_new:
        return insert(INSTANCES).values({c.name: bindparam(f"i_{c.name}") for c in INSTANCES.c}) \
            .returning(INSTANCES.c.lock_version)
    columns = _OUTCOME if outcome_changed else _PROGRESS
    return (update(INSTANCES)
            .where(INSTANCES.c.id == bindparam("b_id"), INSTANCES.c.lock_version == bindparam("b_expected"))
            .values({**{name: bindparam(name) for name in columns}, "lock_version": bindparam("b_next")})
            .returning(INSTANCES.c.lock_version))


# Built once per shape: a statement's construction and cache key cost more than its execution.
_STATEMENTS = {(is_new, outcome, summed): Prepared(_main(is_new, outcome).add_cte(
    _ASSIGNED, _GONE, _CAME, _APPENDED, _TOOK_PART, *([_SUMMED] if summed else [])))
    for is_new in (False, True) for outcome in (False, True) for summed in (False, True)}


def _in_one_statement(store: InstanceStore, write: StepWrite, projections: summary.ProjectionWrites) -> None:
    record = write.record
    tasks = [_values(task) for task in write.new]
    _refuse_unstorable(tasks, _TASK_COLUMNS, "human_task")
    _refuse_unstorable(write.events, _EVENT_COLUMNS, "instance_event")
    _refuse_unstorable(projections.participants, [summary.PARTICIPANTS.c.username], "instance_participant")
    params: dict[str, Any] = {
        "w_gone": list(write.gone),
        "w_tasks": _json_rows(tasks),
        "w_events": _json_rows(write.events),
        "w_instance": record.id,
        "w_participants": [row["username"] for row in projections.participants],
        "a_task": write.assign[0] if write.assign is not None else None,
        "a_who": write.assign[1] if write.assign is not None else None,
    }
    summed = bool(projections.summaries)
    if summed:
        (row,) = projections.summaries
        params.update(s_instance=row["instance_id"], s_data=row["data"], s_completed=row["completed"])
    if write.is_new:
        params.update({f"i_{c.name}": getattr(record, c.name) for c in INSTANCES.c})
    else:
        params.update({name: getattr(record, name) for name in (_OUTCOME if write.outcome_changed else _PROGRESS)})
        params.update(b_id=record.id, b_expected=record.lock_version, b_next=record.lock_version + 1)
    statement = _STATEMENTS[(write.is_new, write.outcome_changed, summed)]
    if statement.first(store.conn, params) is None:
        raise Conflict(N_("instance %(instance)s was changed by someone else; reload and try again"),
                       instance=record.id)
    if not write.is_new:
        record.lock_version += 1


def _refuse_unstorable(rows: list[dict[str, Any]], columns: list[Column[Any]], table: str) -> None:
    """Rows sent as JSON escape engine.column_limits (it checks each bound text): the same rule, row by row."""
    limits = [(c.name, getattr(c.type, "length", None)) for c in columns]
    for row in rows:
        for name, length in limits:
            value = row[name]
            if type(value) is str:
                refuse_text(value, length, f"{table}.{name}")
