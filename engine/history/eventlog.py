"""The hash-chained, append-only event log of an instance, and its verification."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Mapping, Protocol

import isodate
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import isoformat
from engine.models import InstanceEvent, ProcessInstance

GENESIS = "0" * 64
INPUT, EFFECT = "input", "effect"


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept, dates and durations as ISO 8601 text."""
    return _CANONICAL.encode(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, date):  # what date.today() in a SpiffWorkflow script makes
        return value.isoformat()
    if isinstance(value, timedelta):
        return isodate.duration_isoformat(value)  # "P14D"
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} cannot be recorded in the event log")


# One encoder for every call: json.dumps with options builds a new one each time, several times per event.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)

HASHED_FIELDS = ("instance_id", "seq", "at", "actor", "category", "type", "task_id", "task_spec", "payload")


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """sha256(prev_hash ‖ canonical JSON of the event's fields)."""
    body = _hashed_body(fields)
    if body is None:
        body = canonical_json({name: fields[name] for name in HASHED_FIELDS} | {"at": isoformat(fields["at"])})
    return hashlib.sha256(prev_hash.encode("ascii") + body.encode("utf-8")).hexdigest()


_TEXT = json.encoder.encode_basestring  # what the canonical encoder writes for a str (ensure_ascii off)


def _hashed_body(fields: Mapping[str, Any]) -> str | None:
    """The canonical JSON of the hashed fields, spelled out key by key in sorted order: the very text
    `canonical_json` makes of them (every event the runtime appends takes this way, a step appends several)
    without building and walking a dict. None when a field is of a type only the encoder spells."""
    actor, task_id, task_spec = fields["actor"], fields["task_id"], fields["task_spec"]
    seq, category, instance_id, payload, type_ = (fields["seq"], fields["category"], fields["instance_id"],
                                                  fields["payload"], fields["type"])
    if not (type(seq) is int and type(category) is str and type(instance_id) is str and type(payload) is str
            and type(type_) is str and (actor is None or type(actor) is str)
            and (task_id is None or type(task_id) is str) and (task_spec is None or type(task_spec) is str)):
        return None
    return "".join((
        '{"actor":', "null" if actor is None else _TEXT(actor),
        ',"at":', _TEXT(isoformat(fields["at"])),
        ',"category":', _TEXT(category),
        ',"instance_id":', _TEXT(instance_id),
        ',"payload":', _TEXT(payload),
        ',"seq":', int.__repr__(seq),
        ',"task_id":', "null" if task_id is None else _TEXT(task_id),
        ',"task_spec":', "null" if task_spec is None else _TEXT(task_spec),
        ',"type":', _TEXT(type_), "}",
    ))


class ChainHead(Protocol):
    """Anything carrying an instance's id and chain head (the ORM row or the hot path's record)."""

    id: str
    event_seq: int
    event_head: str


def chain_event(
    instance: ChainHead,
    at: datetime,
    category: str,
    type_: str,
    payload: dict[str, Any],
    actor: str | None = None,
    task_id: str | None = None,
    task_spec: str | None = None,
) -> dict[str, Any]:
    """The next event after the instance's chain head, as a row; moves the head (caller holds the lock)."""
    row: dict[str, Any] = {
        "instance_id": instance.id, "seq": instance.event_seq + 1, "at": at, "actor": actor,
        "category": category, "type": type_, "task_id": task_id, "task_spec": task_spec,
        "payload": canonical_json(payload), "prev_hash": instance.event_head,
    }
    row["hash"] = event_hash(instance.event_head, row)
    instance.event_seq = row["seq"]
    instance.event_head = row["hash"]
    return row


def list_events(session: Session, instance_id: str) -> list[InstanceEvent]:
    return list(
        session.scalars(
            select(InstanceEvent).where(InstanceEvent.instance_id == instance_id).order_by(InstanceEvent.id)
        )
    )


@dataclass
class ChainReport:
    instance_id: str
    events: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session, instance: ProcessInstance) -> ChainReport:
    """Check every link; rows are read in insertion order so a swap of two shows up."""
    return verify_events(instance, list_events(session, instance.id))


def verify_events(instance: ChainHead, events: list[InstanceEvent]) -> ChainReport:
    """The chain check on rows already read (in insertion order), for callers that need them too."""
    report = ChainReport(instance.id, len(events))
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            report.problems.append(f"seq {event.seq}: expected seq {expected_seq} (event missing or reordered)")
            return report
        if event.prev_hash != prev:
            report.problems.append(f"seq {event.seq}: prev_hash does not match the hash of seq {expected_seq - 1}")
            return report
        if event_hash(prev, {name: getattr(event, name) for name in HASHED_FIELDS}) != event.hash:
            report.problems.append(f"seq {event.seq}: content does not match its hash (event edited)")
            return report
        prev = event.hash
    if instance.event_seq != len(events) or instance.event_head != prev:
        report.problems.append(
            f"chain head is seq {len(events)} but the instance records seq {instance.event_seq} "
            "(trailing events missing or head edited)"
        )
    return report
