"""What several API resources share: an instance as the API shows it, visibility checks by the policy."""
from __future__ import annotations

from typing import Any

from engine.access import may_see_instance
from engine.errors import NotFound
from engine.runtime.readmodel import InstanceDetail

from .context import caller, services


def visible_instance(instance_id: str) -> InstanceDetail:
    """The instance if the caller may see it; otherwise it does not exist for them (no id probing)."""
    detail = services().reads.instance(instance_id)
    if not may_see_instance(caller(), detail.facts):
        raise NotFound(f"no instance {instance_id}")
    return detail


def instance_body(detail: InstanceDetail) -> dict[str, Any]:
    row = detail.row
    return {"id": row.id, "process_key": row.process_key, "process_name": row.process_name,
            "version": row.version, "status": row.status, "business_key": row.business_key,
            "started_by": row.started_by, "created_at": row.created_at, "updated_at": row.updated_at,
            "completed_at": row.completed_at, "events": detail.event_count, "ready_tasks": detail.ready,
            "data": detail.data}
