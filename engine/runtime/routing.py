"""Who works a user task and by when, and the instance's business key: task properties
(`spiffworkflow:property`) whose values are sandboxed expressions on the task's data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task

from engine.errors import WorkflowFailed

CANDIDATE_GROUPS = "candidateGroups"
ASSIGNEE = "assignee"
DUE_AT = "dueAt"
BUSINESS_KEY = "businessKey"
EXPRESSION_PROPERTIES = (CANDIDATE_GROUPS, ASSIGNEE, DUE_AT, BUSINESS_KEY)

Evaluate = Callable[[Task, str], Any]


@dataclass(frozen=True)
class Routing:
    candidate_group: str | None
    assignee: str | None
    due_at: datetime | None


def task_properties(task_spec: Any) -> dict[str, str]:
    return getattr(task_spec, "extensions", {}).get("properties", {}) or {}


def route(task: Task, evaluate: Evaluate, now: datetime) -> Routing:
    """The inbox routing of a ready user task: its lane unless `candidateGroups` narrows it,
    an `assignee` if one is named, a due time from `dueAt` (counted from `now` for durations)."""
    properties = task_properties(task.task_spec)
    group = getattr(task.task_spec, "lane", None)
    if properties.get(CANDIDATE_GROUPS):
        group = _single_name(task, CANDIDATE_GROUPS, _evaluated(task, evaluate, properties, CANDIDATE_GROUPS))
    assignee = None
    if properties.get(ASSIGNEE):
        assignee = _single_name(task, ASSIGNEE, _evaluated(task, evaluate, properties, ASSIGNEE))
    due_at = None
    if properties.get(DUE_AT):
        due_at = due_time(_evaluated(task, evaluate, properties, DUE_AT), now, _where(task, DUE_AT))
    return Routing(group, assignee, due_at)


def business_key(task: Task, evaluate: Evaluate) -> str | None:
    """The value of the task's `businessKey` property, or None when it has none."""
    properties = task_properties(task.task_spec)
    if not properties.get(BUSINESS_KEY):
        return None
    value = _evaluated(task, evaluate, properties, BUSINESS_KEY)
    if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value) == "":
        raise WorkflowFailed(f"{_where(task, BUSINESS_KEY)} gave {value!r}; a business key is a non-empty text")
    return str(value)


def due_time(value: Any, now: datetime, where: str = "due time") -> datetime | None:
    """A due time from a datetime, an ISO 8601 date-time or date (naive means UTC; a date means
    the end of that day), or an ISO 8601 duration counted from `now`. None and "" mean no due time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, datetime.max.time(), timezone.utc).replace(microsecond=0)
    if isinstance(value, str):
        text = value.strip()
        try:
            if text.upper().startswith("P"):
                return now + TimerEventDefinition.get_timedelta_from_start(
                    TimerEventDefinition.parse_iso_duration(text), now)
            if len(text) == 10:
                return due_time(date.fromisoformat(text), now, where)
            return due_time(datetime.fromisoformat(text), now, where)
        except (ValueError, TypeError, Exception) as exc:  # the library raises a bare Exception
            raise WorkflowFailed(f"{where}: {value!r} is neither an ISO 8601 date-time nor a duration") from exc
    if isinstance(value, timedelta):
        return now + value
    raise WorkflowFailed(f"{where}: {value!r} is neither an ISO 8601 date-time nor a duration")


def _evaluated(task: Task, evaluate: Evaluate, properties: dict[str, str], name: str) -> Any:
    try:
        return evaluate(task, properties[name])
    except WorkflowFailed:
        raise
    except Exception as exc:
        raise WorkflowFailed(f"{_where(task, name)} could not be evaluated: {exc}") from exc


def _single_name(task: Task, name: str, value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise WorkflowFailed(f"{_where(task, name)} gave {value!r}; casedesk routes a task to one group or user")
        value = value[0]
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise WorkflowFailed(f"{_where(task, name)} gave {value!r}; expected a name")
    return value


def _where(task: Task, name: str) -> str:
    return f"property {name!r} of {task.task_spec.bpmn_id or task.task_spec.name}"
