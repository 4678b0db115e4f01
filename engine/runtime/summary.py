"""Projections kept by every step so that instance reads never load the event log: data, completed elements, participants."""
from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, Iterable, cast

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from engine.history.eventlog import canonical_json
from engine.models import InstanceParticipant, InstanceSummary

SUMMARIES = cast(Table, InstanceSummary.__table__)
PARTICIPANTS = cast(Table, InstanceParticipant.__table__)
FOLDED = frozenset({"instance_started", "task_done", "instance_completed"})

_SELECT_SUMMARY = select(SUMMARIES.c.data, SUMMARIES.c.completed).where(SUMMARIES.c.instance_id == bindparam("b_id"))


def fold(data: dict[str, Any], completed: dict[str, int], type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Apply one event to the instance's data and completion counts; returns the (possibly new) data."""
    if type_ == "instance_started":
        data.update(payload.get("data") or {})
    elif type_ == "task_done":
        delta = payload.get("delta") or {}
        data.update(delta.get("set") or {})
        for name in delta.get("removed") or []:
            data.pop(name, None)
        element = payload.get("element")
        if element:
            completed[str(element)] = completed.get(str(element), 0) + 1
    elif type_ == "instance_completed":
        data = dict(payload.get("data") or data)
    return data


def _insert(conn: Connection, table: Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def project(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Fold freshly appended event rows into `instance_summary` and `instance_participant`."""
    actors: dict[str, set[str]] = defaultdict(set)
    folded: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("actor"):
            actors[row["instance_id"]].add(row["actor"])
        if row["type"] in FOLDED:
            folded[row["instance_id"]].append(row)
    participants = [{"instance_id": i, "username": a} for i, names in actors.items() for a in sorted(names)]
    if participants:
        conn.execute(_insert(conn, PARTICIPANTS).on_conflict_do_nothing(), participants)
    for instance_id, events in folded.items():
        _fold_into_summary(conn, instance_id, events)


def _fold_into_summary(conn: Connection, instance_id: str, events: list[dict[str, Any]]) -> None:
    found = conn.execute(_SELECT_SUMMARY, {"b_id": instance_id}).first()
    data: dict[str, Any] = json.loads(found.data) if found else {}
    completed: dict[str, int] = json.loads(found.completed) if found else {}
    for event in events:
        payload = json.loads(event["payload"])
        data = fold(data, completed, event["type"], payload if isinstance(payload, dict) else {})
    values = {"instance_id": instance_id, "data": canonical_json(data), "completed": canonical_json(completed)}
    statement = _insert(conn, SUMMARIES)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[SUMMARIES.c.instance_id],
        set_={"data": statement.excluded.data, "completed": statement.excluded.completed}), values)
