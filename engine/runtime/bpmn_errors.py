"""BPMN errors: a handler's BpmnError thrown to the boundary event that catches it; an error nobody catches fails the instance."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition as LibraryError
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import EscalationEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.errors import CasedeskError
from engine.runtime.tasktree import drop_orphaned_subprocesses


@dataclass(frozen=True)
class UncaughtError:
    """What failed an instance: the element that threw, the error code and the handler's message."""

    element: str
    process: str
    code: str | None
    message: str

    def describe(self) -> str:
        code = f"BPMN error {self.code}" if self.code else "a BPMN error without a code"
        said = f" ({self.message})" if self.message else ""
        return (f"{code}{said} thrown at {self.element} of process {self.process} was not caught by any error "
                "boundary event; the instance failed")

    def as_payload(self) -> dict[str, Any]:
        return {"element": self.element, "process": self.process, "code": self.code, "message": self.message}


class BusinessErrorRaised(CasedeskError):
    """A service task's handler raised BpmnError: the step throws it instead of completing the task."""

    def __init__(self, task: Task, code: str, message: str, data: dict[str, Any]):
        super().__init__(f"{task.task_spec.bpmn_id}: BPMN error {code}")
        self.task = task
        self.code = code
        self.message = message
        self.data = data


class InstanceFailed(CasedeskError):
    """An error end event's error reached no catcher: the engine stops advancing the instance."""

    def __init__(self, uncaught: UncaughtError):
        super().__init__(uncaught.describe())
        self.uncaught = uncaught


def throw_from_service(raised: BusinessErrorRaised) -> UncaughtError | None:
    """Throw the handler's error from its service task, as BPMN says: to the error boundary events of the
    task, else of each enclosing subprocess or call activity, innermost first. None when one caught it."""
    task = raised.task
    # The task is an activity still under way (not completed, not failed) until a boundary interrupts it.
    task._set_state(TaskState.STARTED)
    payload = {"code": raised.code, "message": raised.message, "data": raised.data}
    event = BpmnEvent(ErrorEventDefinition(raised.code, code=raised.code), payload=payload)
    activity: Task | None = task
    while activity is not None:
        catchers = [t for t in _boundary_events(activity) if t.task_spec.event_definition.catches(t, event)]
        if catchers:
            for catcher in catchers:
                catcher.task_spec.catch(catcher, event)
                catcher.task_spec._update(catcher)
            if any(c.task_spec.cancel_activity for c in catchers):
                # Interrupted now: nothing else of the activity (another instance, another branch) runs first.
                activity.cancel()
                drop_orphaned_subprocesses(activity.workflow.top_workflow)
            return None
        activity = _enclosing_activity(activity)
    return UncaughtError(task.task_spec.bpmn_id, task.workflow.spec.name, raised.code, raised.message)


def uncaught_end_error(task: Task) -> UncaughtError | None:
    """After `task` completed: the error its end event threw, when nothing caught it. SpiffWorkflow
    hands an error that reaches no catcher to the top workflow's outgoing events; take it from there."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, LibraryError):
        return None
    top = task.workflow.top_workflow
    thrown = [e for e in top.bpmn_events if e.event_definition is definition]
    if not thrown:
        return None
    top.bpmn_events = [e for e in top.bpmn_events if e.event_definition is not definition]
    payload = thrown[0].payload
    message = str(payload.get("message", "")) if isinstance(payload, dict) else ""
    return UncaughtError(task.task_spec.bpmn_id, task.workflow.spec.name, definition.code, message)


def drop_uncaught_escalations(workflow: Any) -> None:
    """An escalation no boundary caught has no effect (BPMN); SpiffWorkflow would keep it in the state forever."""
    workflow.bpmn_events = [e for e in workflow.bpmn_events
                            if not isinstance(e.event_definition, EscalationEventDefinition)]


def _boundary_events(activity: Task) -> list[Task]:
    split = activity.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
        return []
    return [t for t in split.children
            if isinstance(t.task_spec, BoundaryEvent) and t.state == TaskState.WAITING]


def _enclosing_activity(activity: Task) -> Task | None:
    """The multi-instance or loop activity `activity` is one instance of, else the subprocess or call
    activity task whose process holds it (None at the top): boundary events sit on the whole activity."""
    parent = activity.parent
    if parent is not None and isinstance(parent.task_spec, LoopTask) and parent.task_spec.task_spec == activity.task_spec.name:
        return parent
    workflow = activity.workflow
    if workflow.parent_task_id is None:
        return None
    return workflow.top_workflow.get_task_from_id(workflow.parent_task_id)
