"""The live step run in memory for a test run: no database, no jobs, service results from the script."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.task import Task

from handlers.context import BpmnError

from engine.errors import CasedeskError
from engine.history.eventlog import canonical_json
from engine.runtime.memorystore import MemoryStore, NoJobStore
from engine.runtime.step import InstanceStep

__all__ = ["DraftStep", "DraftStore", "NoScriptedResult", "RecordedStep"]


class NoScriptedResult(CasedeskError):
    """A service task ran out of scripted results: the test run stops there (no handler is ever called)."""

    def __init__(self, element: str, operator: str):
        super().__init__(f"service task {element} (operator {operator}) has no scripted result left")
        self.element = element
        self.operator = operator


class DraftStore(MemoryStore):
    """The in-memory store of a test run; a call activity runs the copy in the draft's own bundle."""

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
