"""Test runs: a process (a draft bundle or a stored version) run in memory with scripted answers.

The same step code as the live runtime runs it (parse and validate as deploy does, the same sandbox,
routing and form checks); user tasks take scripted answers by element id, in order, and service tasks
take scripted results instead of calling their handlers. The run reports the elements completed in
order with the data after each, the sequence flows taken, and where and why it stopped.
"""
from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.definitions.service import LoadedDefinition
from engine.definitions.testrun_step import DraftStep, DraftStore, NoScriptedResult, RecordedStep, jsonable
from engine.errors import CasedeskError, InvalidInput, N_
from engine.history.coverage import Flow
from engine.history.eventlog import GENESIS, INPUT
from engine.messaging.subscriptions import describe_wait, waiting_messages
from engine.messaging.signals import waiting_signals
from engine.runtime.binding import Resolver
from engine.runtime.projection import form_files
from engine.runtime.state import StateCodec
from engine.runtime.tasktree import has_unfinished_work, ready_manual_tasks
from engine.runtime.store import InstanceRecord
from engine.clock import isoformat
from engine.runtime.waits import Wait, pending_waits, stuck_services

FieldErrors = Callable[[dict[str, Any]], dict[str, list[str]]]
FormCompiler = Callable[[dict[str, Any]], FieldErrors]

# Why a run stopped; every kind but `completed` names the element it stopped at.
STOP_KINDS = ("completed", "user_task", "answer_refused", "timer", "message", "signal", "service", "incident",
              "failed", "error")
TEST_ACTOR = "test-run"


@dataclass(frozen=True)
class TestScript:
    """What a test run is given: start data, user-task answers and service results by element id, in order."""

    __test__ = False  # not a pytest class

    data: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    results: dict[str, list[Any]] = field(default_factory=dict)
    # Waiting timers to fire, by element id in order — only when no scripted answer can move the run.
    timers: list[str] = field(default_factory=list)
    # Messages to deliver, in order ({name, correlation, data}) — when the run waits for that name.
    messages: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, value: Any) -> "TestScript":
        """Checked input; anything malformed is refused with the place named."""
        if not isinstance(value, dict):
            raise InvalidInput(N_("a test script must be a JSON object"), {"": ["must be a JSON object"]})
        errors: dict[str, list[str]] = {}
        unknown = sorted(set(value) - {"data", "answers", "results", "timers", "messages"})
        if unknown:
            errors[""] = [f"unknown key(s): {', '.join(unknown)} (allowed: data, answers, results, timers, messages)"]
        messages = value.get("messages", [])
        if not isinstance(messages, list) or not all(
                isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("correlation", {}), dict)
                and set(m) <= {"name", "correlation", "data"} for m in messages):
            errors["messages"] = ['must be a list of {"name": …, "correlation": {…}, "data": …}, in order']
            messages = []
        timers = value.get("timers", [])
        if not isinstance(timers, list) or not all(isinstance(t, str) for t in timers):
            errors["timers"] = ["must be a list of timer element ids, in the order they are to fire"]
            timers = []
        data = value.get("data", {})
        if not isinstance(data, dict):
            errors["data"] = ["start data must be a JSON object"]
        answers = _queues(value.get("answers", {}), "answers", errors, objects=True)
        results = _queues(value.get("results", {}), "results", errors, objects=False)
        if errors:
            raise InvalidInput(N_("the test script has errors; nothing was run"), errors)
        return cls(data=data, answers=answers, results=results, timers=list(timers), messages=list(messages))

    def as_json(self) -> dict[str, Any]:
        value = {"data": self.data, "answers": self.answers, "results": self.results}
        if self.timers:
            value["timers"] = self.timers
        if self.messages:
            value["messages"] = self.messages
        return value


def _queues(value: Any, where: str, errors: dict[str, list[str]], objects: bool) -> dict[str, list[Any]]:
    if not isinstance(value, dict):
        errors[where] = ["must be an object: element id → list of " + ("answers" if objects else "results")]
        return {}
    queues: dict[str, list[Any]] = {}
    for element, items in value.items():
        if not isinstance(items, list):
            errors[f"{where}.{element}"] = ["must be a list, in the order the element is reached"]
        elif objects and not all(isinstance(item, dict) for item in items):
            errors[f"{where}.{element}"] = ["every answer must be a JSON object (the form's data)"]
        else:
            queues[str(element)] = list(items)
    return queues


@dataclass(frozen=True)
class Stop:
    kind: str  # one of STOP_KINDS
    element: str | None
    message: str  # in words, for the owner


