"""The benchmark's drivers of the document review diagram (raw SpiffWorkflow, casedesk) and their databases."""
from __future__ import annotations

import json
import tempfile
import time
import uuid
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Protocol

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import SystemClock
from engine.config import Settings
from engine.definitions.service import collect_files
from engine.persistence import normalise_url
from handlers.context import HandlerContext
from handlers.documents import publish_document

ROOT = Path(__file__).resolve().parent.parent
PROCESS_KEY = "document_review"
PROCESS_DIR = ROOT / "processes" / "demo"
BPMN_FILE = PROCESS_DIR / "document_review.bpmn"
FORMS_DIR = ROOT / "forms"
PASSWORD = "bench-password-1"
ACTORS = {"clerk": "alice", "reviewer": "rita"}  # lane (candidate group) -> user working it
STARTER = "alice"


# -- the diagram's inputs -----------------------------------------------------------------------

def form_data(task_name: str, sent_back: int, rounds: int) -> dict[str, Any]:
    """What a user enters: a draft text, or send back until `rounds` rounds are done, then approve."""
    if task_name == "draft":
        return {"body": f"draft text, version {sent_back + 1}"}
    if task_name == "review":
        return {"decision": "approve" if sent_back >= rounds else "send_back"}
    raise ValueError(f"unexpected user task {task_name!r}")


class Driver(Protocol):
    """One instance of the diagram, worked one user task at a time."""

    def next_task(self) -> str | None:
        """Name of the ready user task, or None if there is none."""
        ...

    def step(self, data: dict[str, Any]) -> float:
        """Complete the ready user task with `data`; seconds spent in the timed part."""
        ...

    def completed(self) -> bool:
        ...


def run_to_end(driver: Driver, rounds: int) -> None:
    """Work one instance through `rounds` send-backs and the final approval."""
    sent_back = 0
    while (name := driver.next_task()) is not None:
        driver.step(form_data(name, sent_back, rounds))
        if name == "review":
            sent_back += 1
    if not driver.completed() or sent_back != rounds + 1:
        raise RuntimeError(f"instance stopped after {sent_back} reviews without completing properly")


# -- raw SpiffWorkflow --------------------------------------------------------------------------

class RawScriptEngine(PythonScriptEngine):
    """The library's script engine with service tasks going straight to the demo handler."""

    def call_service(self, task: Task, operation_name: str = "", operation_params: Any = None, **_: Any) -> str:
        if operation_name != "publish_document":
            raise LookupError(f"no handler for {operation_name!r}")
        params = {name: param["value"] for name, param in (operation_params or {}).items()}
        context = HandlerContext(
            instance_id=str(task.workflow.task_tree.id), task_id=str(task.id), task_spec=task.task_spec.name,
            process_key=PROCESS_KEY, now=SystemClock().now(),
        )
        return json.dumps(publish_document(context, **params))


@dataclass(frozen=True)
class RawSpec:
    spec: Any
    subprocess_specs: dict[str, Any]


def parse_raw_spec() -> RawSpec:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BPMN_FILE))
    return RawSpec(parser.get_spec(PROCESS_KEY), parser.get_subprocess_specs(PROCESS_KEY))


def standard_serializer() -> BpmnWorkflowSerializer:
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


class RawDriver:
    """An in-memory BpmnWorkflow; optionally serialized and restored after every user step."""

    def __init__(self, spec: RawSpec, title: str, serializer: BpmnWorkflowSerializer | None = None):
        self.engine = RawScriptEngine()
        self.serializer = serializer
        self.workflow = BpmnWorkflow(spec.spec, spec.subprocess_specs, script_engine=self.engine)
        for task in self.workflow.get_tasks(state=TaskState.READY):
            task.set_data(title=title)
        self.workflow.do_engine_steps()

    def _ready(self) -> Task | None:
        tasks = self.workflow.get_tasks(state=TaskState.READY, manual=True)
        return tasks[0] if tasks else None

    def next_task(self) -> str | None:
        task = self._ready()
        return None if task is None else task.task_spec.name

    def step(self, data: dict[str, Any]) -> float:
        task = self._ready()
        if task is None:
            raise RuntimeError("no ready user task")
        task.set_data(**data)
        started = time.perf_counter()
        task.run()
        self.workflow.do_engine_steps()
        elapsed = time.perf_counter() - started
        if self.serializer is not None:
            self._round_trip()
        return elapsed

    def _round_trip(self) -> None:
        assert self.serializer is not None
        self.workflow = self.serializer.deserialize_json(self.serializer.serialize_json(self.workflow))
        self.workflow.script_engine = self.engine

    def age(self) -> int:
        """Completed tasks of diagram elements (the library's own Root/Start/End tasks not counted)."""
        return sum(1 for t in self.workflow.tasks.values()
                   if t.state == TaskState.COMPLETED and getattr(t.task_spec, "bpmn_id", None) is not None)

    def hidden_unfinished(self) -> bool:
        """Unfinished tasks exist in the task dict although the (depth-limited) iterator finds none."""
        unfinished = [t for t in self.workflow.tasks.values() if t.state & TaskState.NOT_FINISHED_MASK]
        return bool(unfinished) and self.workflow.get_next_task(state=TaskState.NOT_FINISHED_MASK) is None

    def completed(self) -> bool:
        unfinished = [t for t in self.workflow.tasks.values() if t.state & TaskState.NOT_FINISHED_MASK]
        published = any("publication" in t.data for t in self.workflow.tasks.values()
                        if t.task_spec.name == "publish" and t.state == TaskState.COMPLETED)
        return not unfinished and published


