"""Serialized instance state without the spec, and task-tree compaction.

The library's default serialization embeds the whole process spec in every
instance; casedesk pins a stored definition version instead and restores the
parsed spec from a cache, so state size and load time depend on the instance,
not on the diagram.

Compaction keeps a step's cost independent of an instance's age: SpiffWorkflow
appends every loop round to the task tree, walks the tree from its root on
every step, and silently stops walking at depth 1,000 (a long review loop then
looks completed). Completed tasks above the deepest common ancestor of all
unfinished tasks are history that the event log already holds, so they are cut.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import date
from types import ModuleType
from typing import Any, Iterable, NamedTuple
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.manual_task import ManualTask
from SpiffWorkflow.bpmn.specs.mixins.none_task import NoneTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptEngineTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin

from engine.errors import WorkflowFailed
from engine.runtime.binding import BoundSubWorkflowConverter, LateBindingWorkflow, Resolver
from engine.runtime.summary import KnownSummary

# Completed ancestors kept above the common ancestor of the unfinished tasks, so
# that specs peeking at a parent (boundary events, data inheritance) still find one.
KEPT_ANCESTORS = 2
# Inside a branch that must stay (a sibling branch still waits), completed tasks of these kinds
# are spliced out of long chains: no join, split or subprocess logic ever looks them up.
SPLICEABLE = (UserTask, ManualTask, NoneTask, ScriptEngineTask, BusinessRuleTaskMixin, ExclusiveGateway)
# SpiffWorkflow's iterators stop at depth 1,000; refuse to save anything close to it.
MAX_SAFE_DEPTH = 900


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
        texts = _id_texts(workflow)
        return {
            "data": registry.convert(registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": texts(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "tasks": {texts(task_id): _task_to_json_dict(task, tasks, texts) for task_id, task in tasks.items()},
            "root": texts(workflow.task_tree.id),
        }

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None,
                  resolve: Resolver | None = None) -> BpmnWorkflow:
        if spec is None:
            raise WorkflowFailed("instance state restored without its pinned process spec")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.resolve = resolve  # before the subprocesses: a bound call's subprocess needs its version's spec
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.get("bpmn_events", []))
        return workflow


def _task_to_json_dict(task: Task, tasks: dict[UUID, Task], texts: Any) -> dict[str, Any]:
    """TaskConverter.to_dict (SpiffWorkflow 3.2) with the typename the registry adds, for the encoder."""
    parent = tasks.get(task._parent) if task._parent is not None else None
    if parent is None:
        data, delta = task.data, {}
    else:
        data, before, after = {}, parent.data, task.data
        delta = {"updates": {key: after[key] for key in after if key not in before or after[key] != before[key]},
                 "deletions": [key for key in before if key not in after]}
    internal = task.internal_data
    return {
        "id": texts(task.id),
        "parent": texts(task._parent) if parent is not None else None,
        "children": [texts(child) for child in task._children],
        "last_state_change": task.last_state_change,
        "state": task._state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": {k: v for k, v in internal.items() if not callable(v) and not isinstance(v, ModuleType)},
        "data": data,
        "delta": delta,
        "typename": "Task",
    }


def _id_texts(workflow: Any) -> Any:
    """str() of task ids, remembered on the workflow between dumps (most tasks outlive a step)."""
    known: dict[UUID, str] = getattr(workflow, "_casedesk_id_texts", None) or {}
    kept = {task_id: known.get(task_id) or str(task_id) for task_id in workflow.tasks}
    workflow._casedesk_id_texts = kept

    def text(task_id: UUID) -> str:
        found = kept.get(task_id)
        return found if found is not None else str(task_id)
    return text


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


def all_workflows(workflow: BpmnWorkflow) -> list[Any]:
    return [workflow, *workflow.subprocesses.values()]


def unfinished_tasks(workflow: Any) -> list[Task]:
    # The task dict, not the depth-limited iterator: nothing may hide here.
    return [t for t in workflow.tasks.values() if t.state & TaskState.NOT_FINISHED_MASK]


def ready_manual_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return [
        task
        for wf in all_workflows(workflow)
        for task in wf.tasks.values()
        if task.state == TaskState.READY and task.task_spec.manual
    ]


def ready_engine_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return [
        task
        for wf in all_workflows(workflow)
        for task in wf.tasks.values()
        if task.state == TaskState.READY and not task.task_spec.manual
    ]


def has_unfinished_work(workflow: BpmnWorkflow) -> bool:
    return bool(unfinished_tasks(workflow))


def drop_orphaned_subprocesses(workflow: BpmnWorkflow) -> int:
    """Forget subprocesses whose calling task left the tree; returns how many went.

    Cancelling a multi-instance subprocess (an interrupting boundary event, a terminate end
    event) drops its unfinished instances from the tree without cancelling their subprocess
    workflows; SpiffWorkflow would then look up the missing callers and fail. What they waited
    for goes with them: their tasks, timers and jobs are withdrawn."""
    dropped = 0
    while workflow.subprocesses:
        live = set(workflow.tasks)
        for sub in workflow.subprocesses.values():
            live.update(sub.tasks)
        orphans = [tid for tid in workflow.subprocesses if tid not in live]
        if not orphans:
            break
        for task_id in orphans:
            for task in workflow.subprocesses.pop(task_id).tasks.values():
                workflow.event_manager.remove_task(task)
            dropped += 1
    return dropped


def compact(workflow: BpmnWorkflow) -> int:
    """Cut completed history out of every task tree; returns how many tasks went."""
    removed: set[UUID] = set()
    for wf in all_workflows(workflow):
        removed |= _compact_tree(wf)
        removed |= _splice_branches(wf)
    for task_id in [tid for tid in workflow.subprocesses if tid in removed]:
        _drop_subprocess(workflow, task_id)
    _check_depth(workflow)
    return len(removed)


def _ancestry(task: Task) -> list[Task]:
    chain = []
    node: Task | None = task
    while node is not None:
        chain.append(node)
        node = node.parent
    chain.reverse()
    return chain


def _common_ancestor_index(path: list[Task], others: Iterable[Task]) -> int:
    position = {task.id: i for i, task in enumerate(path)}
    deepest = len(path) - 1
    for task in others:
        node: Task | None = task
        while node is not None and node.id not in position:
            node = node.parent
        deepest = min(deepest, position[node.id] if node is not None else 0)
    return deepest


def _compact_tree(wf: Any) -> set[UUID]:
    unfinished = unfinished_tasks(wf)
    if not unfinished:
        return set()
    path = _ancestry(unfinished[0])
    anchor = _common_ancestor_index(path, unfinished[1:])
    cut = anchor - KEPT_ANCESTORS
    if cut <= 1:
        return set()
    root, keep_top = path[0], path[cut]
    kept = {root.id}
    stack = [keep_top]
    while stack:
        node = stack.pop()
        kept.add(node.id)
        stack.extend(node.children)
    removed = {tid for tid in wf.tasks if tid not in kept}
    for tid in removed:
        del wf.tasks[tid]
    root._children = [keep_top.id]
    keep_top._parent = root.id
    if wf.last_task is not None and wf.last_task.id in removed:
        wf.last_task = None
    return removed


def _splice_branches(wf: Any) -> set[UUID]:
    """Cut plain completed tasks out of the chains leading to each unfinished task.

    The cut above the common ancestor cannot shorten a branch that loops beside a branch
    that waits; here each chain loses its plain completed links, except the few nearest
    the unfinished task (a join looks at its immediate parents). Parents are looked up in the
    task dict directly (`Task.parent` is a property doing the same), and a chain is walked only
    up to where an earlier chain was already walked: everything above was looked at then."""
    tasks = wf.tasks
    unfinished = unfinished_tasks(wf)
    protected: set[UUID] = set()
    for task in unfinished:
        node = tasks.get(task._parent)
        for _ in range(KEPT_ANCESTORS):
            if node is None:
                break
            protected.add(node.id)
            node = tasks.get(node._parent)
    removed: set[UUID] = set()
    walked: set[UUID] = set()
    for task in unfinished:
        node = tasks.get(task._parent)
        while node is not None and node.id not in walked:
            parent = tasks.get(node._parent)
            if parent is None:
                break
            walked.add(node.id)
            if (node.id not in protected and node._state == TaskState.COMPLETED
                    and len(node._children) == 1 and isinstance(node.task_spec, SPLICEABLE)):
                child = tasks[node._children[0]]
                parent._children[parent._children.index(node.id)] = child.id
                child._parent = parent.id
                del tasks[node.id]
                removed.add(node.id)
            node = parent
    if wf.last_task is not None and wf.last_task.id in removed:
        wf.last_task = None
    return removed


def _drop_subprocess(workflow: BpmnWorkflow, task_id: UUID) -> None:
    sub = workflow.subprocesses.pop(task_id)
    for nested in [tid for tid in workflow.subprocesses if tid in sub.tasks]:
        _drop_subprocess(workflow, nested)


def _check_depth(workflow: BpmnWorkflow) -> None:
    for wf in all_workflows(workflow):
        tasks = wf.tasks
        for task in unfinished_tasks(wf):
            depth = 0
            node = tasks.get(task._parent)
            while node is not None:
                depth += 1
                node = tasks.get(node._parent)
            if depth > MAX_SAFE_DEPTH:
                raise WorkflowFailed(
                    f"task tree of {wf.spec.name} reached depth {depth}; refusing to save a state "
                    "SpiffWorkflow could no longer walk"
                )


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
