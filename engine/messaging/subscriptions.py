"""What an instance's workflow waits for and throws, in message terms: subscriptions, start events, sent messages.

Correlation values are kept flat, by correlation property id (`{"order_id": "A1"}`); SpiffWorkflow
keeps them by correlation key (`{"order": {"order_id": "A1"}}`) — `flat` and `keyed` translate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from uuid import uuid5

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.errors import InvalidInput, N_


@dataclass(frozen=True)
class Subscription:
    task_id: str
    element: str
    name: str
    correlation: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SentMessage:
    name: str
    element: str | None
    correlation: dict[str, Any]
    data: Any


def flat(correlations: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for by_property in correlations.values():
        values.update(by_property)
    return values


def keyed(definition: MessageEventDefinition, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The flat values as SpiffWorkflow compares them: grouped by the correlation keys of the message."""
    correlations: dict[str, dict[str, Any]] = {}
    for prop in definition.correlation_properties:
        if prop.name in values:
            for key in prop.correlation_keys:
                correlations.setdefault(key, {})[prop.name] = values[prop.name]
    return correlations


def message_definitions(task: Any) -> list[MessageEventDefinition]:
    """The messages a waiting task catches: its own, or (an event-based gateway, a multiple event) its branches'."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MessageEventDefinition):
        return [definition]
    if isinstance(definition, MultipleEventDefinition):
        return [d for d in definition.event_definitions if isinstance(d, MessageEventDefinition)]
    return []


def _expected(task: Any, definition: MessageEventDefinition) -> dict[str, Any]:
    """The values a message must carry to reach this task: the instance's correlations on this message's keys."""
    keys = {key for prop in definition.correlation_properties for key in prop.correlation_keys}
    known = task.workflow.correlations
    return flat({key: known[key] for key in keys if key in known})


def waiting_messages(workflow: BpmnWorkflow) -> dict[str, Subscription]:
    """Every message a task of the instance (subprocesses included) waits for, by subscription key: the task id,
    or for a gateway waiting for several messages one id per message, derived from the task id and the name."""
    waiting = {}
    for task in workflow.event_manager.tasks.values():
        if task.state != TaskState.WAITING:
            continue
        definitions = message_definitions(task)
        for definition in definitions:
            key = str(task.id) if len(definitions) == 1 else str(uuid5(task.id, definition.name))
            waiting[key] = Subscription(key, task.task_spec.bpmn_id or task.task_spec.name, definition.name,
                                        _expected(task, definition))
    return waiting


def message_start(spec: Any, name: str) -> MessageEventDefinition | None:
    """The process's message start event for `name`, if it has one."""
    for event in getattr(spec, "bpmn_start_events", []):
        definition = getattr(event, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and definition.name == name:
            return definition
    return None


def starts_only_by_message(spec: Any) -> list[str]:
    """Names of the messages that start the process, when nothing else can (no plain start event)."""
    events = getattr(spec, "bpmn_start_events", [])
    names = [e.event_definition.name for e in events if isinstance(getattr(e, "event_definition", None),
                                                                    MessageEventDefinition)]
    return names if events and len(names) == len(events) else []


def take_sent_messages(workflow: BpmnWorkflow) -> list[SentMessage]:
    """Messages the instance threw that none of its own tasks caught; other events stay for their owners."""
    sent, others = [], []
    for event in workflow.bpmn_events:
        if isinstance(event.event_definition, MessageEventDefinition):
            sent.append(SentMessage(event.event_definition.name, _thrower(workflow, event.event_definition),
                                    flat(event.correlations), event.payload))
        else:
            others.append(event)
    workflow.bpmn_events = others
    return sent


def _thrower(workflow: BpmnWorkflow, definition: MessageEventDefinition) -> str | None:
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "event_definition", None) is definition:
                return task_spec.bpmn_id
    return None


def incoming_event(workflow: BpmnWorkflow, name: str, correlation: Mapping[str, Any], data: Any) -> BpmnEvent:
    """The event to hand the workflow: built on its own waiting definition, so SpiffWorkflow's matching applies.

    The receiving side reads the correlation values out of the data again (as the diagram's retrieval
    expressions say); data that does not carry them, or carries others, is refused here by name."""
    for task in workflow.event_manager.tasks.values():
        for definition in message_definitions(task):
            if definition.name != name:
                continue
            _check_carried(definition, workflow.script_engine, correlation, data)
            return BpmnEvent(definition, payload=data, correlations=keyed(definition, correlation))
    return BpmnEvent(MessageEventDefinition(name), payload=data, correlations={})


def _check_carried(definition: MessageEventDefinition, script_engine: Any, correlation: Mapping[str, Any],
                   data: Any) -> None:
    for prop in definition.correlation_properties:
        if not isinstance(data, dict):
            raise InvalidInput(N_("message '%(name)s' carries correlation property '%(property)s': its data must be a "
                                  "JSON object"), {"data": ["expected an object"]}, name=definition.name,
                               property=prop.name)
        try:
            value = script_engine.environment.evaluate(prop.retrieval_expression, data)
        except Exception as exc:  # noqa: BLE001 - any failure of the diagram's expression on this data
            raise InvalidInput(
                N_("message '%(name)s': the data does not carry correlation property '%(property)s' (the diagram "
                   "reads it as %(expression)s: %(error)s). Put it in the data."),
                {"data": [f"{prop.name} is missing"]},
                name=definition.name, property=prop.name, expression=repr(prop.retrieval_expression),
                error=f"{type(exc).__name__}: {exc}") from exc
        if prop.name in correlation and correlation[prop.name] != value:
            raise InvalidInput(
                N_("message '%(name)s': correlation %(property)s=%(sent)s but the data says %(value)s. Send the same "
                   "value in both."), {"correlation": [f"{prop.name} disagrees"]}, name=definition.name,
                property=prop.name, sent=repr(correlation[prop.name]), value=repr(value))


def describe_wait(name: str, correlation: Mapping[str, Any]) -> str:
    return f"message {name!r}" + (f" with correlation {dict(correlation)}" if correlation else "")
