"""Timer event definitions that take time from the step's recorded clock and fire only when a job says so.

The library's timers read `datetime.now()` whenever the engine refreshes them, so wall-clock
time would leak into instances (and replay would diverge). Here a timer decides its due time
once, with the step's clock, when it starts waiting; it fires when the job runner marks it
fired (`fire_timer`). The parser builds these through an explicit override map.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from isodate import duration_isoformat

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import EventBasedGatewayParser
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, EventBasedGateway, IntermediateCatchEvent, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent
from SpiffWorkflow.task import Task

from engine.clock import isoformat
from engine.errors import WorkflowFailed
from engine.isotime import add, parse_cycle, parse_duration, parse_instant

FIRED, CYCLE_FIRED, VALUE = "event_fired", "casedesk_cycle_fired", "event_value"


def step_now(task: Task) -> datetime:
    now = getattr(task.workflow.script_engine, "now", None)
    if not isinstance(now, datetime):
        raise WorkflowFailed(f"timer {task.task_spec.bpmn_id} evaluated without the step's clock")
    return now


def _expression_value(definition: TimerEventDefinition, task: Task) -> Any:
    return task.workflow.script_engine.evaluate(task, definition.expression)


class GatewayMember:
    """A timer that may sit on an event-based gateway's task beside others: each keeps its due time
    and its fired mark under keys of its own (its catch event's id), so one firing moves one branch."""

    gateway_member: str | None = None

    def key(self, base: str) -> str:
        return base if self.gateway_member is None else f"{base}:{self.gateway_member}"

    def fired(self, my_task: Task) -> bool:
        return bool(my_task._get_internal_data(self.key(FIRED), False))


class StepTimeDate(GatewayMember, TimeDateEventDefinition):
    def has_fired(self, my_task: Task) -> bool:
        if my_task._get_internal_data(self.key(VALUE)) is None:
            due = parse_instant(_expression_value(self, my_task))
            my_task._set_internal_data(**{self.key(VALUE): isoformat(due)})
        return self.fired(my_task)


class StepDuration(GatewayMember, DurationTimerEventDefinition):
    def has_fired(self, my_task: Task) -> bool:
        if my_task._get_internal_data(self.key(VALUE)) is None:
            due = add(step_now(my_task), parse_duration(_expression_value(self, my_task)))
            my_task._set_internal_data(**{self.key(VALUE): isoformat(due)})
        return self.fired(my_task)


class StepCycle(CycleTimerEventDefinition):
    """Each firing (a job marking the cycle fired) starts one more branch; after the last one the event completes."""

    def has_fired(self, my_task: Task) -> bool:
        if my_task._get_internal_data(VALUE) is None and not my_task._get_internal_data(FIRED, False):
            cycle = parse_cycle(_expression_value(self, my_task), step_now(my_task))
            my_task._set_internal_data(**{VALUE: {
                "cycles": -1 if cycle.repetitions is None else cycle.repetitions,
                "next": isoformat(cycle.first), "period": duration_isoformat(cycle.period),
            }})
        return bool(my_task._get_internal_data(FIRED, False))

    def cycle_complete(self, my_task: Task) -> bool:
        value = my_task._get_internal_data(VALUE)
        if value is None:
            return False
        ready = False
        if my_task._get_internal_data(CYCLE_FIRED, False):
            my_task.internal_data.pop(CYCLE_FIRED, None)
            value = dict(value, next=isoformat(add(parse_instant(value["next"]), parse_duration(value["period"]))),
                         cycles=value["cycles"] - 1 if value["cycles"] > 0 else value["cycles"])
            ready = True
        if value["cycles"] == 0:
            my_task.internal_data.pop(VALUE, None)
            my_task._set_internal_data(**{FIRED: True})
        else:
            my_task._set_internal_data(**{VALUE: value})
        return ready


class StepStartCycle(TimerEventDefinition):
    """A cycle on a start event. The scheduler starts one instance per occurrence (engine/jobs/timer_starts.py),
    so inside an instance it fires once, like a date; the library's cycle would loop inside one instance."""

    def has_fired(self, my_task: Task) -> bool:
        if my_task._get_internal_data(VALUE) is None:
            cycle = parse_cycle(_expression_value(self, my_task), step_now(my_task))
            my_task._set_internal_data(**{VALUE: isoformat(cycle.first)})
        return bool(my_task._get_internal_data(FIRED, False))

    def details(self, my_task: Task) -> Any:
        return PendingBpmnEvent(self.name, self.__class__.__name__, my_task._get_internal_data(VALUE))


def is_timer(task: Task) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition) or bool(
        gateway_timers(task))


