"""Workflows kept in memory between the steps of an instance, so that a step need not load its stored state."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.config import WARM_INSTANCES
from engine.runtime.binding import LateBindingWorkflow
from engine.runtime.summary import KnownSummary


class WarmInstance(NamedTuple):
    """A warm entry: the workflow and, when a step knew it, its instance's stored summary."""

    workflow: BpmnWorkflow
    summary: KnownSummary | None = None
    tasks: tuple[str, ...] = ()  # the inbox rows the step left (user tasks by id)


class WarmWorkflows:
    """Workflows kept in memory after a committed step, keyed by instance and row version.

    Reusing one skips deserialization; the row's version column guarantees it is
    the state that was stored (any other writer bumps the version). An entry is
    taken out while a step uses it and only put back after that step commits, so
    a rolled-back step can never leave a half-advanced workflow behind. The summary
    kept beside it is vouched for by the same version: the next step writes the
    summary without reading it first.

    Its user tasks are known by id, so that a step on one of them can tell the
    database which row version it holds warm and be spared the stored state.
    """

    def __init__(self, size: int = WARM_INSTANCES):
        self._entries: OrderedDict[str, tuple[int, WarmInstance]] = OrderedDict()
        self._instance_of_task: dict[str, str] = {}
        self._size = size
        self._lock = threading.Lock()

    def take(self, instance_id: str, version: int) -> WarmInstance | None:
        with self._lock:
            entry = self._pop(instance_id)
        return entry[1] if entry is not None and entry[0] == version else None

    def version_for_task(self, task_id: str) -> int | None:
        """The row version at which the instance of user task `task_id` is warm here, if it is."""
        with self._lock:
            instance_id = self._instance_of_task.get(task_id)
            entry = self._entries.get(instance_id) if instance_id is not None else None
        return entry[0] if entry is not None else None

    def put(self, instance_id: str, version: int, workflow: BpmnWorkflow, summary: KnownSummary | None = None,
            tasks: tuple[str, ...] = ()) -> None:
        # The step's script engine and call binder point back at the finished step and its connection.
        workflow.script_engine = None
        if isinstance(workflow, LateBindingWorkflow):
            workflow.binder = None
        with self._lock:
            self._pop(instance_id)
            self._entries[instance_id] = (version, WarmInstance(workflow, summary, tasks))
            for task_id in tasks:
                self._instance_of_task[task_id] = instance_id
            while len(self._entries) > self._size:
                self._pop(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget every warm workflow: the next step of each instance loads its stored state."""
        with self._lock:
            self._entries.clear()
            self._instance_of_task.clear()

    def _pop(self, instance_id: str) -> tuple[int, WarmInstance] | None:
        entry = self._entries.pop(instance_id, None)
        if entry is not None:
            for task_id in entry[1].tasks:
                if self._instance_of_task.get(task_id) == instance_id:
                    del self._instance_of_task[task_id]
        return entry

    def rekey(self, instance_id: str, old_version: int, new_version: int) -> None:
        """A committed write that left the workflow and the summary untouched (a claim) moved the row version."""
        with self._lock:
            entry = self._entries.get(instance_id)
            if entry is not None and entry[0] == old_version:
                self._entries[instance_id] = (new_version, entry[1])
