"""Conformance harness: drive a small BPMN diagram through the real runtime, warm and cold.

Every test in `tests/bpmn/` runs on SQLite and PostgreSQL (the `database_url` fixture). A test
gets a `desk` — casedesk on a fresh database with a fake clock — parameterised over two modes:

- ``warm``: one long-lived casedesk serves every step, keeping each instance's workflow in
  memory between steps (what one web worker does);
- ``cold``: every step (start, complete, timer run) is served by a freshly bootstrapped
  casedesk, as if another web worker or job worker took the request: no warm workflow and no
  parsed definition in memory, so the step restores the stored state against a freshly
  parsed spec.

When the test ends, the harness asserts that every instance it started replays verified.

Writing `tests/bpmn/test_<topic>.py`::

    from tests.bpmn.conftest import Desk, diagram

    LOOP = diagram("loop", '''
        <bpmn:startEvent id="start" /> ... ''')     # a process body; or a file in diagrams/

    def test_a_loop_ends_when_its_condition_holds(desk: Desk) -> None:
        desk.deploy(LOOP)                           # inline XML text or "name.bpmn" in diagrams/
        run = desk.start("loop", {"n": 0})
        assert run.ready() == ["review"]            # ready user tasks' BPMN ids, in order
        run.complete("review", {"ok": True})        # the first ready task with that id
        run.advance(timedelta(days=1))              # moves the clock and runs due jobs
        assert run.status == "completed" and run.data["ok"] is True

To prove that warm and cold record the same history, write the scenario as a function of a
desk and hand it to `both_ways` (it runs it on a warm and on a cold desk against the same
database and compares every recorded event, ids and instance numbers normalised)::

    def test_...(both_ways: BothWays) -> None:
        def scenario(desk: Desk) -> Run:
            desk.deploy(LOOP)
            run = desk.start("loop", {})
            run.complete("review", {})
            return run
        warm, cold = both_ways(scenario)          # each a Run; effects already compared

Service tasks call handlers from `handlers=` (a dict operator → function(ctx, **params)); the
`echo` operator (returns its parameters) is always there. Users alice, bob (clerk), rita
(reviewer), root (admin) exist; tasks outside a lane may be completed by anyone.
"""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import Settings
from engine.models import InstanceEvent
from engine.runtime.readmodel import ReadModel
from engine.runtime.store import TaskView
from handlers.context import HandlerContext, HandlerRegistry
from handlers.registry import build_registry
from tests.conftest import DEMO_USERS, PASSWORD
from tests.support.walk_oracle import check_walks

DIAGRAMS = Path(__file__).parent / "diagrams"
MODES = ("warm", "cold")
WORKER = "conformance"

_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
         ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
         ' id="{id}_definitions" targetNamespace="http://casedesk.example/bpmn">\n')


def diagram(process_id: str, body: str, name: str | None = None, extra: str = "") -> str:
    """A BPMN file holding one executable process `process_id` with `body` as its content.

    `extra` goes beside the process (more processes, messages, signals)."""
    title = name or process_id.replace("_", " ").capitalize()
    return (_HEAD.format(id=process_id)
            + f'  <bpmn:process id="{process_id}" name="{title}" isExecutable="true">\n{body}\n  </bpmn:process>\n'
            + extra + "</bpmn:definitions>\n")


def echo(ctx: HandlerContext, **params: Any) -> dict[str, Any]:
    """A handler that answers with what it was given."""
    return dict(params)


class Desk:
    """casedesk on one test database, each step served warm or cold (see the module docstring)."""

    def __init__(self, settings: Settings, mode: str, handlers: HandlerRegistry | None = None,
                 clock: FakeClock | None = None, add_users: bool = True):
        assert mode in MODES, mode
        self.mode = mode
        self.clock = clock or FakeClock()
        self.handlers: HandlerRegistry = {**build_registry(), "echo": echo, **(handlers or {})}
        self.app = bootstrap(settings, clock=self.clock, handlers=self.handlers)
        self.runs: list[Run] = []
        for name, groups in DEMO_USERS.items() if add_users else ():
            self.app.users.add_user(name, PASSWORD, groups)

    @contextmanager
    def worker(self) -> Iterator[Casedesk]:
        """The casedesk that serves one step: the long-lived one (warm) or a fresh one (cold)."""
        if self.mode == "warm":
            yield self.app
            return
        fresh = bootstrap(self.app.settings, clock=self.clock, handlers=self.handlers, run_migrations=False)
        try:
            yield fresh
        finally:
            fresh.close()

    def deploy(self, *sources: str, forms: dict[str, dict[str, Any]] | None = None) -> None:
        """Deploy diagrams given as XML text or as file names under tests/bpmn/diagrams/."""
        files: dict[str, bytes] = {}
        for number, source in enumerate(sources):
            if source.lstrip().startswith("<"):
                files[f"diagram_{number}.bpmn"] = source.encode()
            else:
                files[source] = (DIAGRAMS / source).read_bytes()
        for name, schema in (forms or {}).items():
            files[name] = json.dumps(schema).encode()
        self.app.definitions.deploy(files, "owen")

    def start(self, key: str, data: dict[str, Any] | None = None, actor: str = "alice") -> Run:
        with self.worker() as w:
            view = w.runtime.start_instance(key, data or {}, actor=actor)
        run = Run(self, view.id)
        self.runs.append(run)
        return run

    def advance(self, delta: timedelta) -> int:
        """Move the clock and run every due job (timers, retries, timer starts); returns how many ran."""
        self.clock.advance(delta)
        with self.worker() as w:
            return w.jobs.run_due(WORKER)

    def instances(self, key: str) -> list[Run]:
        """Every instance of process `key` (also those a timer or a message started), oldest first."""
        known = {run.id: run for run in self.runs}
        found = []
        for view in reversed(self.app.runtime.list_instances(process_key=key)):
            run = known.get(view.id)
            if run is None:
                run = Run(self, view.id)
                self.runs.append(run)
            found.append(run)
        return found

    def assert_all_replay(self) -> None:
        for run in self.runs:
            run.assert_replays()

    def close(self) -> None:
        self.app.close()


