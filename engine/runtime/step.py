"""One transaction's work on one instance: load, advance, record inputs and effects, save."""
from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Mapping
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from handlers.context import HandlerRegistry

from engine.definitions.calls import call_binding
from engine.definitions.migration import CAME_FROM, MigrationCheck, MigrationRefused, check_migration, migrate
from engine.definitions.service import LoadedDefinition
from engine.errors import CasedeskError, Conflict, N_, WorkflowFailed
from engine.history.eventlog import EFFECT, INPUT, chain_event
from engine.messaging.signals import ThrownSignal, thrown_signal, waiting_signals
from engine.messaging.subscriptions import waiting_messages
from engine.runtime.arrivals import Arrivals
from engine.runtime.binding import LateBindingWorkflow, Resolver
from engine.runtime.bpmn_errors import (BusinessErrorRaised, InstanceFailed, UncaughtError, throw_from_service,
                                        uncaught_end_error)
from engine.runtime.conditions import refresh_conditions
from engine.runtime.projection import StepProjection
from engine.runtime.routing import business_key
from engine.runtime.script_failures import describe_failure
from engine.runtime.service_calls import ServiceCalls
from engine.runtime.state import StateCodec
from engine.runtime.tasktree import compact, drop_orphaned_subprocesses, ready_engine_tasks, ready_manual_tasks
from engine.runtime.store import InstanceRecord, InstanceStore, TaskView
from engine.runtime.summary import KnownSummary
from engine.runtime.waits import ServiceParked, hold, pending_waits, stuck_services
from engine.sandbox.scripting import CasedeskScriptEngine


_ATOMS = frozenset({str, int, float, bool, type(None)})


