"""What replay's step sees instead of the database: an in-memory store, no savepoints, no job rows."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Iterable

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.runtime.state import StateCodec
from engine.runtime.store import InstanceRecord, InstanceStore, TaskView

if TYPE_CHECKING:
    from engine.history.replay import Replay


class NoStateCodec(StateCodec):
    """Replay keeps its workflow in memory between steps; the state is dumped once, at the end."""

    def dump(self, workflow: BpmnWorkflow) -> str:
        return ""


class _NoSavepoint:
    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


class _NoDatabase:
    """What replay's step sees as its connection: handlers are never called, so the savepoint a
    retried service call opens around its handler has nothing to protect."""

    def begin_nested(self) -> _NoSavepoint:
        return _NoSavepoint()


class NoJobStore:
    """Replay projects no job or incident rows: they are the runtime's bookkeeping, not history."""

    def sync_waits(self, *args: Any, **kwargs: Any) -> None:
        pass

    def sync_incidents(self, *args: Any, **kwargs: Any) -> None:
        pass

    def open_failure_incident(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close_failure_incidents(self, *args: Any, **kwargs: Any) -> None:
        pass


class ReplayStore(InstanceStore):
    """The step's statements, answered in memory; written events go to the comparison."""

    def __init__(self, replay: "Replay"):
        super().__init__(conn=_NoDatabase(), lock_rows=False)  # type: ignore[arg-type]
        self.replay = replay
        self.inbox: dict[str, TaskView] = {}

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

    def insert_events(self, rows: list[dict[str, Any]]) -> None:
        pass  # each row was compared the moment the step recorded it