def gateway_timers(task: Task) -> list[GatewayMember]:
    """The timer branches of a waiting event-based gateway (empty for any other task)."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(task.task_spec, EventBasedGateway) or not isinstance(definition, MultipleEventDefinition):
        return []
    return [d for d in definition.event_definitions if isinstance(d, GatewayMember) and d.gateway_member]


def _first_gateway_timer(task: Task) -> tuple[datetime, GatewayMember] | None:
    """The gateway's earliest timer branch still to fire (the first drawn wins a tie)."""
    dues = []
    for order, member in enumerate(gateway_timers(task)):
        value = task._get_internal_data(member.key(VALUE))
        if value and not member.fired(task):
            dues.append((parse_instant(value), order, member))
    if not dues:
        return None
    due, _, member = min(dues, key=lambda entry: (entry[0], entry[1]))
    return due, member


def timer_due(task: Task) -> datetime | None:
    """When a waiting timer task is due, from what it decided when it started waiting."""
    if gateway_timers(task):
        first = _first_gateway_timer(task)
        return None if first is None else first[0]
    value = task._get_internal_data(VALUE)
    if isinstance(value, dict):
        return parse_instant(value["next"]) if value.get("cycles") != 0 else None
    return parse_instant(value) if value else None


def fire_timer(task: Task) -> None:
    """Mark a waiting timer fired and let the engine move its token (the caller runs the engine)."""
    first = _first_gateway_timer(task) if gateway_timers(task) else None
    if first is not None:
        task._set_internal_data(**{first[1].key(FIRED): True})
    elif isinstance(task.task_spec.event_definition, StepCycle):
        task._set_internal_data(**{CYCLE_FIRED: True})
    else:
        task._set_internal_data(**{FIRED: True})
    task.task_spec._update(task)


_STEP_CLOCK: dict[type, type] = {
    TimeDateEventDefinition: StepTimeDate,
    DurationTimerEventDefinition: StepDuration,
    CycleTimerEventDefinition: StepCycle,
}


class StepClockTimers:
    """Parser mixin: timer definitions become their step-clock counterparts."""

    timer_kinds: dict[type, type] = _STEP_CLOCK

    def parse_timer_event(self, event: Any) -> TimerEventDefinition:
        parsed = super().parse_timer_event(event)  # type: ignore[misc]
        kind = self.timer_kinds[type(parsed)]
        return kind(parsed.name, parsed.expression, description=parsed.description)  # type: ignore[no-any-return]


class StartEventParser(StepClockTimers, SpiffStartEventParser):
    timer_kinds: dict[type, type] = {**_STEP_CLOCK, CycleTimerEventDefinition: StepStartCycle}


class BoundaryEventParser(StepClockTimers, SpiffBoundaryEventParser):
    pass


class IntermediateCatchEventParser(StepClockTimers, SpiffIntermediateCatchEventParser):
    pass


class StepClockEventBasedGateway(EventBasedGateway):
    """The library moves each branch's event definition onto the gateway; a timer branch is marked
    with its catch event's id first, so that the job runner can fire that branch alone."""

    def connect(self, child: Any) -> None:
        definition = getattr(child, "event_definition", None)
        if isinstance(definition, GatewayMember):
            definition.gateway_member = child.bpmn_id
        super().connect(child)

    def _run_hook(self, my_task: Task) -> bool:
        chosen = super()._run_hook(my_task)
        # The branch is taken; the events seen (which hold this spec's own definitions) are not state.
        my_task.internal_data.pop("seen_events", None)
        return bool(chosen)


# Merged into the parser's OVERRIDE_PARSER_CLASSES (engine/definitions/parsing.py).
PARSER_OVERRIDES = {
    full_tag("eventBasedGateway"): (EventBasedGatewayParser, StepClockEventBasedGateway),
    full_tag("startEvent"): (StartEventParser, StartEvent),
    full_tag("boundaryEvent"): (BoundaryEventParser, BoundaryEvent),
    full_tag("intermediateCatchEvent"): (IntermediateCatchEventParser, IntermediateCatchEvent),
}