def data_copy(value: Any) -> Any:
    """copy.deepcopy for task data, a quarter of its cost on what forms and scripts mostly put there (dicts, lists,
    texts, numbers): those are copied here, anything else by deepcopy. Unlike deepcopy it does not keep two
    references to one list as one: the copies are snapshots to compare and data to hand over, never aliased."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict:
        return {key: data_copy(item) for key, item in value.items()}
    if kind is list:
        return [data_copy(item) for item in value]
    return copy.deepcopy(value)


def data_delta(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    changed = {k: v for k, v in after.items() if k not in before or before[k] != v}
    return {"set": changed, "removed": sorted(k for k in before if k not in after)}


# An engine-only loop (scripts and gateways, no user task) can run many rounds inside one
# step; compacting every so often keeps even that step within SpiffWorkflow's walking depth.
COMPACT_EVERY = 150


def merged_branches(join: Task) -> list[str]:
    """Where the other tokens a join consumed came from: the library cancels the join tasks of
    the other incoming branches when it fires, so their flows would otherwise go unrecorded."""
    merged = []
    for other in join.workflow.get_tasks(spec_name=join.task_spec.name, state=TaskState.CANCELLED):
        source = other.internal_data.pop(CAME_FROM, None)
        if source is not None:
            merged.append(source)
    return sorted(merged)


def is_recorded(task: Task) -> bool:
    # Library-internal specs (Root, Start, EndJoin, End) carry no BPMN id and say nothing to an auditor.
    return getattr(task.task_spec, "bpmn_id", None) is not None


class InstanceStep(ServiceCalls, Arrivals, StepProjection):
    """Service calls, arrivals and the final projection are mixins (service_calls, arrivals, projection)."""

    def __init__(
        self,
        store: InstanceStore,
        record: InstanceRecord,
        definition: LoadedDefinition,
        environment: BasePythonScriptEngineEnvironment,
        handlers: HandlerRegistry,
        codec: StateCodec,
        now: datetime,
        warm: BpmnWorkflow | None = None,
        resolve: Resolver | None = None,
        summary: KnownSummary | None = None,
    ):
        self.store = store
        self.resolve = resolve  # a stored version's parsed specs by definition id (late-bound calls)
        self.row = record
        self.definition = definition
        self.handlers = handlers
        self.codec = codec
        self.now = now
        self.ready: list[TaskView] = []
        self._before: dict[UUID, dict[str, Any]] = {}
        self._completed_user_tasks: set[str] = set()
        self._events: list[dict[str, Any]] = []
        self._engine_tasks_run = 0
        self._merged_from: dict[UUID, list[str]] = {}
        self._script_engine = CasedeskScriptEngine(environment, self._call_handler, now)
        self.workflow = self._load(warm)
        # The instance's stored summary when known (kept warm with the workflow): written without a read.
        self.summary = summary
        self._outcome_at_load = (record.status, record.business_key, record.completed_at)
        self._ready_at_load = {str(t.id) for t in ready_manual_tasks(self.workflow)}
        self._waits_at_load = pending_waits(self.workflow)
        self._stuck_at_load = stuck_services(self.workflow)
        self.incidents_resolved_by: str | None = None
        self.parked: list[str] = []  # names of service tasks that failed in this step and wait (retry, incident)
        self._after_human_input = False  # service tasks get a default retry policy (human input is durable)
        # A person's submission (or start) is in this step: a handler's InvalidInput refuses it (a 422, nothing
        # stored) even when the service task has a retry policy of its own; a retry job has no one to refuse.
        self._person_gave_input = False
        self._definition_at_load = record.definition_id
        self._reproject = False  # a migration re-derives every inbox row from the new version
        self.failure: UncaughtError | None = None  # an error nobody caught: the instance fails in finish()
        self._messages_at_load = waiting_messages(self.workflow)
        self.mailroom: Any = None  # engine.messaging.delivery.Mailroom; replay delivers nothing
        self.message_depth = 0  # how many messages or signals in a row led to this step (a loop guard)
        self._signals_at_load = waiting_signals(self.workflow)
        self._thrown_signals: list[ThrownSignal] = []
        self.signals: Any = None  # engine.messaging.signals.SignalPost; replay broadcasts nothing

    def _load(self, warm: BpmnWorkflow | None) -> BpmnWorkflow:
        if warm is not None:
            workflow = warm
        elif self.row.state is None:
            raise WorkflowFailed(f"instance {self.row.id}: its stored state was not read and it is not warm")
        elif self.row.state:
            workflow = self.codec.load(self.row.state, self.definition.spec, self.definition.subprocess_specs,
                                       self.resolve)
        else:
            workflow = LateBindingWorkflow(self.definition.spec, self.definition.subprocess_specs)
        workflow.script_engine = self._script_engine
        if isinstance(workflow, LateBindingWorkflow):
            workflow.binder, workflow.resolve = self._bind_call, self.resolve
        return workflow

    def _bind_call(self, task: Task, called: str) -> LoadedDefinition | None:
        """A call activity starts: choose the called version by its binding and record the choice (an input,
        so replay binds the same version). None: the copy deployed with the caller."""
        binding, number = call_binding(task.task_spec)
        definition = self._bound_version(task, called, binding, number)
        self.record(INPUT, "call_bound", {"element": task.task_spec.bpmn_id, "process": called, "binding": binding,
                                          "version": None if definition is None else definition.version}, task=task)
        return definition

    def _bound_version(self, task: Task, called: str, binding: str, number: str | None) -> LoadedDefinition | None:
        """Live, the database says which version (replay overrides this with the recorded one)."""
        if binding == "deployment" or self.resolve is None:
            return None
        if binding == "version":
            definition_id = self.store.definition_id(called, int(number or 0))
            if definition_id is None:
                raise WorkflowFailed(f"{task.task_spec.bpmn_id} calls {called!r} version {number}, which is not "
                                     "deployed")
        else:
            definition_id = self.store.latest_definition_id(called)
            if definition_id is None:
                # Retired by its owner: the call starts nothing rather than an older copy the owner replaced.
                retired = self.store.retired_reason(called)
                if retired is not None:
                    raise WorkflowFailed(f"{task.task_spec.bpmn_id} calls {called!r}, but {retired}")
                return None  # not deployed on its own (only inside the caller's bundle): the caller's copy runs
        return self.resolve(definition_id)

    def record(self, category: str, type_: str, payload: dict[str, Any], actor: str | None = None,
               task: Task | None = None, task_id: str | None = None, task_spec: str | None = None) -> None:
        self._events.append(chain_event(
            self.row, self.now, category, type_, payload, actor=actor,
            task_id=str(task.id) if task is not None else task_id,
            task_spec=task.task_spec.name if task is not None else task_spec,
        ))

    def task(self, task_id: str) -> Task:
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, SpiffWorkflowException):
            task = None
        if task is None or task.state != TaskState.READY:
            raise Conflict(N_("task %(task)s is no longer ready"), task=task_id)
        return task

    def start(self, data: dict[str, Any], by_person: bool = False) -> None:
        self._person_gave_input = by_person
        for task in self.workflow.get_tasks(state=TaskState.READY):
            task.set_data(**data_copy(data))
        self.advance()

    def complete_user_task(self, task: Task, data: dict[str, Any], actor: str) -> None:
        before = data_copy(task.data)
        task.set_data(**data_copy(data))
        self._run(task.run, task)
        self._after_human_input = True
        self._person_gave_input = True
        self._completed_user_tasks.add(str(task.id))
        self._after_completion(task)
        self.record(EFFECT, "task_done", self._done_payload(task, before), actor=actor, task=task)
        self.advance()

    def cancel(self) -> None:
        self.workflow.cancel()
        self.row.status = "cancelled"
        self.row.completed_at = self.now

    def migrate(self, target: LoadedDefinition, actor: str) -> MigrationCheck:
        """Move the instance onto another version of its process: an owner's act, recorded as an input."""
        registry = self.codec.serializer.registry
        check = check_migration(self.workflow, target.spec, target.subprocess_specs, registry)
        if not check.can_move:
            raise MigrationRefused(check)
        self.record(INPUT, "instance_migrated", {
            "process": target.key, "from_version": self.definition.version, "to_version": target.version,
            "lost": [t.logged() for t in check.lost], "changed": [t.logged() for t in check.changed],
            "added": check.added}, actor=actor)
        self._run(lambda: migrate(self.workflow, target.spec, target.subprocess_specs, registry))
        self.definition = target
        self.row.definition_id = target.id
        self._reproject = True
        self.advance()
        return check

    def advance(self) -> None:
        """Run engine tasks until only user tasks and waits remain.

        The library's own loop can stop early when a task sits beyond its walking depth;
        after compaction it is within reach again, so keep going until nothing is ready.
        """
        while True:
            before = self._engine_tasks_run
            try:
                self._run(lambda: self.workflow.do_engine_steps(self._will_complete, self._did_complete))
            except ServiceParked as parked:
                # The failure is recorded; the task waits for its retry and the other branches go on.
                hold(parked.task)
                self.parked.append(getattr(parked.task.task_spec, "bpmn_name", None) or parked.task.task_spec.name)
                self._before.pop(parked.task.id, None)
                continue
            except BusinessErrorRaised as raised:
                self._before.pop(raised.task.id, None)
                self.failure = throw_from_service(raised)
                if self.failure is None:
                    continue
                return
            except InstanceFailed as failed:
                self.failure = failed.uncaught
                return
            stuck = ready_engine_tasks(self.workflow)
            if not stuck:
                if self._run(lambda: refresh_conditions(self.workflow)):
                    continue  # a condition became true: its event fires in the next round
                return
            compact(self.workflow)
            if self._engine_tasks_run == before:
                names = ", ".join(sorted({t.task_spec.name for t in stuck}))
                raise WorkflowFailed(f"instance {self.row.id}: engine tasks ready but not run: {names}")

    def _run(self, action: Any, task: Task | None = None) -> Any:
        try:
            return action()
        except CasedeskError:
            raise
        except SpiffWorkflowException as exc:
            cause = exc.__cause__ or getattr(exc, "exception", None)
            if isinstance(cause, CasedeskError):
                raise cause from exc
            raise WorkflowFailed(f"instance {self.row.id}: {describe_failure(exc)}") from exc
        except Exception as exc:
            where = f" at {task.task_spec.name}" if task is not None else ""
            raise WorkflowFailed(f"instance {self.row.id}{where}: {type(exc).__name__}: {exc}") from exc

    def _will_complete(self, task: Task) -> None:
        if is_recorded(task):
            # A multi-instance task merged its instances' outputs while they completed: what it
            # changed is measured from the data it started with, its parent's.
            started_with = task.parent if isinstance(task.task_spec, LoopTask) and task.parent else task
            self._before[task.id] = data_copy(started_with.data)

    def _did_complete(self, task: Task) -> None:
        if self.workflow.subprocesses:
            drop_orphaned_subprocesses(self.workflow)
        self._after_completion(task)
        if task.id in self._before:
            self.record(EFFECT, "task_done", self._done_payload(task, self._before.pop(task.id)), task=task)
        signal = thrown_signal(task)
        if signal is not None:
            self._thrown_signals.append(signal)
            self.record(EFFECT, "signal_thrown", {"name": signal.name, "element": signal.element, "data": signal.data},
                        task=task)
        uncaught = uncaught_end_error(task)
        if uncaught is not None:
            raise InstanceFailed(uncaught)  # stop here: nothing after an uncaught error may run
        self._engine_tasks_run += 1
        if self._engine_tasks_run % COMPACT_EVERY == 0:
            compact(self.workflow)

    def _after_completion(self, task: Task) -> None:
        # Each successor remembers the element its token came from: the sequence flow taken,
        # kept in the task's own state so that compaction cannot lose it (coverage, heatmap).
        came_from = task.task_spec.bpmn_id if is_recorded(task) else task.internal_data.get(CAME_FROM)
        if came_from is not None:
            for child in task.children:
                child.internal_data[CAME_FROM] = came_from
        if isinstance(task.task_spec, Join) and is_recorded(task):
            self._merged_from[task.id] = merged_branches(task)
        if is_recorded(task):
            key = self._evaluating(business_key, task)
            if key is not None and key != self.row.business_key:
                self.row.business_key = key
                self.record(EFFECT, "business_key_set", {"business_key": key}, task=task)

    def _evaluating(self, function: Any, task: Task, *args: Any) -> Any:
        return function(task, self._script_engine.evaluate, *args)

    def _done_payload(self, task: Task, before: dict[str, Any]) -> dict[str, Any]:
        payload = {
            "element": task.task_spec.bpmn_id,
            "process": task.workflow.spec.name,
            "from": task.internal_data.get(CAME_FROM),
            "kind": type(task.task_spec).__name__,
            "state": TaskState.get_name(task.state),
            "delta": data_delta(before, task.data),
        }
        merged = self._merged_from.pop(task.id, None)
        if merged:
            payload["merged_from"] = merged
        return payload
