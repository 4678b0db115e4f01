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


def _upserts(dialect: Any) -> tuple[Any, Any]:
    """(add participants, write a summary) for one SQL dialect, built once: building an upsert costs
    more than running it."""
    summary = dialect.insert(SUMMARIES)
    return (dialect.insert(PARTICIPANTS).on_conflict_do_nothing(),
            summary.on_conflict_do_update(index_elements=[SUMMARIES.c.instance_id],
                                          set_={"data": summary.excluded.data,
                                                "completed": summary.excluded.completed}))


_UPSERTS = {"postgresql": _upserts(postgresql), "sqlite": _upserts(sqlite)}


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
    add_participants, write_summary = _UPSERTS[conn.dialect.name]
    if participants:
        conn.execute(add_participants, participants)
    for instance_id, events in folded.items():
        _fold_into_summary(conn, write_summary, instance_id, events)


def _fold_into_summary(conn: Connection, write_summary: Any, instance_id: str, events: list[dict[str, Any]]) -> None:
    found = conn.execute(_SELECT_SUMMARY, {"b_id": instance_id}).first()
    data: dict[str, Any] = json.loads(found.data) if found else {}
    completed: dict[str, int] = json.loads(found.completed) if found else {}
    for event in events:
        payload = json.loads(event["payload"])
        data = fold(data, completed, event["type"], payload if isinstance(payload, dict) else {})
    values = {"instance_id": instance_id, "data": canonical_json(data), "completed": canonical_json(completed)}
    conn.execute(write_summary, values)