@dataclass
class TestRun:
    key: str
    version: int | None  # None: a draft not deployed
    steps: list[RecordedStep]
    flows: list[str]  # sequence flow ids taken, in order
    stop: Stop
    data: dict[str, Any]
    waiting: list[str] = field(default_factory=list)  # elements a token waits at when the run stopped
    unused: dict[str, int] = field(default_factory=dict)  # scripted answers/results never used, by element
    state: str = ""  # the serialized state where it stopped, as the live runtime would have stored it

    @property
    def path(self) -> list[str]:
        return [s.element for s in self.steps]

    def as_json(self) -> dict[str, Any]:
        return {"process": self.key, "version": self.version, "path": self.path, "flows": self.flows,
                "steps": [asdict(s) for s in self.steps], "stop": asdict(self.stop), "data": self.data,
                "waiting": self.waiting, "unused": self.unused}


class TestRunner:
    """Runs one script on one loaded process; `flows` are its diagram's sequence flows (to name those taken)."""

    def __init__(self, definition: LoadedDefinition, flows: list[Flow], environment: BasePythonScriptEngineEnvironment,
                 compile_form: FormCompiler, now: datetime, resolve: Resolver | None = None):
        self.definition = definition
        self.flow_ids = {(f.source, f.target): f.id for f in flows}
        self.environment = environment
        self.compile_form = compile_form
        self.now = now
        self.resolve = resolve

    def run(self, script: TestScript, version: int | None) -> TestRun:
        answers = copy.deepcopy(script.answers)
        results = copy.deepcopy(script.results)
        self.timers = list(script.timers)
        self.messages = copy.deepcopy(script.messages)
        self.clock_at = self.now
        record = InstanceRecord(
            id="test-run", definition_id=self.definition.id, status="running", business_key=None,
            started_by=TEST_ACTOR, state="", event_seq=0, event_head=GENESIS, lock_version=1,
            created_at=self.now, updated_at=self.now, completed_at=None)
        store, steps, events = DraftStore(), [], []  # type: ignore[var-annotated]
        # The real codec: each step's state is serialized as live, so data that could not be stored stops the run.
        codec = StateCodec()
        workflow = None
        stop: Stop | None = None
        first = True
        while stop is None:
            timer = None if first else self._timer_to_fire(workflow, answers)
            if timer is not None:
                # Time passes up to the timer: the step that fires it, and those after, run at its due time.
                self.clock_at = max(self.clock_at, timer.due)
            step = DraftStep(store, record, self.definition, self.environment, {}, codec, self.clock_at,
                             warm=workflow, resolve=self.resolve)
            step.results, step.steps, step.events = results, steps, events
            workflow = step.workflow
            starting, first = first, False
            try:
                if starting:
                    step.record(INPUT, "instance_started", {"process": self.definition.key, "data": script.data},
                                actor=TEST_ACTOR)
                    step.start(copy.deepcopy(script.data))
                else:
                    stop = self._answer_next(step, answers, timer)
                    if stop is not None:
                        break
                step.finish(is_new=starting)
            except NoScriptedResult as missing:
                stop = Stop("service", missing.element, str(missing))
                break
            except CasedeskError as exc:
                stop = Stop("error", None, str(exc))
                break
            except Exception as exc:  # noqa: BLE001 - a test run reports what would fail live, in words
                stop = Stop("error", None, f"{type(exc).__name__}: {exc}")
                break
            stop = self._stopped(step, answers)
        unused = {k: len(v) for k, v in {**answers, **results}.items() if v}
        for element in self.timers:
            unused[element] = unused.get(element, 0) + 1
        for message in self.messages:
            unused[f"message {message['name']}"] = unused.get(f"message {message['name']}", 0) + 1
        waiting = sorted({t.task_spec.bpmn_id for t in ready_manual_tasks(workflow)}) if workflow else []
        return TestRun(self.definition.key, version, steps, self._flows_taken(events), stop,
                       _data(workflow, steps, script.data), waiting, unused, record.state)

    def _answer_next(self, step: DraftStep, answers: dict[str, list[dict[str, Any]]],
                     timer: Wait | None) -> Stop | None:
        """Complete the first ready user task that has an answer left (a refused answer stops the run),
        else fire the timer the script names next."""
        if timer is not None:
            self.timers.pop(0)
            step.fire_timer(step.waiting_task(timer.task_id), isoformat(timer.due), TEST_ACTOR)
            return None
        for task in ready_manual_tasks(step.workflow):
            element = task.task_spec.bpmn_id
            if not answers.get(element):
                continue
            answer = answers[element].pop(0)
            form_file, _ui = form_files(task)
            if form_file is not None:
                schema = self.definition.forms.get(form_file)
                errors = self.compile_form(schema)(answer) if schema is not None else {
                    "": [f"form {form_file} is not part of the bundle"]}
                if errors:
                    detail = "; ".join(f"{k or '(form)'}: {', '.join(v)}" for k, v in sorted(errors.items()))
                    return Stop("answer_refused", element, f"the answer for {element} is refused by its form "
                                                           f"{form_file}: {detail}")
            step.record(INPUT, "task_submitted", {"data": answer}, actor=TEST_ACTOR, task=task)
            step.complete_user_task(task, answer, TEST_ACTOR)
            return None
        if self._message_to_deliver(step.workflow):
            message = self.messages.pop(0)
            step.receive_message(message["name"], message.get("correlation", {}), message.get("data"),
                                 {"test_run": TEST_ACTOR}, actor=TEST_ACTOR)
            return None
        raise AssertionError("_stopped lets the run go on only when an answer is left")  # pragma: no cover

    def _stopped(self, step: DraftStep, answers: dict[str, list[dict[str, Any]]]) -> Stop | None:
        """Where the run stands after a step: None when a scripted answer can move it on."""
        workflow = step.workflow
        if step.failure is not None:
            return Stop("failed", step.failure.as_payload().get("element"), step.failure.describe())
        if not has_unfinished_work(workflow) or step.row.status == "completed":
            return Stop("completed", None, "the process completed")
        ready = ready_manual_tasks(workflow)
        if (any(answers.get(t.task_spec.bpmn_id) for t in ready) or self._message_to_deliver(workflow)
                or self._timer_to_fire(workflow, answers)):
            return None
        stuck = stuck_services(workflow)
        if stuck:
            service = next(iter(stuck.values()))
            return Stop("incident", service.element, f"service task {service.element} failed and waits for an "
                                                      f"administrator: {service.error}")
        if ready:
            task = ready[0]
            name = getattr(task.task_spec, "bpmn_name", None) or task.task_spec.bpmn_id
            return Stop("user_task", task.task_spec.bpmn_id,
                        f"waiting on user task {task.task_spec.bpmn_id} ({name}), which has no scripted answer left")
        waits = sorted(pending_waits(workflow).values(), key=lambda w: w.due)
        if waits:
            wait = waits[0]
            what = "a retry of service task" if wait.kind == "retry" else "a timer at"
            return Stop("timer" if wait.kind == "timer" else "incident", wait.element,
                        f"waiting for {what} {wait.element}, due {wait.due.isoformat()}")
        messages = sorted(waiting_messages(workflow).values(), key=lambda m: (m.element, m.name))
        if messages:
            first = messages[0]
            return Stop("message", first.element, f"waiting at {first.element} for "
                                                  f"{describe_wait(first.name, first.correlation)}")
        signals = sorted(waiting_signals(workflow).values(), key=lambda w: (w.element, w.name))
        if signals:
            return Stop("signal", signals[0].element, f"waiting at {signals[0].element} for signal {signals[0].name!r}")
        return Stop("error", None, "the process neither completed nor waits for anything a test run can give")

    def _message_to_deliver(self, workflow: Any) -> bool:
        """Whether the run waits for the message the script delivers next (its correlation is checked on delivery)."""
        return bool(self.messages) and any(waiting.name == self.messages[0]["name"]
                                           for waiting in waiting_messages(workflow).values())

    def _timer_to_fire(self, workflow: Any, answers: dict[str, list[dict[str, Any]]]) -> Wait | None:
        """The waiting timer the script fires next — only when no scripted answer can move the run."""
        if not self.timers or self._message_to_deliver(workflow) or any(
                answers.get(t.task_spec.bpmn_id) for t in ready_manual_tasks(workflow)):
            return None
        return next((w for w in sorted(pending_waits(workflow).values(), key=lambda w: w.due)
                     if w.kind == "timer" and w.element == self.timers[0]), None)

    def _flows_taken(self, events: list[dict[str, Any]]) -> list[str]:
        """Sequence flow ids in the order tokens took them (a user task counts once: ready, then done)."""
        seen: set[str] = set()
        taken = []
        for event in events:
            if event["type"] not in ("task_ready", "task_done") or event["task_id"] in seen:
                continue
            payload = json.loads(event["payload"])
            sources = [payload.get("from"), *payload.get("merged_from", [])]
            hit = False
            for source in sources:
                flow = self.flow_ids.get((source, payload.get("element")))
                if flow is not None:
                    taken.append(flow)
                    hit = True
            if hit or payload.get("from") is None:
                seen.add(event["task_id"])
        return taken


def _data(workflow: Any, steps: list[RecordedStep], start: dict[str, Any]) -> dict[str, Any]:
    """The data where the run stopped: the process's own when it completed, else the last step's."""
    if workflow is not None and not has_unfinished_work(workflow):
        return jsonable(workflow.data)
    return steps[-1].data if steps else jsonable(start)


def compare(expected: Mapping[str, Any], run: TestRun) -> list[str]:
    """How a run differs from a saved expectation (path and where it stopped); empty: it passes."""
    differences = []
    if list(expected.get("path", [])) != run.path:
        differences.append(f"path: expected {' → '.join(expected.get('path', [])) or '(none)'}, "
                           f"got {' → '.join(run.path) or '(none)'}")
    stop = expected.get("stop", {})
    if (stop.get("kind"), stop.get("element")) != (run.stop.kind, run.stop.element):
        differences.append(f"stop: expected {stop.get('kind')} at {stop.get('element') or '-'}, "
                           f"got {run.stop.kind} at {run.stop.element or '-'} ({run.stop.message})")
    return differences
