"""The live step run in memory for a test run: no database, no jobs, service results from the script."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from SpiffWorkflow.task import Task

from handlers.context import BpmnError

from engine.errors import CasedeskError
from engine.history.eventlog import canonical_json
from engine.history.replaystore import NoJobStore
from engine.runtime.step import InstanceStep
from engine.runtime.store import InstanceRecord, InstanceStore, TaskView

__all__ = ["DraftStep", "DraftStore", "NoScriptedResult", "RecordedStep"]


class NoScriptedResult(CasedeskError):
    """A service task ran out of scripted results: the test run stops there (no handler is ever called)."""

    def __init__(self, element: str, operator: str):
        super().__init__(f"service task {element} (operator {operator}) has no scripted result left")
        self.element = element
        self.operator = operator


class _NoSavepoint:
    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


class _NoDatabase:
    """The step's connection in a test run: handlers are never called, so a savepoint protects nothing."""

    def begin_nested(self) -> _NoSavepoint:
        return _NoSavepoint()


class DraftStore(InstanceStore):
    """The step's statements answered in memory: the inbox is a dict, events stay with the run."""

    def __init__(self) -> None:
        super().__init__(conn=_NoDatabase(), lock_rows=False)  # type: ignore[arg-type]
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
        pass

    def set_assignee(self, task_id: str, assignee: str | None) -> None:
        self.inbox[task_id] = replace(self.inbox[task_id], assignee=assignee)

    def insert_events(self, rows: list[dict[str, Any]]) -> None:
        pass  # the step handed each event to the run as it recorded it

    def definition_id(self, key: str, version: int) -> int | None:
        return None

    def latest_definition_id(self, key: str) -> int | None:
        return None


@dataclass(frozen=True)
class RecordedStep:
    """One element a token completed: where it came from and the task's data right after."""

    element: str
    name: str
    kind: str
    came_from: str | None
    data: dict[str, Any]
    changed: dict[str, Any] = field(default_factory=dict)


def jsonable(value: Any) -> Any:
    """Task data as the event log spells it (dates as ISO 8601 text)."""
    return json.loads(canonical_json(value))


def scripted_handler(value: Any) -> Any:
    """A scripted service result: a value, `{"bpmn_error": {"code": …}}` or `{"fail": "why"}`."""
    def handler(context: Any, **params: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"bpmn_error"}:
            error = value["bpmn_error"] or {}
            raise BpmnError(str(error.get("code", "")), str(error.get("message", "")), error.get("data"))
        if isinstance(value, dict) and set(value) == {"fail"}:
            raise RuntimeError(str(value["fail"]))
        return value
    return handler


class DraftStep(InstanceStep):
    """The live step; service tasks take the next scripted result of their element, and each
    completed element is kept with its data for the run's report."""

    results: dict[str, list[Any]]
    steps: list[RecordedStep]
    events: list[dict[str, Any]]

    def record(self, category: str, type_: str, payload: dict[str, Any], actor: str | None = None,
               task: Task | None = None, task_id: str | None = None, task_spec: str | None = None) -> None:
        super().record(category, type_, payload, actor, task, task_id, task_spec)
        self.events.append(self._events[-1])
        if type_ == "task_done" and task is not None:
            self.steps.append(RecordedStep(
                element=payload["element"], name=getattr(task.task_spec, "bpmn_name", None) or payload["element"],
                kind=payload["kind"], came_from=payload.get("from"), data=jsonable(task.data),
                changed=jsonable(payload["delta"]["set"])))

    def _job_store(self) -> Any:
        return NoJobStore()

    def _call_handler(self, task: Task, operator: str, params: dict[str, Any]) -> Any:
        element = task.task_spec.bpmn_id
        queue = self.results.get(element)
        if not queue:
            raise NoScriptedResult(element, operator)
        self.handlers = {operator: scripted_handler(queue.pop(0))}
        return super()._call_handler(task, operator, params)
