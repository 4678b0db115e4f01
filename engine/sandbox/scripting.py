"""The script engine: sandboxed scripts, the recorded clock, and service calls to handlers."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.task import Task

ServiceCall = Callable[[Task, str, dict[str, Any]], Any]


class CasedeskScriptEngine(PythonScriptEngine):
    """One per step: scripts see the step's recorded time as `now()`; services go to `call`."""

    def __init__(self, environment: BasePythonScriptEngineEnvironment, call: ServiceCall, now: datetime):
        super().__init__(environment=environment)
        self._call = call
        self.now = now  # timers decide their due time with it (engine/definitions/timer_events.py)
        self._clock_names = {"now": lambda: now}

    def evaluate(self, task: Task, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        return super().evaluate(task, expression, {**self._clock_names, **(external_context or {})})

    def execute(self, task: Task, script: str, external_context: dict[str, Any] | None = None) -> Any:
        return super().execute(task, script, {**self._clock_names, **(external_context or {})})

    def call_service(self, task: Task, operation_name: str = "", operation_params: Any = None, **_: Any) -> str:
        # Replaces the library's version, whose error branch names an undefined variable;
        # errors raised by `call` (HandlerFailed) reach the caller unchanged.
        params = {name: param["value"] for name, param in (operation_params or {}).items()}
        return json.dumps(self._call(task, operation_name, params))
