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


# A handler takes the context and the service task's evaluated parameters and
# returns JSON-compatible data; raising rolls the whole step back.
Handler = Callable[..., Any]
HandlerRegistry = Mapping[str, Handler]
