"""The task tree of a running instance: what is unfinished or ready, and compaction of completed history.

Compaction keeps a step's cost independent of an instance's age: SpiffWorkflow
appends every loop round to the task tree, walks the tree from its root on
every step, and silently stops walking at depth 1,000 (a long review loop then
looks completed). Completed tasks above the deepest common ancestor of all
unfinished tasks are history that the event log already holds, so they are cut.
"""
from __future__ import annotations

from typing import Any, Iterable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.manual_task import ManualTask
from SpiffWorkflow.bpmn.specs.mixins.none_task import NoneTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptEngineTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.errors import WorkflowFailed

# Completed ancestors kept above the common ancestor of the unfinished tasks, so
# that specs peeking at a parent (boundary events, data inheritance) still find one.
KEPT_ANCESTORS = 2
# Inside a branch that must stay (a sibling branch still waits), completed tasks of these kinds
# are spliced out of long chains: no join, split or subprocess logic ever looks them up.
SPLICEABLE = (UserTask, ManualTask, NoneTask, ScriptEngineTask, BusinessRuleTaskMixin, ExclusiveGateway)
# SpiffWorkflow's iterators stop at depth 1,000; refuse to save anything close to it.
MAX_SAFE_DEPTH = 900


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
        # Compaction removes completed tasks only: the unfinished ones, found once, stay valid throughout.
        unfinished = unfinished_tasks(wf)
        removed |= _compact_tree(wf, unfinished)
        removed |= _splice_branches(wf, unfinished)
        _check_depth(wf, unfinished)
    for task_id in [tid for tid in workflow.subprocesses if tid in removed]:
        _drop_subprocess(workflow, task_id)
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


def _compact_tree(wf: Any, unfinished: list[Task]) -> set[UUID]:
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


def _splice_branches(wf: Any, unfinished: list[Task]) -> set[UUID]:
    """Cut plain completed tasks out of the chains leading to each unfinished task.

    The cut above the common ancestor cannot shorten a branch that loops beside a branch
    that waits; here each chain loses its plain completed links, except the few nearest
    the unfinished task (a join looks at its immediate parents). Parents are looked up in the
    task dict directly (`Task.parent` is a property doing the same), and a chain is walked only
    up to where an earlier chain was already walked: everything above was looked at then."""
    tasks = wf.tasks
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


def _check_depth(wf: Any, unfinished: list[Task]) -> None:
    """Refuse a tree deeper than SpiffWorkflow walks. Each task's depth is counted once: a chain is walked
    only up to a task whose depth an earlier chain found (tasks are told apart by identity, not hashed ids)."""
    tasks = wf.tasks
    depths: dict[int, int] = {}
    for task in unfinished:
        chain = []
        node = task
        while node is not None and id(node) not in depths:
            chain.append(node)
            node = tasks.get(node._parent)
        depth = depths[id(node)] if node is not None else -1
        for link in reversed(chain):
            depth += 1
            depths[id(link)] = depth
        if depth > MAX_SAFE_DEPTH:
            raise WorkflowFailed(
                f"task tree of {wf.spec.name} reached depth {depth}; refusing to save a state "
                "SpiffWorkflow could no longer walk"
            )
