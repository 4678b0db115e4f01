"""What replay's step sees instead of the database: the in-memory store (engine/runtime/memorystore.py), no state dumps."""
from __future__ import annotations

from typing import TYPE_CHECKING

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.runtime.memorystore import MemoryStore, NoJobStore
from engine.runtime.state import StateCodec

if TYPE_CHECKING:
    from engine.history.replay import Replay


class NoStateCodec(StateCodec):
    """Replay keeps its workflow in memory between steps; the state is dumped once, at the end."""

    def dump(self, workflow: BpmnWorkflow) -> str:
        return ""


class ReplayStore(MemoryStore):
    """The step's statements, answered in memory; written events went to the comparison as recorded."""

    def __init__(self, replay: "Replay"):
        super().__init__()
        self.replay = replay


__all__ = ["NoJobStore", "NoStateCodec", "ReplayStore"]