class Run:
    """One process instance driven through a Desk."""

    def __init__(self, desk: Desk, instance_id: str):
        self.desk = desk
        self.id = instance_id

    @property
    def status(self) -> str:
        return self.desk.app.runtime.get_instance(self.id).status

    @property
    def data(self) -> dict[str, Any]:
        """The instance's current data as its page shows it."""
        return ReadModel(self.desk.app.db).instance(self.id).data

    def events(self) -> list[InstanceEvent]:
        return self.desk.app.history.events(self.id)

    def tasks(self, spec: str | None = None) -> list[TaskView]:
        """Ready user tasks (optionally of one BPMN id) in the order the engine made them ready."""
        order = {e.task_id: e.seq for e in self.events() if e.type == "task_ready"}
        tasks = self.desk.app.runtime.list_tasks(instance_id=self.id)
        tasks.sort(key=lambda t: order.get(t.id, 0))
        return [t for t in tasks if spec is None or t.task_spec == spec]

    def ready(self) -> list[str]:
        """BPMN ids of the ready user tasks, in the order they became ready."""
        return [t.task_spec for t in self.tasks()]

    def complete(self, spec: str, data: dict[str, Any] | None = None, actor: str = "alice", which: int = 0) -> None:
        """Complete the `which`-th ready user task with BPMN id `spec`."""
        candidates = self.tasks(spec)
        assert len(candidates) > which, f"no ready {spec!r} #{which}; ready: {self.ready()}"
        with self.desk.worker() as w:
            w.runtime.complete_task(candidates[which].id, data or {}, actor=actor)

    def advance(self, delta: timedelta) -> int:
        return self.desk.advance(delta)

    def cancel(self, actor: str = "root") -> None:
        with self.desk.worker() as w:
            w.runtime.cancel_instance(self.id, actor=actor)

    def types(self) -> list[str]:
        return [e.type for e in self.events()]

    def effects(self) -> list[tuple[Any, ...]]:
        """Every recorded event with ids and instance-specific values replaced by stable names."""
        return normalised_events(self.events())

    def assert_replays(self) -> None:
        report = self.desk.app.history.replay(self.id)
        assert report.verified, report.as_dict()


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_BUSINESS_KEY = re.compile(r"\b[A-Z]{2,}-\d{4}-\d+\b")


def normalised_events(events: list[InstanceEvent]) -> list[tuple[Any, ...]]:
    """(seq, category, type, actor, task, spec, offset from start, payload) with ids named by first use."""
    names: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"<id{len(names) + 1}>")

    start: datetime | None = events[0].at if events else None
    rows = []
    for event in events:
        payload = _BUSINESS_KEY.sub("<key>", _UUID.sub(name, event.payload))
        task = _UUID.sub(name, event.task_id) if event.task_id else None
        offset = (event.at - start).total_seconds() if start is not None else 0.0
        rows.append((event.seq, event.category, event.type, event.actor, task, event.task_spec, offset,
                     json.loads(payload)))
    return rows


@pytest.fixture(autouse=True)
def walks_match_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runtime walks task trees itself (engine.runtime.walk): every walk is checked against the library's."""
    check_walks(monkeypatch)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def handlers() -> HandlerRegistry:
    """Override in a test module to give its service tasks their operators."""
    return {}


@pytest.fixture
def desk(database_url: str, mode: str, handlers: HandlerRegistry) -> Iterator[Desk]:
    """A Desk in `mode` (warm, cold) on a fresh SQLite or PostgreSQL database; every instance it
    started must replay verified when the test ends."""
    built = Desk(Settings(database_url=database_url), mode, handlers)
    try:
        yield built
        built.assert_all_replay()
    finally:
        built.close()


BothWays = Callable[[Callable[[Desk], "Run"]], tuple["Run", "Run"]]


@pytest.fixture
def both_ways(database_url: str, handlers: HandlerRegistry) -> Iterator[BothWays]:
    """Runs a scenario on a warm desk, then on a cold one (same database, each its own clock from
    the same start), asserts both replay verified and recorded the same events; returns both runs."""
    desks: list[Desk] = []

    def run(scenario: Callable[[Desk], Run]) -> tuple[Run, Run]:
        results = []
        for mode in MODES:
            desk = Desk(Settings(database_url=database_url), mode, handlers, add_users=not desks)
            desks.append(desk)
            outcome = scenario(desk)
            desk.assert_all_replay()
            results.append(outcome)
        warm, cold = results
        assert warm.effects() == cold.effects(), _first_difference(warm.effects(), cold.effects())
        return warm, cold

    try:
        yield run
    finally:
        for desk in desks:
            desk.close()


def _first_difference(warm: list[tuple[Any, ...]], cold: list[tuple[Any, ...]]) -> str:
    for w, c in zip(warm, cold):
        if w != c:
            return f"warm and cold differ first at event {w[0]}:\n  warm: {w}\n  cold: {c}"
    return f"warm recorded {len(warm)} events, cold {len(cold)}: " + repr((warm or cold)[min(len(warm), len(cold)):][:3])
