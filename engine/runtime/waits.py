"""What an instance waits for, read from its state: due timers, service tasks parked for a retry, incidents.

The `job` and `incident` rows are projections of this, written by the step that changed it, the
way `human_task` rows project ready user tasks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.clock import isoformat
from engine.errors import CasedeskError
from engine.isotime import RetryPolicy, add, parse_instant, parse_retry_policy
from engine.definitions.timer_events import is_timer, timer_due
from engine.runtime.tasktree import all_workflows

RETRY, INCIDENT, FAILURES = "casedesk_retry", "casedesk_incident", "casedesk_failures"
RETRY_PROPERTY = "retry"
# A service task after a user's submission must never lose it: without a policy of its own it waits
# as a retry (3, the first after a minute), then an incident. A constant, so replay repeats it exactly.
AFTER_HUMAN_INPUT = "R3/PT1M"
DEFAULT_POLICY = "casedesk_default_retry"  # marks a parked task that retries under AFTER_HUMAN_INPUT


@dataclass(frozen=True)
class Wait:
    kind: str  # timer | retry
    task_id: str
    element: str
    due: datetime


@dataclass(frozen=True)
class StuckService:
    task_id: str
    element: str
    error: str
    attempts: int


class ServiceParked(CasedeskError):
    """A service task failed and waits for a retry or an administrator; the step goes on."""

    def __init__(self, task: Task):
        super().__init__(f"service task {task.task_spec.bpmn_id} parked")
        self.task = task


def _waiting(workflow: BpmnWorkflow) -> list[Task]:
    return [t for wf in all_workflows(workflow) for t in wf.tasks.values() if t.state & HELD]


# Timers wait in WAITING; a parked service task is STARTED — the library's state for work that
# finishes later — because the library re-evaluates every WAITING task after each completion.
HELD = TaskState.WAITING | TaskState.STARTED


def pending_waits(workflow: BpmnWorkflow) -> dict[tuple[str, str], Wait]:
    waits: dict[tuple[str, str], Wait] = {}
    for task in _waiting(workflow):
        element = task.task_spec.bpmn_id or task.task_spec.name
        if is_timer(task):
            due = timer_due(task)
            if due is not None:
                waits[("timer", str(task.id))] = Wait("timer", str(task.id), element, due)
        elif task.state == TaskState.STARTED and task._get_internal_data(RETRY) is not None:
            due = parse_instant(task._get_internal_data(RETRY)["due"])
            waits[("retry", str(task.id))] = Wait("retry", str(task.id), element, due)
    return waits


def stuck_services(workflow: BpmnWorkflow) -> dict[str, StuckService]:
    stuck = {}
    for task in _waiting(workflow):
        incident = task._get_internal_data(INCIDENT)
        if incident is not None and task.state == TaskState.STARTED:
            stuck[str(task.id)] = StuckService(str(task.id), task.task_spec.bpmn_id, incident["error"],
                                               incident["attempts"])
    return stuck


def retry_policy(task: Task) -> RetryPolicy | None:
    """From the task's `retry` property (R3/PT1M) or SpiffWorkflow's own `retry` operator element."""
    properties = getattr(task.task_spec, "extensions", {}).get("properties", {})
    if properties.get(RETRY_PROPERTY):
        return parse_retry_policy(properties[RETRY_PROPERTY])
    retries = getattr(task.task_spec, "retries", None)
    if retries:
        base = getattr(task.task_spec, "retry_backoff_base", None) or 60
        return parse_retry_policy(f"R{int(retries)}/PT{int(base)}S")
    if task._get_internal_data(DEFAULT_POLICY):
        return parse_retry_policy(AFTER_HUMAN_INPUT)
    return None


def refuses_input(error: BaseException) -> bool:
    """A handler that refuses what it was given (no such archive, a malformed address) will refuse it again:
    the step rolls back and the person corrects it. Only other failures (a server down) wait for a retry."""
    return isinstance(error, (CasedeskError, ValueError, TypeError, LookupError))


def default_retry_policy() -> RetryPolicy:
    """The policy of a service task that follows human input and has none of its own."""
    return parse_retry_policy(AFTER_HUMAN_INPUT)


def remember_default_policy(task: Task) -> None:
    """A task parked under the default keeps it for its retries (which are not human input themselves)."""
    task._set_internal_data(**{DEFAULT_POLICY: True})


def park_failed_service(task: Task, policy: RetryPolicy, error: str, now: datetime) -> dict[str, Any]:
    """Record the failure on the task: a retry due later, or an incident once retries are spent.
    Returns what happened, for the event log."""
    failures = int(task._get_internal_data(FAILURES, 0)) + 1
    task._set_internal_data(**{FAILURES: failures})
    retries_used = failures - 1 - int(task._get_internal_data("casedesk_manual_retries", 0))
    if retries_used < policy.retries:
        due = add(now, policy.delay(retries_used + 1))
        task._set_internal_data(**{RETRY: {"due": isoformat(due), "error": error}})
        task.internal_data.pop(INCIDENT, None)
        return {"attempt": failures, "retry_at": isoformat(due)}
    task._set_internal_data(**{INCIDENT: {"error": error, "attempts": failures}})
    task.internal_data.pop(RETRY, None)
    return {"attempt": failures, "retry_at": None}


def hold(task: Task) -> None:
    """A failed service task waits (unfinished, not ready) so the rest of the instance goes on."""
    task._set_state(TaskState.STARTED)


def resume_service(task: Task, manual: bool = False) -> None:
    """Make a parked service task ready again; the caller runs the engine."""
    task.internal_data.pop(RETRY, None)
    if manual and task.internal_data.pop(INCIDENT, None) is not None:
        # An administrator's retry is one more attempt; a new failure opens the incident again.
        task._set_internal_data(casedesk_manual_retries=int(task._get_internal_data("casedesk_manual_retries", 0)) + 1)
    task._set_state(TaskState.READY)
