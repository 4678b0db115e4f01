"""Replay: re-run an instance's recorded inputs through the step code on its pinned definition.

Inputs are the givens (start data, submissions, claims, service results, administrative
acts); everything else the log holds is an effect the engine produced from them. Replay
feeds the inputs, in order and at their recorded times, to the same `InstanceStep` the
live runtime uses — with an in-memory store and handlers that hand back the recorded
results instead of calling out — and compares each event it produces with the stored one.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Callable, Iterable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.task import Task

from handlers.context import BpmnError

from engine.definitions.service import LoadedDefinition
from engine.history.eventlog import GENESIS, INPUT, chain_event
from engine.runtime.store import InstanceRecord, InstanceStore, TaskView
from engine.history.replaycheck import Divergence, RecordedEvent, ReplayDiverged, TaskIdMap, compare_event, produced_summary
from engine.runtime.binding import Resolver
from engine.runtime.step import InstanceStep
from engine.runtime.state import StateCodec, all_workflows

# Called with every replayed event row and the workflow as it stands when the row is recorded.
Observer = Callable[[dict[str, Any], BpmnWorkflow | None], None]
# Another stored version of a process (a migration's target), with why it cannot be trusted (or None).
VersionLoader = Callable[[str, int], tuple[LoadedDefinition, str | None]]


class NoStateCodec(StateCodec):
    """Replay keeps its workflow in memory between steps; the state is dumped once, at the end."""

    def dump(self, workflow: BpmnWorkflow) -> str:
        return ""


class _NoSavepoint:
    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


class _NoDatabase:
    """What replay's step sees as its connection: handlers are never called, so the savepoint a
    retried service call opens around its handler has nothing to protect."""

    def begin_nested(self) -> _NoSavepoint:
        return _NoSavepoint()


class _NoJobStore:
    """Replay projects no job or incident rows: they are the runtime's bookkeeping, not history."""

    def sync_waits(self, *args: Any, **kwargs: Any) -> None:
        pass

    def sync_incidents(self, *args: Any, **kwargs: Any) -> None:
        pass

    def open_failure_incident(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close_failure_incidents(self, *args: Any, **kwargs: Any) -> None:
        pass


class ReplayStore(InstanceStore):
    """The step's statements, answered in memory; written events go to the comparison."""

    def __init__(self, replay: "Replay"):
        super().__init__(conn=_NoDatabase(), lock_rows=False)  # type: ignore[arg-type]
        self.replay = replay
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
        pass  # the record already names the new version

    def set_assignee(self, task_id: str, assignee: str | None) -> None:
        self.inbox[task_id] = replace(self.inbox[task_id], assignee=assignee)

    def insert_events(self, rows: list[dict[str, Any]]) -> None:
        pass  # each row was compared the moment the step recorded it


class ReplayStep(InstanceStep):
    """The live step, handing each event to replay the moment it is recorded."""

    replay: "Replay"

    def record(self, category: str, type_: str, payload: dict[str, Any], actor: str | None = None,
               task: Task | None = None, task_id: str | None = None, task_spec: str | None = None) -> None:
        super().record(category, type_, payload, actor, task, task_id, task_spec)
        self.replay.on_record(self._events[-1])

    def _job_store(self) -> Any:
        return _NoJobStore()

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


class FedResults(dict):  # type: ignore[type-arg]
    """Handlers for replay: every operator answers with the result recorded at this point of the log."""

    def __init__(self, replay: Replay):
        super().__init__()
        self.replay = replay

    def get(self, operator: str, default: Any = None) -> Callable[..., Any]:
        return lambda context, **params: self._recorded_result(operator, params)

    def __contains__(self, operator: object) -> bool:
        return True

    def _recorded_result(self, operator: str, params: dict[str, Any]) -> Any:
        recorded = self.replay.next_recorded()
        feed = FED_INPUTS.get(recorded.type) if recorded is not None and recorded.category == INPUT else None
        if recorded is None or feed is None:
            seq = self.replay.record.event_seq + 1
            raise ReplayDiverged(Divergence(
                seq, "service call not in the log",
                f"replay calls operator {operator!r} here but the log holds no recorded result",
                recorded.summary() if recorded is not None else None, {"operator": operator, "params": params}))
        return feed(recorded, operator, params)


# -- the input table: one entry per input type ---------------------------------------------------

def _started(replay: Replay, event: RecordedEvent) -> None:
    payload = event.payload
    if (payload.get("process"), payload.get("version")) != (replay.definition.key, replay.definition.version):
        raise ReplayDiverged(Divergence(event.seq, "input names another definition",
                                        f"started as {payload.get('process')} v{payload.get('version')}, but the "
                                        f"instance pins {replay.definition.key} v{replay.definition.version}",
                                        event.summary(), None))

    def work(step: ReplayStep) -> None:
        step.record(INPUT, event.type, payload, actor=event.actor)
        step.start(payload.get("data") or {})
        fired = replay.next_recorded()
        if payload.get("timer") and fired is not None and fired.type == "timer_fired":
            # A timer start event: the same step fires the start timer that made the instance.
            step.fire_timer(replay.held_task(step, fired, payload["timer"]), fired.payload.get("due", ""),
                            fired.payload.get("worker", ""))
        step.finish(is_new=True)
    replay.run_step(event, work)


def _submitted(replay: Replay, event: RecordedEvent) -> None:
    task_id = replay.replayed_task_id(event)

    def work(step: ReplayStep) -> None:
        task = step.task(task_id)
        step.record(INPUT, event.type, event.payload, actor=event.actor, task=task)
        step.complete_user_task(task, event.payload.get("data") or {}, event.actor or "")
        step.finish()
    replay.run_step(event, work)


def _claim(assignee_of: Callable[[RecordedEvent], str | None]) -> Callable[[Replay, RecordedEvent], None]:
    def drive(replay: Replay, event: RecordedEvent) -> None:
        task_id = replay.replayed_task_id(event)
        if task_id not in replay.store.inbox:
            raise ReplayDiverged(Divergence(event.seq, "input not replayable",
                                            f"{event.type} names a task that is not in the replayed inbox",
                                            event.summary(), None))
        replay.store.set_assignee(task_id, assignee_of(event))
        replay.chain_only(event, task_id)
    return drive


def _timer_fired(replay: Replay, event: RecordedEvent) -> None:
    def work(step: ReplayStep) -> None:
        task = replay.held_task(step, event, event.payload.get("element"))
        step.fire_timer(task, event.payload.get("due", ""), event.payload.get("worker", ""))
        step.finish()
    replay.run_step(event, work)


def _retried(replay: Replay, event: RecordedEvent) -> None:
    """A parked service task run again: by its retry job, or by an administrator (incident)."""
    payload = dict(event.payload)
    element = payload.pop("element", None)
    if "job" in payload:  # a failed job put back in the queue: no step, only the record
        replay.chain_only(event, replay.ids.replayed(event.task_id))
        return

    def work(step: ReplayStep) -> None:
        task = replay.held_task(step, event, element)
        step.retry_service(task, event.type, payload, actor=event.actor)
        step.finish()
    replay.run_step(event, work)


def _outside_effect(replay: Replay, event: RecordedEvent) -> None:
    """An event the worker records outside any step (a job that kept failing opens an incident):
    no input of the instance produces it, so replay takes it as given."""
    if "job" not in event.payload:  # a service task's incident is opened by its step: replay makes it
        raise ReplayDiverged(replay._undriven(event))
    replay.chain_only(event, replay.ids.replayed(event.task_id) or event.task_id)


def _cancelled(replay: Replay, event: RecordedEvent) -> None:
    def work(step: ReplayStep) -> None:
        step.record(INPUT, event.type, event.payload, actor=event.actor)
        step.cancel()
        step.finish()
    replay.run_step(event, work)


def _migrated(replay: Replay, event: RecordedEvent) -> None:
    """An owner moved the instance to another version: load that stored version and move the replay too."""
    payload, current = event.payload, replay.definition
    if (payload.get("process"), payload.get("from_version")) != (current.key, current.version):
        raise ReplayDiverged(Divergence(event.seq, "input names another definition",
                                        f"migrated from {payload.get('process')} v{payload.get('from_version')}, "
                                        f"but the replay runs {current.key} v{current.version}",
                                        event.summary(), None))
    if replay.load_version is None:
        raise ReplayDiverged(Divergence(event.seq, "input not replayable", "no stored versions to migrate to",
                                        event.summary(), None))
    target, problem = replay.load_version(current.key, int(payload.get("to_version", 0)))
    if problem is not None:
        raise ReplayDiverged(Divergence(event.seq, "pinned definition changed", problem, event.summary(), None))

    def work(step: ReplayStep) -> None:
        step.migrate(target, event.actor or "")
        step.finish()
    replay.run_step(event, work)
    replay.definition = target


def _message_received(replay: Replay, event: RecordedEvent) -> None:
    """A message reached the instance: hand it the same message; what it sends in turn is compared."""
    payload = event.payload

    def work(step: ReplayStep) -> None:
        step.receive_message(payload.get("name", ""), payload.get("correlation") or {}, payload.get("data"),
                             payload.get("from") or {}, event.actor)
        step.finish()
    replay.run_step(event, work)


def _signal_received(replay: Replay, event: RecordedEvent) -> None:
    """Another instance's signal reached this one: catch the same signal; what follows is compared."""
    payload = event.payload

    def work(step: ReplayStep) -> None:
        if not step.receive_signal(payload.get("name", ""), payload.get("data"), payload.get("from") or {}):
            raise ReplayDiverged(Divergence(event.seq, "input not replayable",
                                            f"signal {payload.get('name')!r} arrives, but the replay does not wait "
                                            "for it", event.summary(), None))
        step.finish()
    replay.run_step(event, work)


def _service_result(recorded: RecordedEvent, operator: str, params: dict[str, Any]) -> Any:
    # The step records operator and params from its own evaluation; comparing that row with
    # this one shows a call with other parameters. Only the result is taken from the log.
    error = recorded.payload.get("bpmn_error")
    if error is not None:  # the handler raised a business error: raise it again, the step throws it
        raise BpmnError(str(error.get("code", "")), str(error.get("message", "")), error.get("data") or {})
    return recorded.payload.get("result")


def _service_failed(recorded: RecordedEvent, operator: str, params: dict[str, Any]) -> Any:
    """Fail the call the way it failed live: the step records `Type: message` of what the handler
    raised, so an exception of that name and message reproduces the recorded error exactly."""
    error = str(recorded.payload.get("error", ""))
    name, _, message = error.partition(": ")
    failure = type(name if name.isidentifier() else "RecordedFailure", (Exception,), {})
    raise failure(message)


# Inputs that start a step (or, for claims, are a step of their own).
INPUT_DRIVERS: dict[str, Callable[[Replay, RecordedEvent], None]] = {
    "instance_started": _started,
    "task_claimed": _claim(lambda event: event.actor),
    # engine/runtime/handover.py: the payload names who holds the task afterwards
    "task_reassigned": _claim(lambda event: event.payload.get("to")),
    "task_delegated": _claim(lambda event: event.payload.get("to")),
    "task_released": _claim(lambda event: None),
    "task_unclaimed": _claim(lambda event: None),
    "task_submitted": _submitted,
    "instance_cancelled": _cancelled,
    "timer_fired": _timer_fired,
    "service_retried": _retried,
    "incident_retried": _retried,
    "instance_migrated": _migrated,
    "message_received": _message_received,
    "signal_received": _signal_received,
}
# Effects the runtime records outside any step (so no replayed input produces them).
OUTSIDE_STEP_EFFECTS: dict[str, Callable[[Replay, RecordedEvent], None]] = {
    "incident_opened": _outside_effect,
}
# Inputs a step consumes while it runs, in place of calling out.
FED_INPUTS: dict[str, Callable[[RecordedEvent, str, dict[str, Any]], Any]] = {
    "service_result": _service_result,
    "service_failed": _service_failed,
}

# Inputs a step consumes when a call activity starts (ReplayStep._bound_version).
FED_BINDINGS = ("call_bound",)

__all__ = ["Replay", "INPUT_DRIVERS", "FED_INPUTS", "produced_summary"]
