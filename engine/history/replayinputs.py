"""Replay's input table: one driver per recorded input type, and the recorded results fed to handlers."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from handlers.context import BpmnError

from engine.history.eventlog import INPUT
from engine.history.replaycheck import Divergence, RecordedEvent, ReplayDiverged

if TYPE_CHECKING:
    from engine.history.replay import Replay, ReplayStep


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
