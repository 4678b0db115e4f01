"""Deploy-time checks of what the job runner will read: retry policies and literal timer expressions."""
from __future__ import annotations

import ast
from datetime import datetime, timezone
from typing import Any, Iterator

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

from engine.errors import InvalidInput
from engine.isotime import parse_cycle, parse_duration, parse_instant, parse_retry_policy
from engine.definitions.timer_events import StepStartCycle
from engine.runtime.waits import RETRY_PROPERTY

_ANY_START = datetime(2000, 1, 1, tzinfo=timezone.utc)


def job_problems(task_spec: Any) -> Iterator[str]:
    properties = getattr(task_spec, "extensions", {}).get("properties", {}) or {}
    if properties.get(RETRY_PROPERTY):
        try:
            parse_retry_policy(properties[RETRY_PROPERTY])
        except InvalidInput as exc:
            yield (f"property 'retry': {exc}. Correct the task's retry property, for example R3/PT1M (three retries, "
                   "the first after a minute).")
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        yield from _timer_problems(definition, is_start=isinstance(task_spec, StartEvent))


def _timer_problems(definition: TimerEventDefinition, is_start: bool) -> Iterator[str]:
    try:
        value = ast.literal_eval((definition.expression or "").strip())
    except (ValueError, SyntaxError):
        if is_start:  # no instance data exists before the start: only a literal can be scheduled
            yield ("timer start: the expression must be a quoted ISO 8601 text, since no case data exists before the "
                   "start. Write it in quotes, for example \"R/2026-01-05T09:00:00+08:00/P7D\".")
        return  # an expression on the instance's data is checked when the timer starts waiting
    try:
        if isinstance(definition, (CycleTimerEventDefinition, StepStartCycle)):
            parse_cycle(value, _ANY_START)
        elif isinstance(definition, DurationTimerEventDefinition):
            parse_duration(value)
        else:
            parse_instant(value)
    except InvalidInput as exc:
        yield (f"timer expression: {exc}. Write it as an ISO 8601 date, duration or cycle in quotes, "
               "for example \"P3D\".")
