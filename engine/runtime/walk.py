"""The library's task-tree walks, in the same order and with the same depth limit, at a third of the cost.

SpiffWorkflow walks an instance's task tree from its root several times a step (the ready tasks
before each round of engine steps, the waiting ones after each completion) with a general iterator:
a filter object asked about every task, a depth counter kept up by walking parents, a child list
copied at every node. That walk is most of what the library spends on a short step. For a workflow
without subprocesses (their trees are walked across workflows, with the library's own bookkeeping)
and the filters the library itself asks for (state, manual, spec name), `tasks_in_order` visits the
same tasks in the same order: depth first from the root, a task's children entered only when the
task is at least as far along as the filter's earliest state (`TaskIterator.min_state`) and lies
above the iterator's depth limit. Everything else goes to the library's iterator unchanged.
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
                   spec_name: str | None = None) -> Iterator[Task]:
    """The tasks under `root` (its own workflow's tree) that match, lazily and in the library's order: a
    task's children are read when the task is reached, before it is handed out, as TaskIterator does."""
    tasks = root.workflow.tasks
    entered = min_state(state)
    stack: list[tuple[Any, int]] = [(root, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        task, depth = pop()
        children = task._children
        if children and task._state >= entered and depth < MAX_DEPTH:
            for child in reversed(children):
                push((tasks.get(child), depth + 1))
        if (task._state & state and (manual is None or task.task_spec.manual == manual)
                and (spec_name is None or task.task_spec.name == spec_name)):
            yield task


def simple_filter(kwargs: dict[str, Any]) -> bool:
    """Whether `tasks_in_order` answers a `get_tasks` call with these arguments."""
    return kwargs.keys() <= SIMPLE_FILTERS
