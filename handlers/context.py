"""What a handler is told about the service task that calls it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class HandlerContext:
    instance_id: str
    task_id: str
    task_spec: str
    process_key: str
    now: datetime


# A handler takes the context and the service task's evaluated parameters and
# returns JSON-compatible data; raising rolls the whole step back.
Handler = Callable[..., Any]
HandlerRegistry = Mapping[str, Handler]
