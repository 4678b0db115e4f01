"""The script engine: sandboxed scripts, the recorded clock, and service calls to handlers."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Callable, Iterator

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task

from engine.errors import ScriptRejected
from engine.sandbox.clock_names import DATA_MAY_SHADOW, clock_names, mentions_clock_name

ServiceCall = Callable[[Task, str, dict[str, Any]], Any]


@contextmanager
def _naming_the_element(task: Task) -> Iterator[None]:
    """A sandbox refusal (a limit, a forbidden name) says which element's script or expression it was."""
    try:
        yield
    except SpiffWorkflowException as exc:
        refused = exc.__cause__ or exc.__context__  # SpiffWorkflow wraps it while handling it
        if not isinstance(refused, ScriptRejected):
            raise
        if not getattr(refused, "element", None):
            spec = task.task_spec
            name = getattr(spec, "bpmn_name", None)
            refused.element = getattr(spec, "bpmn_id", None) or spec.name  # type: ignore[attr-defined]
            refused.args = (f"{refused.element}{f' ({name})' if name else ''}: {refused.args[0]}",
                            *refused.args[1:])
        raise refused from exc


class CasedeskScriptEngine(PythonScriptEngine):
    """One per step: scripts see the step's recorded time as `now()`, `datetime.now()`, `date.today()`;
    services go to `call`."""

    def __init__(self, environment: BasePythonScriptEngineEnvironment, call: ServiceCall, now: datetime):
        super().__init__(environment=environment)
        self._call = call
        self.now = now  # timers decide their due time with it (engine/definitions/timer_events.py)
        self._clock_names: dict[str, Any] | None = None  # built on first use: two classes, costly on a short step

    def evaluate(self, task: Task, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        with _naming_the_element(task):
            return super().evaluate(task, expression, {**self._names_for(task, expression),
                                                       **(external_context or {})})

    def execute(self, task: Task, script: str, external_context: dict[str, Any] | None = None) -> Any:
        with _naming_the_element(task):
            return super().execute(task, script, {**self._names_for(task, script), **(external_context or {})})

    def _names_for(self, task: Task, source: str | None = None) -> dict[str, Any]:
        # A process whose data already holds a `date` (a form field, say) keeps it: the data wins over the
        # convenience names added later, instead of every script of that process being refused.
        data = getattr(task, "data", None) or {}
        if source is not None and "now" not in data and not mentions_clock_name(source):
            # Code that names none of them cannot reach them, and data holding `now` is refused as before.
            return {}
        if self._clock_names is None:
            self._clock_names = clock_names(self.now)
        return {name: value for name, value in self._clock_names.items()
                if name not in DATA_MAY_SHADOW or name not in data}

    def call_service(self, task: Task, operation_name: str = "", operation_params: Any = None, **_: Any) -> str:
        # Replaces the library's version, whose error branch names an undefined variable;
        # errors raised by `call` (HandlerFailed) reach the caller unchanged.
        params = {name: param["value"] for name, param in (operation_params or {}).items()}
        return json.dumps(self._call(task, operation_name, params))
