"""Workflows kept in memory between the steps of an instance, so that a step need not load its stored state."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.runtime.binding import LateBindingWorkflow
from engine.runtime.summary import KnownSummary


class WarmInstance(NamedTuple):
    """A warm entry: the workflow and, when a step knew it, its instance's stored summary."""

    workflow: BpmnWorkflow
    summary: KnownSummary | None = None


class WarmWorkflows:
    """Workflows kept in memory after a committed step, keyed by instance and row version.

    Reusing one skips deserialization; the row's version column guarantees it is
    the state that was stored (any other writer bumps the version). An entry is
    taken out while a step uses it and only put back after that step commits, so
    a rolled-back step can never leave a half-advanced workflow behind. The summary
    kept beside it is vouched for by the same version: the next step writes the
    summary without reading it first.
    """

    def __init__(self, size: int = 256):
        self._entries: OrderedDict[str, tuple[int, WarmInstance]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def take(self, instance_id: str, version: int) -> WarmInstance | None:
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        return entry[1] if entry is not None and entry[0] == version else None

    def put(self, instance_id: str, version: int, workflow: BpmnWorkflow, summary: KnownSummary | None = None) -> None:
        # The step's script engine and call binder point back at the finished step and its connection.
        workflow.script_engine = None
        if isinstance(workflow, LateBindingWorkflow):
            workflow.binder = None
        with self._lock:
            self._entries[instance_id] = (version, WarmInstance(workflow, summary))
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every warm workflow: the next step of each instance loads its stored state."""
        with self._lock:
            self._entries.clear()

    def rekey(self, instance_id: str, old_version: int, new_version: int) -> None:
        """A committed write that left the workflow and the summary untouched (a claim) moved the row version."""
        with self._lock:
            entry = self._entries.get(instance_id)
            if entry is not None and entry[0] == old_version:
                self._entries[instance_id] = (new_version, entry[1])