# -- casedesk -----------------------------------------------------------------------------------

def open_casedesk(database_url: str) -> Casedesk:
    """casedesk on `database_url` with the demo process deployed and one clerk and one reviewer."""
    app = bootstrap(Settings(database_url=database_url), clock=SystemClock())
    app.definitions.deploy(collect_files(PROCESS_DIR, FORMS_DIR), "bench")
    for group, user in ACTORS.items():
        app.users.add_user(user, PASSWORD, [group])
    return app


class CasedeskDriver:
    """One casedesk instance worked through the runtime's services, each call its own transaction."""

    def __init__(self, app: Casedesk, title: str):
        self.runtime = app.runtime
        self.view = self.runtime.start_instance(PROCESS_KEY, {"title": title}, STARTER)

    def next_task(self) -> str | None:
        return self.view.ready_tasks[0].task_spec if self.view.ready_tasks else None

    def step(self, data: dict[str, Any]) -> float:
        task = self.view.ready_tasks[0]
        actor = ACTORS[task.candidate_group or ""]
        started = time.perf_counter()
        self.view = self.runtime.complete_task(task.id, data, actor)
        return time.perf_counter() - started

    def completed(self) -> bool:
        return self.view.status == "completed"


class TwoWorkerDriver(CasedeskDriver):
    """A casedesk instance whose consecutive steps run on two workers in turn (two runtimes on one database,
    each with its own warm cache, as two gunicorn workers or two nodes): every step finds the instance
    advanced by the other worker since it last held it, so it loads the stored state."""

    def __init__(self, apps: tuple[Casedesk, Casedesk], title: str):
        super().__init__(apps[0], title)
        self.runtimes = (apps[1].runtime, apps[0].runtime)
        self.steps = 0

    def step(self, data: dict[str, Any]) -> float:
        self.runtime = self.runtimes[self.steps % 2]
        self.steps += 1
        return super().step(data)


def second_worker(app: Casedesk) -> Casedesk:
    """Another runtime on `app`'s database (its processes deployed, its users there), its own warm cache."""
    return bootstrap(Settings(database_url=app.settings.database_url), clock=SystemClock(), run_migrations=False)


# -- databases ----------------------------------------------------------------------------------

@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="casedesk_bench_") as directory:
        yield f"sqlite:///{Path(directory) / 'bench.db'}"


def postgres_unreachable(server_url: str) -> str | None:
    """Why the server cannot be used, or None if it answers."""
    try:
        engine = create_engine(normalise_url(server_url), connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@contextmanager
def throwaway_postgres(server_url: str) -> Iterator[str]:
    """A fresh `casedesk_bench_<random>` database on the server, dropped afterwards."""
    name = f"casedesk_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(normalise_url(server_url)).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                             {"n": name})
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


@contextmanager
def postgres_casedesk(server_url: str) -> Iterator[tuple[Casedesk | None, str]]:
    """casedesk on a throwaway PostgreSQL database, or None and the reason it cannot run."""
    reason = postgres_unreachable(server_url)
    if reason is not None:
        shown = make_url(server_url).render_as_string(hide_password=True)
        yield None, f"SKIPPED: PostgreSQL at {shown} is unreachable ({reason})"
        return
    with ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway_postgres(server_url))
        except Exception as exc:  # noqa: BLE001 - e.g. no right to create databases
            yield None, f"SKIPPED: no throwaway database could be created ({str(exc).strip().splitlines()[0]})"
            return
        app = stack.enter_context(closing(open_casedesk(url)))
        yield app, f"ran on throwaway database {make_url(url).database} (dropped afterwards)"


@contextmanager
def round_trips(app: Casedesk) -> Iterator[list[int]]:
    """Round trips to the server while the block runs: one per ReadyForQuery in libpq's protocol trace (the
    server answers each Sync with one; BEGIN or COMMIT sent on their own would each add one)."""
    import psycopg  # PostgreSQL only

    trace = tempfile.TemporaryFile()
    counted: list[int] = []

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.pgconn.trace(trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    def on_checkin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.pgconn.untrace()

    event.listen(app.db.engine, "checkout", on_checkout)
    event.listen(app.db.engine, "checkin", on_checkin)
    try:
        yield counted
    finally:
        event.remove(app.db.engine, "checkout", on_checkout)
        event.remove(app.db.engine, "checkin", on_checkin)
        trace.seek(0)
        counted.append(trace.read().decode("utf-8", "replace").count("\tReadyForQuery"))
        trace.close()
