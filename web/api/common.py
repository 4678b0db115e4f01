"""What several API resources share: an instance as the API shows it, visibility checks by the policy."""
from __future__ import annotations

from dataclasses import fields
from typing import Any

from engine.access import may_see_instance
from engine.errors import N_, NotFound
from engine.runtime.readmodel import InstanceDetail, InstanceRow
from engine.runtime.service import InstanceView
from engine.runtime.store import TaskView

from .context import caller, services


def visible_instance(instance_id: str) -> InstanceDetail:
    """The instance if the caller may see it; otherwise it does not exist for them (no id probing)."""
    detail = services().reads.instance(instance_id)
    if not may_see_instance(caller(), detail.facts):
        raise NotFound(N_("no instance %(instance)s"), instance=instance_id)
    return detail


def instance_body(detail: InstanceDetail) -> dict[str, Any]:
    return _body(detail.row, detail.event_count, detail.ready, detail.data)


def stepped_body(view: InstanceView) -> dict[str, Any]:
    """The answer to a start or a completion: what `GET /instances/{id}` would show, with the ready tasks
    (in the same order) taken from the step's own result instead of read back, and one statement for the
    rest. No visibility check: the caller just started the case or acted on it, and whoever did always
    sees it (R-3.1)."""
    outline = services().reads.outline(view.id)
    ready = sorted(view.ready_tasks, key=lambda task: (task.created_at, task.id))
    return _body(outline.row, outline.event_count, ready, outline.data)


def _body(row: InstanceRow, events: int, ready: list[TaskView], data: dict[str, Any]) -> dict[str, Any]:
    return {"id": row.id, "reference": row.reference, "process_key": row.process_key,
            "process_name": row.process_name, "version": row.version, "status": row.status,
            "business_key": row.business_key, "started_by": row.started_by, "created_at": row.created_at,
            "updated_at": row.updated_at, "completed_at": row.completed_at, "events": events,
            "ready_tasks": [task_body(task, row.reference) for task in ready], "data": data}


def task_body(task: TaskView, reference: str | None) -> dict[str, Any]:
    """A task as the API shows it: its row with the readable reference of its case (`instance_reference`)."""
    # Shallow on purpose: `dataclasses.asdict` deep-copies, and a task's fields are flat.
    return {field.name: getattr(task, field.name) for field in fields(task)} | {"instance_reference": reference}


def task_bodies(tasks: list[TaskView]) -> list[dict[str, Any]]:
    """A page of tasks with their cases' references, read in one statement for the whole page."""
    if not tasks:
        return []
    references = services().reads.references({task.instance_id for task in tasks})
    return [task_body(task, references.get(task.instance_id)) for task in tasks]
