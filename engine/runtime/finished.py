"""What became of a user task that is no longer ready: who completed it and when, or why it was withdrawn."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import InstanceEvent, ProcessInstance

# The events that end a ready task, and the one that made it ready (its title and group).
ENDING = ("task_submitted", "task_withdrawn")


@dataclass(frozen=True)
class FinishedTask:
    id: str
    instance_id: str
    business_key: str | None
    title: str
    candidate_group: str | None
    outcome: str  # "completed" or "withdrawn"
    by: str | None  # who completed it (None when it was withdrawn)
    at: datetime
    instance_status: str


def finished_task(session: Session, task_id: str) -> FinishedTask | None:
    """Read through the event index on task id: a handful of rows, whatever the instance's age."""
    events = session.scalars(select(InstanceEvent).where(InstanceEvent.task_id == task_id)
                             .order_by(InstanceEvent.seq)).all()
    ready = next((e for e in events if e.type == "task_ready"), None)
    ended = next((e for e in reversed(events) if e.type in ENDING), None)
    if ready is None or ended is None:
        return None
    payload = json.loads(ready.payload)
    instance = session.get(ProcessInstance, ended.instance_id)
    assert instance is not None  # events reference their instance
    completed = ended.type == "task_submitted"
    return FinishedTask(
        id=task_id, instance_id=ended.instance_id, business_key=instance.business_key,
        title=str(payload.get("title") or ready.task_spec or ""), candidate_group=payload.get("candidate_group"),
        outcome="completed" if completed else "withdrawn", by=ended.actor if completed else None,
        at=ended.at, instance_status=instance.status,
    )
