"""Replay: re-run an instance's recorded inputs through the step code on its pinned definition.

Inputs are the givens (start data, submissions, claims, service results, administrative
acts); everything else the log holds is an effect the engine produced from them. Replay
feeds the inputs, in order and at their recorded times, to the same `InstanceStep` the
live runtime uses — with an in-memory store and handlers that hand back the recorded
results instead of calling out — and compares each event it produces with the stored one.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.task import Task

from engine.definitions.service import LoadedDefinition
from engine.history.eventlog import GENESIS, INPUT, chain_event
from engine.history.replaycheck import Divergence, RecordedEvent, ReplayDiverged, TaskIdMap, compare_event, produced_summary
from engine.history.replayinputs import FED_BINDINGS, FED_INPUTS, INPUT_DRIVERS, OUTSIDE_STEP_EFFECTS, FedResults
from engine.history.replaystore import NoStateCodec, ReplayStore, NoJobStore
from engine.runtime.binding import Resolver
from engine.runtime.step import InstanceStep
from engine.runtime.store import InstanceRecord
from engine.runtime.tasktree import all_workflows

# Called with every replayed event row and the workflow as it stands when the row is recorded.
Observer = Callable[[dict[str, Any], BpmnWorkflow | None], None]
# Another stored version of a process (a migration's target), with why it cannot be trusted (or None).
VersionLoader = Callable[[str, int], tuple[LoadedDefinition, str | None]]


class ReplayStep(InstanceStep):
    """The live step, handing each event to replay the moment it is recorded."""

    replay: "Replay"

    def record(self, category: str, type_: str, payload: dict[str, Any], actor: str | None = None,
               task: Task | None = None, task_id: str | None = None, task_spec: str | None = None) -> None:
        super().record(category, type_, payload, actor, task, task_id, task_spec)
        self.replay.on_record(self._events[-1])

    def _job_store(self) -> Any:
        return NoJobStore()

    def _bound_version(self, task: Task, called: str, binding: str, number: str | None) -> LoadedDefinition | None:
        """The version the live call bound, from the log (never today's newest)."""
        recorded = self.replay.next_recorded()
        seq = self.replay.record.event_seq + 1
        if recorded is None or (recorded.category, recorded.type) != (INPUT, "call_bound"):
            raise ReplayDiverged(Divergence(seq, "event missing or out of order",
                                            f"replay starts the call {task.task_spec.bpmn_id} to {called!r} here, but "
                                            "the log records no binding", None if recorded is None
                                            else recorded.summary(), None))
        version = recorded.payload.get("version")
        if version is None:
            return None
        if self.replay.load_version is None:
            raise ReplayDiverged(Divergence(seq, "input not replayable", "no stored versions to bind calls to",
                                            recorded.summary(), None))
        definition, problem = self.replay.load_version(called, int(version))
        if problem is not None:
            raise ReplayDiverged(Divergence(seq, "pinned definition changed", problem, recorded.summary(), None))
        return definition


class Replay:
    """One instance's replay: walks the recorded events, one step per driving input."""

    def __init__(self, instance_id: str, started_by: str, events: list[RecordedEvent], definition: LoadedDefinition,
                 environment: BasePythonScriptEngineEnvironment, observer: Observer | None = None,
                 load_version: VersionLoader | None = None, resolve: Resolver | None = None):
        self.events = events
        self.load_version = load_version
        self.resolve = resolve
        self.definition = definition
        self.environment = environment
        self.observer = observer
        first_at = events[0].at if events else datetime.min
        self.record = InstanceRecord(
            id=instance_id, definition_id=definition.id, status="running", business_key=None, started_by=started_by,
            state="", event_seq=0, event_head=GENESIS, lock_version=1, created_at=first_at, updated_at=first_at,
            completed_at=None,
        )
        self.store = ReplayStore(self)
        self.ids = TaskIdMap()
        self.workflow: BpmnWorkflow | None = None
        self.codec = NoStateCodec()
        self.handlers = FedResults(self)

    # -- walking the log ------------------------------------------------------------------

    def run(self) -> Divergence | None:
        """Replay every input; the first divergence, or None when every event was reproduced."""
        try:
            while self.record.event_seq < len(self.events):
                event = self.events[self.record.event_seq]
                drivers = INPUT_DRIVERS if event.category == INPUT else OUTSIDE_STEP_EFFECTS
                driver = drivers.get(event.type)
                if driver is None:
                    raise ReplayDiverged(self._undriven(event))
                driver(self, event)
        except ReplayDiverged as exc:
            return exc.divergence
        return None

    def _undriven(self, event: RecordedEvent) -> Divergence:
        if event.category == INPUT and event.type not in FED_INPUTS and event.type not in FED_BINDINGS:
            return Divergence(event.seq, "input not replayable", f"no replay driver for input type {event.type!r}",
                              event.summary(), None)
        return Divergence(event.seq, "event not produced by replay",
                          f"the log holds {event.category} {event.type} ({event.task_spec or '-'}) here, "
                          "but replaying the inputs before it produces nothing more", event.summary(), None)

    def next_recorded(self) -> RecordedEvent | None:
        """The recorded event the next replayed event will be compared with."""
        index = self.record.event_seq
        return self.events[index] if index < len(self.events) else None

    def on_record(self, row: dict[str, Any]) -> None:
        """Compare a replayed event with the recorded one at once, then show it to the observer."""
        recorded = self.events[row["seq"] - 1] if row["seq"] <= len(self.events) else None
        divergence = compare_event(recorded, row, self.ids)
        if divergence is not None:
            raise ReplayDiverged(divergence)
        if self.observer is not None:
            self.observer(row, self.workflow)

    # -- steps ----------------------------------------------------------------------------

    def step(self, event: RecordedEvent) -> ReplayStep:
        step = ReplayStep(self.store, self.record, self.definition, self.environment, self.handlers, self.codec,
                          event.at, warm=self.workflow, resolve=self.resolve)
        step.replay = self
        self.workflow = step.workflow
        return step

    def run_step(self, event: RecordedEvent, work: Callable[[ReplayStep], None]) -> None:
        """Run one step; a failure inside it is a divergence at the event replay was about to produce."""
        step = self.step(event)
        try:
            work(step)
        except ReplayDiverged:
            raise
        except Exception as exc:  # noqa: BLE001 - any engine failure during replay is reported, not raised
            cause = _diverged_cause(exc)
            if cause is not None:
                raise cause from exc
            seq = self.record.event_seq + 1
            raise ReplayDiverged(Divergence(seq, "replay failed", f"{type(exc).__name__}: {exc}",
                                            self._recorded_summary(seq - 1), None)) from exc

    def _recorded_summary(self, index: int) -> dict[str, Any] | None:
        return self.events[index].summary() if index < len(self.events) else None

    def replayed_task_id(self, event: RecordedEvent) -> str:
        task_id = self.ids.replayed(event.task_id)
        if task_id is None:
            raise ReplayDiverged(Divergence(event.seq, "input not replayable",
                                            f"{event.type} names task {event.task_id}, which replay never made ready",
                                            event.summary(), None))
        return task_id

    def held_task(self, step: ReplayStep, event: RecordedEvent, element: str | None) -> Task:
        """The waiting task an input names (a timer, a parked service call). A timer's task never
        appeared in an earlier event, so an unknown id is paired with the waiting task of the same
        element — the first in tree order not paired yet."""
        known = self.ids.replayed(event.task_id)
        task = step.waiting_task(known) if known is not None else None
        if task is None and known is None:
            paired = set(self.ids.to_recorded)
            task = next((t for t in _tree_order(step.workflow) if t.task_spec.bpmn_id == element
                         and str(t.id) not in paired and step.waiting_task(str(t.id)) is not None), None)
        if task is None:
            raise ReplayDiverged(Divergence(event.seq, "input not replayable",
                                            f"{event.type} names {element}, which does not wait in the replay",
                                            event.summary(), None))
        return task

    def chain_only(self, event: RecordedEvent, task_id: str | None) -> dict[str, Any]:
        """Record an event that does not move the workflow (a claim), as the live runtime does."""
        row = chain_event(self.record, event.at, event.category, event.type, event.payload, actor=event.actor,
                          task_id=task_id, task_spec=event.task_spec)
        self.on_record(row)
        return row


def _tree_order(workflow: BpmnWorkflow) -> list[Task]:
    tasks: list[Task] = []
    for wf in all_workflows(workflow):
        stack = [wf.task_tree]
        while stack:
            node = stack.pop()
            tasks.append(node)
            stack.extend(reversed(node.children))
    return tasks


def _diverged_cause(exc: BaseException) -> ReplayDiverged | None:
    seen = 0
    node: BaseException | None = exc
    while node is not None and seen < 10:
        if isinstance(node, ReplayDiverged):
            return node
        node = node.__cause__ or node.__context__
        seen += 1
    return None

__all__ = ["Replay", "ReplayStep", "INPUT_DRIVERS", "FED_INPUTS", "produced_summary"]
