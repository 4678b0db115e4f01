"""The hash-chained, append-only event log of an instance, and its verification."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .clock import isoformat
from .models import InstanceEvent, ProcessInstance

GENESIS = "0" * 64
INPUT, EFFECT = "input", "effect"


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept, dates as ISO text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} cannot be recorded in the event log")


def event_hash(prev_hash: str, event: InstanceEvent) -> str:
    body = canonical_json(
        {
            "instance": event.instance_id,
            "seq": event.seq,
            "at": isoformat(event.at),
            "actor": event.actor,
            "category": event.category,
            "type": event.type,
            "task_id": event.task_id,
            "task_spec": event.task_spec,
            "payload": event.payload,
        }
    )
    return hashlib.sha256(prev_hash.encode("ascii") + body.encode("utf-8")).hexdigest()


def append_event(
    session: Session,
    instance: ProcessInstance,
    at: datetime,
    category: str,
    type_: str,
    payload: dict[str, Any],
    actor: str | None = None,
    task_id: str | None = None,
    task_spec: str | None = None,
) -> InstanceEvent:
    """Append one event after the instance's current chain head (the caller holds the instance lock)."""
    event = InstanceEvent(
        instance_id=instance.id,
        seq=instance.event_seq + 1,
        at=at,
        actor=actor,
        category=category,
        type=type_,
        task_id=task_id,
        task_spec=task_spec,
        payload=canonical_json(payload),
        prev_hash=instance.event_head,
    )
    event.hash = event_hash(instance.event_head, event)
    instance.event_seq = event.seq
    instance.event_head = event.hash
    session.add(event)
    return event


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
    events = list_events(session, instance.id)
    report = ChainReport(instance.id, len(events))
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            report.problems.append(f"seq {event.seq}: expected seq {expected_seq} (event missing or reordered)")
            return report
        if event.prev_hash != prev:
            report.problems.append(f"seq {event.seq}: prev_hash does not match the hash of seq {expected_seq - 1}")
            return report
        if event_hash(prev, event) != event.hash:
            report.problems.append(f"seq {event.seq}: content does not match its hash (event edited)")
            return report
        prev = event.hash
    if instance.event_seq != len(events) or instance.event_head != prev:
        report.problems.append(
            f"chain head is seq {len(events)} but the instance records seq {instance.event_seq} "
            "(trailing events missing or head edited)"
        )
    return report
