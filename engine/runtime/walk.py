"""The library's task-tree walks, in the same order and with the same depth limit, at a fraction of the cost.

SpiffWorkflow walks an instance's task tree from its root several times a step (the ready tasks
before each round of engine steps, the waiting ones after each completion) with a general iterator:
a filter object asked about every task, a depth counter kept up by walking parents, a child list
copied at every node. That walk is most of what the library spends on a short step. For the filters
the library itself asks for (state, manual, spec name), `tasks_in_order` visits the same tasks in the
same order: depth first from the root, a task's children entered only when the task is at least as
far along as the filter's earliest state (`TaskIterator.min_state`) and lies above the iterator's
depth limit; given the workflow's subprocesses, a calling task's subprocess tree is entered first,
whatever the calling task's state, as `BpmnTaskIterator` does. Across workflows the library's depth
counter no longer says how deep a task is, so a walk across workflows is ours only while all their
trees together hold fewer tasks than the limit (the counter cannot reach it then). Everything else goes
to the library's iterator.
"""
from __future__ import annotations

from typing import Any, Iterator

from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

# TaskIterator's own default: tasks deeper than this are not entered (casedesk compacts far below it).
MAX_DEPTH = 1000
# The filter arguments this walk answers itself; any other goes to the library's iterator.
SIMPLE_FILTERS = frozenset({"state", "manual", "spec_name"})


def min_state(state: int) -> int:
    """TaskIterator's rule: the earliest state a task must have reached for its children to be walked."""
    if state & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if state & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


def tasks_in_order(root: Task, state: int = TaskState.ANY_MASK, manual: bool | None = None,
                   spec_name: str | None = None, subprocesses: dict[Any, Any] | None = None) -> Iterator[Task]:
    """The tasks under `root` that match, lazily and in the library's order: a task's children (and the tree
    of the subprocess it calls, among `subprocesses`) are read when the task is reached, before it is handed
    out, as the library's iterators do."""
    entered = min_state(state)
    # BpmnTaskIterator leaves a called tree out only for a filter of finished states and a calling task past them.
    enters_called = not (state <= TaskState.FINISHED_MASK)
    stack: list[tuple[Any, int]] = [(root, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        task, depth = pop()
        children = task._children
        called = subprocesses.get(task.id) if subprocesses else None
        if (children or called is not None) and (task._state >= entered or called is not None) and depth < MAX_DEPTH:
            tasks = task.workflow.tasks
            for child in reversed(children):
                push((tasks.get(child), depth + 1))
            if called is not None and (enters_called or task._state < TaskState.FINISHED_MASK):
                push((called.task_tree, depth + 1))
        if (task._state & state and (manual is None or task.task_spec.manual == manual)
                and (spec_name is None or task.task_spec.name == spec_name)):
            yield task


def within_depth_limit(workflow: Any) -> bool:
    """Whether a walk across `workflow` and its subprocesses is ours: fewer tasks than the depth limit in all."""
    return len(workflow.tasks) + sum(len(sub.tasks) for sub in workflow.subprocesses.values()) < MAX_DEPTH


def simple_filter(kwargs: dict[str, Any]) -> bool:
    """Whether `tasks_in_order` answers a `get_tasks` call with these arguments."""
    return kwargs.keys() <= SIMPLE_FILTERS
