"""What a handler is told about the service task that calls it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy import Connection


@dataclass(frozen=True)
class HandlerContext:
    instance_id: str
    task_id: str
    task_spec: str
    process_key: str
    now: datetime
    # The step's own transaction: what a handler writes commits or rolls back with the step.
    # None only where no database is involved (the raw-engine benchmark).
    connection: Connection | None = None
    # Who started the instance (its row is not stored yet while its first step runs).
    started_by: str | None = None


class BpmnError(Exception):
    """A business outcome, not a failure: raise it to reach the error boundary event that catches `code`.

    The error is recorded as the service task's result (replay feeds it back); no retry follows.
    An error no boundary catches fails the instance with an incident. Anything else a handler
    raises is a technical failure: retries, then an incident, or the step rolls back.
    """

    def __init__(self, code: str, message: str = "", data: Mapping[str, Any] | None = None):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.data = dict(data or {})  # JSON-compatible; becomes the boundary event's error variable


# A handler takes the context and the service task's evaluated parameters and
# returns JSON-compatible data; raising BpmnError reaches an error boundary, raising anything
# else rolls the whole step back (or parks the task for a retry, when it has a retry policy).
Handler = Callable[..., Any]
HandlerRegistry = Mapping[str, Handler]
