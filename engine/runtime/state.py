"""Serialized instance state without the spec.

The library's default serialization embeds the whole process spec in every
instance; casedesk pins a stored definition version instead and restores the
parsed spec from a cache, so state size and load time depend on the instance,
not on the diagram. Task-tree queries and compaction are in engine.runtime.tasktree.
"""
from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any, Iterable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

from engine.errors import WorkflowFailed
from engine.runtime.binding import BoundSubWorkflowConverter, LateBindingWorkflow, Resolver
from engine.runtime.task_codec import id_texts, read_tasks, task_to_json_dict


class PinnedSpecWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the specs out of the state; `from_dict` receives them from the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        if self.registry._encoder_mode and workflow.tasks and type(next(iter(workflow.tasks.values()))) is Task:
            dct = self._workflow_to_json_dict(workflow)
        else:
            dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def _workflow_to_json_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """WorkflowConverter.to_dict as `serialize_json` has it (the registry in encoder mode): the same
        dict, key for key, with each task written here instead of through the registry's generic
        dispatch (a step's state dump took 120 µs, over half of it there). tests/unit/test_state_dump.py
        holds the two equal."""
        registry = self.registry
        tasks = workflow.tasks
        texts = id_texts(workflow)
        return {
            "data": registry.convert(registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": texts(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "tasks": {texts(task_id): task_to_json_dict(task, tasks, texts) for task_id, task in tasks.items()},
            "root": texts(workflow.task_tree.id),
        }

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None,
                  resolve: Resolver | None = None) -> BpmnWorkflow:
        if spec is None:
            raise WorkflowFailed("instance state restored without its pinned process spec")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.resolve = resolve  # before the subprocesses: a bound call's subprocess needs its version's spec
        workflow.tasks = read_tasks(self, dct["tasks"], workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


def build_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = PinnedSpecWorkflowConverter
    config[BpmnSubWorkflow] = BoundSubWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    # Instances are LateBindingWorkflows, stored under the library's own type name (older states load unchanged).
    PinnedSpecWorkflowConverter(LateBindingWorkflow, registry, typename="BpmnWorkflow")
    # The library stores datetime and timedelta in task data, not date; scripts make dates with date.today().
    registry.register(date, lambda value: {"value": value.isoformat()}, lambda dct: date.fromisoformat(dct["value"]))
    return BpmnWorkflowSerializer(registry)


class StateCodec:
    """Turns a workflow into stored text and back, given the pinned specs.

    One serializer per thread: the library's serializer flips a flag on its shared registry
    while it encodes, which another thread's dump would clear half-way.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def serializer(self) -> BpmnWorkflowSerializer:
        serializer = getattr(self._local, "serializer", None)
        if serializer is None:
            serializer = self._local.serializer = build_serializer()
        return serializer

    def dump(self, workflow: BpmnWorkflow) -> str:
        """What `serialize_json` writes, through one encoder per thread (the library builds one per call)."""
        serializer = self.serializer
        encoder = getattr(self._local, "encoder", None)
        if encoder is None:
            # No cycle check: a state is a tree of plain values; the check costs a dict entry per container.
            encoder = self._local.encoder = serializer._encoder_cls(check_circular=False)
        registry = serializer.registry
        registry._encoder_mode = True
        try:
            dct = serializer.to_dict(workflow)
            dct[serializer.VERSION_KEY] = serializer.VERSION
            return encoder.encode(dct)
        finally:
            registry._encoder_mode = False

    def load(self, text: str, spec: Any, subprocess_specs: dict[str, Any],
             resolve: Resolver | None = None) -> BpmnWorkflow:
        dct = json.loads(text)
        serializer = self.serializer
        serializer.migrate(dct)
        reconnect_loop_bodies([spec, *subprocess_specs.values()])
        return serializer.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs,
                                    resolve=None if resolve is None else _reconnected(resolve))


def _reconnected(resolve: Resolver) -> Resolver:
    """A late-bound call's version, its loop bodies reconnected like the pinned version's."""
    def resolved(definition_id: int) -> Any:
        definition = resolve(definition_id)
        reconnect_loop_bodies([definition.spec, *definition.subprocess_specs.values()])
        return definition
    return resolved


def reconnect_loop_bodies(specs: Iterable[Any]) -> None:
    """Let every loop and multi-instance task hear its body complete, as SpiffWorkflow's own
    spec deserializer does. The library connects the body only when it creates a child; a
    state restored against a freshly parsed spec whose children already exist would otherwise
    never merge them, and the instance would stay running with nothing ready."""
    for spec in specs:
        for task_spec in list(spec.task_specs.values()):
            if not isinstance(task_spec, LoopTask):
                continue
            body = spec.task_specs.get(task_spec.task_spec)
            if body is not None and not body.completed_event.is_connected(task_spec.merge_child):
                body.completed_event.connect(task_spec.merge_child)
