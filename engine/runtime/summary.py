"""Projections kept by every step so that instance reads never load the event log: data, completed elements, participants."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, cast

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from engine.history.eventlog import canonical_json
from engine.models import InstanceParticipant, InstanceSummary
from engine.runtime.prepared import Prepared

SUMMARIES = cast(Table, InstanceSummary.__table__)
PARTICIPANTS = cast(Table, InstanceParticipant.__table__)
FOLDED = frozenset({"instance_started", "task_done", "instance_completed"})

_SELECT_SUMMARY = Prepared(select(SUMMARIES.c.data, SUMMARIES.c.completed)
                           .where(SUMMARIES.c.instance_id == bindparam("b_id")))


@dataclass
class KnownSummary:
    """What one instance's `instance_summary` row holds and which participants are stored, as of the
    instance row version it was computed for. A step that knows it writes the summary without reading it
    first and adds only new participants; it is kept with the warm workflow, whose row version vouches
    for it (every write that changes the summary bumps the version). `participants` may fall short of the
    stored set (a claim adds one without telling), never exceed it."""

    data: dict[str, Any] = field(default_factory=dict)
    completed: dict[str, int] = field(default_factory=dict)
    participants: set[str] = field(default_factory=set)


def stored_summary(data: str | None, completed: str | None) -> KnownSummary:
    """The summary an `instance_summary` row holds (None, None: the instance has no row yet)."""
    return KnownSummary(json.loads(data) if data is not None else {},
                        json.loads(completed) if completed is not None else {})


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


def _upserts(dialect: Any) -> tuple[Prepared, Prepared]:
    """(add participants, write a summary) for one SQL dialect, built once: building an upsert costs
    more than running it."""
    participant = dialect.insert(PARTICIPANTS).values(instance_id=bindparam("instance_id"),
                                                      username=bindparam("username"))
    summary = dialect.insert(SUMMARIES).values(instance_id=bindparam("instance_id"), data=bindparam("data"),
                                               completed=bindparam("completed"))
    return (Prepared(participant.on_conflict_do_nothing()),
            Prepared(summary.on_conflict_do_update(index_elements=[SUMMARIES.c.instance_id],
                                                   set_={"data": summary.excluded.data,
                                                         "completed": summary.excluded.completed})))


_UPSERTS = {"postgresql": _upserts(postgresql), "sqlite": _upserts(sqlite)}


@dataclass
class ProjectionWrites:
    """The rows a batch of events adds to the projections, worked out before anything is written (so
    that PostgreSQL can write them in the statement that appends the events)."""

    participants: list[dict[str, Any]]  # instance_participant rows to add (ON CONFLICT DO NOTHING)
    summaries: list[dict[str, Any]]  # instance_summary rows to write (upsert)
    known: KnownSummary | None  # the single instance's summary once these are written, if known


def projection_writes(conn: Connection, rows: Iterable[dict[str, Any]],
                      known: KnownSummary | None = None) -> ProjectionWrites:
    """What appending `rows` adds to `instance_summary` and `instance_participant`.

    `known`: the summary of the (single) instance the rows belong to, as stored before them; nothing
    is read then. Otherwise each summary the rows change is read first."""
    actors: dict[str, set[str]] = defaultdict(set)
    folded: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("actor"):
            actors[row["instance_id"]].add(row["actor"])
        if row["type"] in FOLDED:
            folded[row["instance_id"]].append(row)
    one_instance = len(actors.keys() | folded.keys()) <= 1
    if known is not None and not one_instance:
        raise ValueError("a known summary belongs to one instance; these rows name several")
    stored = known.participants if known is not None else set()
    participants = [{"instance_id": i, "username": a} for i, names in actors.items() for a in sorted(names)
                    if a not in stored]
    summaries = []
    for instance_id, events in folded.items():
        values, after = _folded_summary(conn, instance_id, events, known if one_instance else None)
        summaries.append(values)
        known = after if one_instance else None
    if known is not None and one_instance:
        known.participants.update(*actors.values())
    return ProjectionWrites(participants, summaries, known if one_instance else None)


def write_projections(conn: Connection, writes: ProjectionWrites) -> None:
    add_participants, write_summary = _UPSERTS[conn.dialect.name]
    add_participants.run_many(conn, writes.participants)
    for values in writes.summaries:
        write_summary.run(conn, values)


def project(conn: Connection, rows: Iterable[dict[str, Any]],
            known: KnownSummary | None = None) -> KnownSummary | None:
    """Fold freshly appended event rows into `instance_summary` and `instance_participant`; returns the
    single instance's summary as stored after them when it is known (always, once folded events were
    written), else None."""
    writes = projection_writes(conn, rows, known)
    write_projections(conn, writes)
    return writes.known


def _folded_summary(conn: Connection, instance_id: str, events: list[dict[str, Any]],
                    known: KnownSummary | None) -> tuple[dict[str, Any], KnownSummary]:
    """The summary row after `events`, and what is then known."""
    if known is None:  # a cold step, or a write outside a step: read what is stored
        found = _SELECT_SUMMARY.first(conn, {"b_id": instance_id})
        known = stored_summary(found["data"] if found else None, found["completed"] if found else None)
    # Copies: the known summary stays as it was if this transaction rolls back. Values are JSON's own
    # types already (folded from payloads read back from JSON), so they are stored as a read gives them.
    data, completed = dict(known.data), dict(known.completed)
    for event in events:
        payload = json.loads(event["payload"])
        data = fold(data, completed, event["type"], payload if isinstance(payload, dict) else {})
    values = {"instance_id": instance_id, "data": canonical_json(data), "completed": canonical_json(completed)}
    return values, KnownSummary(data, completed, set(known.participants))
