"""A step's store without a database (replay, test runs): the inbox in a dict, no savepoints, no job rows."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from engine.runtime.store import InstanceRecord, InstanceStore, TaskView
from engine.runtime.summary import KnownSummary


class _NoSavepoint:
    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


class _NoDatabase:
    """The step's connection when nothing is stored."""


class NoJobStore:
    """No job or incident rows: they are the runtime's bookkeeping, not history."""

    def sync_waits(self, *args: Any, **kwargs: Any) -> None:
        pass

    def sync_incidents(self, *args: Any, **kwargs: Any) -> None:
        pass

    def open_failure_incident(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close_failure_incidents(self, *args: Any, **kwargs: Any) -> None:
        pass


class MemoryStore(InstanceStore):
    """The step's statements answered in memory; events are the caller's to keep (the step hands each
    one over as it records it), so writing them does nothing."""

    def __init__(self) -> None:
        super().__init__(conn=_NoDatabase(), lock_rows=False)  # type: ignore[arg-type]
        self.inbox: dict[str, TaskView] = {}

    def savepoint(self) -> _NoSavepoint:  # type: ignore[override]
        # Handlers are never called here, so a retried service call's savepoint has nothing to protect.
        return _NoSavepoint()

    def insert_instance(self, record: InstanceRecord) -> None:
        pass

    def save_instance(self, record: InstanceRecord, outcome_changed: bool = False) -> None:
        record.lock_version += 1

    def human_tasks(self, instance_id: str) -> dict[str, TaskView]:
        return dict(self.inbox)

    def delete_human_tasks(self, task_ids: Iterable[str]) -> None:
        for task_id in task_ids:
            self.inbox.pop(task_id, None)

    def insert_human_tasks(self, records: list[TaskView]) -> None:
        self.inbox.update((r.id, r) for r in records)

    def repin_definition(self, instance_id: str, definition_id: int) -> None:
        pass  # the record already names the new version

    def set_assignee(self, task_id: str, assignee: str | None) -> None:
        self.inbox[task_id] = replace(self.inbox[task_id], assignee=assignee)

    def insert_events(self, rows: list[dict[str, Any]], known: KnownSummary | None = None) -> KnownSummary | None:
        return known
