"""Signals between instances: a thrown signal reaches every instance waiting for it and starts the
processes whose start event catches it — in the thrower's transaction.

Within one instance SpiffWorkflow delivers a signal itself. Across instances: the thrower records
the effect `signal_thrown` in its own step; after its step is saved, each other instance waiting
for the name (rows in `signal_subscription`, projected by every step) takes the signal in a step of
its own, recording the input `signal_received` (with the thrower); each process whose newest
version has a signal start event for the name gets a new instance (`instance_started` with
`signal`) that then receives it the same way. Everything commits or rolls back with the throw, and
replay of either side reproduces its own events. A signal nobody waits for is lost, as BPMN says.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, cast

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition as LibrarySignal
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.spiff.specs.event_definitions import SignalEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, Table, delete, insert, select

from engine.definitions.service import LoadedDefinition
from engine.errors import Conflict, N_
from engine.history.eventlog import INPUT
from engine.messaging.delivery import newest_loadable
from engine.messaging.signal_models import SignalSubscription

if TYPE_CHECKING:
    from engine.runtime.service import Runtime
    from engine.runtime.step import InstanceStep

SIGNAL_SUBSCRIPTIONS = cast(Table, SignalSubscription.__table__)
# A signal answered by a signal answered by … within one transaction: the diagrams loop.
MAX_DEPTH = 20


@dataclass(frozen=True)
class SignalWait:
    task_id: str
    element: str
    name: str


@dataclass(frozen=True)
class ThrownSignal:
    name: str
    element: str
    data: Any


def waiting_signals(workflow: BpmnWorkflow) -> dict[str, SignalWait]:
    """Every task of the instance (subprocesses included) waiting for a signal, by task id."""
    waiting = {}
    for task in workflow.event_manager.tasks.values():
        if task.state != TaskState.WAITING:
            continue
        definition = getattr(task.task_spec, "event_definition", None)
        # An event-based gateway (or a multiple event) waits for all of its branches' definitions at once.
        for item in getattr(definition, "event_definitions", [definition]):
            if isinstance(item, LibrarySignal):
                waiting[str(task.id)] = SignalWait(str(task.id), task.task_spec.bpmn_id or task.task_spec.name,
                                                   item.name)
                break
    return waiting


def thrown_signal(task: Task) -> ThrownSignal | None:
    """The signal a just-completed throw event sent (its payload evaluated as SpiffWorkflow did), or None."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(task.task_spec, ThrowingEvent) or not isinstance(definition, LibrarySignal):
        return None
    expression = getattr(definition, "expression", None)
    data = task.workflow.script_engine.evaluate(task, expression) if expression else None
    return ThrownSignal(definition.name, task.task_spec.bpmn_id, data)


def drop_signal_events(workflow: BpmnWorkflow) -> None:
    """Signals no task of this instance caught: other instances get them from `signal_thrown`, not from here."""
    workflow.bpmn_events = [e for e in workflow.bpmn_events if not isinstance(e.event_definition, LibrarySignal)]


def signal_event(name: str, data: Any) -> BpmnEvent:
    return BpmnEvent(SignalEventDefinition(name), payload=data)


def catches_signal(workflow: BpmnWorkflow, name: str) -> bool:
    event = signal_event(name, None)
    return any(t.task_spec.catches(t, event) for t in workflow.event_manager.tasks.values())


def signal_start(spec: Any, name: str) -> bool:
    return any(isinstance(getattr(e, "event_definition", None), LibrarySignal) and e.event_definition.name == name
               for e in getattr(spec, "bpmn_start_events", []))


def starts_only_by_signal(spec: Any) -> list[str]:
    """Names of the signals that start the process, when nothing else can (no plain start event)."""
    events = getattr(spec, "bpmn_start_events", [])
    names = [e.event_definition.name for e in events if isinstance(getattr(e, "event_definition", None), LibrarySignal)]
    return names if events and len(names) == len(events) else []


class SignalPost:
    """The runtime's side of signals: keeps subscription rows in step and broadcasts what steps threw."""

    def __init__(self, runtime: "Runtime"):
        self.runtime = runtime

    def project(self, conn: Connection, instance_id: str, before: Mapping[str, SignalWait],
                after: Mapping[str, SignalWait]) -> None:
        gone = [task_id for task_id, wait in before.items() if after.get(task_id) != wait]
        new = [wait for task_id, wait in after.items() if before.get(task_id) != wait]
        if gone:
            conn.execute(delete(SIGNAL_SUBSCRIPTIONS).where(SIGNAL_SUBSCRIPTIONS.c.instance_id == instance_id,
                                                            SIGNAL_SUBSCRIPTIONS.c.task_id.in_(gone)))
        if new:
            conn.execute(insert(SIGNAL_SUBSCRIPTIONS), [
                {"instance_id": instance_id, "task_id": w.task_id, "signal_name": w.name, "element": w.element}
                for w in new])

    def broadcast(self, step: "InstanceStep", signals: list[ThrownSignal]) -> None:
        """Hand each signal the step's instance threw to every other waiting instance and signal start."""
        conn = step.store.conn
        depth = step.message_depth + 1
        for signal in signals:
            if depth > MAX_DEPTH:
                raise Conflict(N_("signal '%(signal)s' is one of more than %(depth)s signals answering each other in "
                                  "one go; the diagrams loop. Nothing was stored."), signal=signal.name,
                               depth=MAX_DEPTH)
            sender = {"instance": step.row.id, "process": step.definition.key, "element": signal.element}
            reached = {step.row.id}
            for definition in self._starting(conn, signal.name):
                started = self.runtime.new_instance_step(conn, definition, step.row.started_by)
                started.message_depth = depth
                started.record(INPUT, "instance_started", {"process": definition.key, "version": definition.version,
                                                           "data": {}, "signal": signal.name})
                started.start({})
                started.finish(is_new=True)
                self._receive(conn, started.row.id, signal, sender, depth)
                reached.add(started.row.id)
            for instance_id in self._waiting(conn, signal.name):
                if instance_id not in reached:
                    self._receive(conn, instance_id, signal, sender, depth)

    def _receive(self, conn: Connection, instance_id: str, signal: ThrownSignal, sender: dict[str, Any],
                 depth: int) -> None:
        try:
            step = self.runtime.locked_step(conn, instance_id)
        except Conflict:
            return  # the instance ended earlier in this transaction: nothing waits there any more
        step.message_depth = depth
        if step.receive_signal(signal.name, signal.data, sender):
            step.finish()

    @staticmethod
    def _waiting(conn: Connection, name: str) -> list[str]:
        rows = conn.execute(select(SIGNAL_SUBSCRIPTIONS.c.instance_id).distinct()
                            .where(SIGNAL_SUBSCRIPTIONS.c.signal_name == name)
                            .order_by(SIGNAL_SUBSCRIPTIONS.c.instance_id))
        return list(rows.scalars())

    def _starting(self, conn: Connection, name: str) -> list[LoadedDefinition]:
        return [d for d in newest_loadable(conn, self.runtime.definitions) if signal_start(d.spec, name)]
