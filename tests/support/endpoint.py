"""A service the fault fixtures call after their timer (`pause_step`): down until a test brings it up."""
from __future__ import annotations

from typing import Any, Callable

from handlers.context import HandlerContext


class Endpoint:
    def __init__(self) -> None:
        self.up = False
        self.on_call: Callable[[], None] = lambda: None

    def pause_step(self, ctx: HandlerContext, label: str) -> dict[str, Any]:
        self.on_call()
        if not self.up:
            raise TimeoutError("endpoint does not answer")
        return {"label": label}
