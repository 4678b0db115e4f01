"""casedesk's own tree walk hands out what the library's iterators hand out, in their order, where it is used."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator, TaskState

from engine.runtime.binding import LateBindingWorkflow
from engine.runtime.tasktree import ready_manual_tasks
from engine.runtime.walk import MAX_DEPTH, tasks_in_order
from tests.support.review_specs import FixedReferencePublisher, document_review_specs

FILTERS: list[dict[str, Any]] = [
    {}, {"state": TaskState.READY}, {"state": TaskState.READY, "manual": False},
    {"state": TaskState.READY, "manual": True}, {"state": TaskState.WAITING},
    {"state": TaskState.NOT_FINISHED_MASK}, {"state": TaskState.PREDICTED_MASK},
    {"state": TaskState.FINISHED_MASK}, {"state": TaskState.COMPLETED}, {"spec_name": "review"},
    {"state": TaskState.CANCELLED, "spec_name": "review"},
]


@pytest.fixture(scope="module")
def specs() -> tuple[Any, Any]:
    return document_review_specs()


def _review_rounds(specs: tuple[Any, Any]) -> Iterator[LateBindingWorkflow]:
    """A document review as each step leaves it: started, then drafted and sent back twice, then approved."""
    workflow = LateBindingWorkflow(specs[0], specs[1], script_engine=FixedReferencePublisher())
    for task in workflow.get_tasks(state=TaskState.READY):
        task.set_data(title="t")
    workflow.do_engine_steps()
    yield workflow
    for data in ({"body": "x"}, {"decision": "send_back"}, {"body": "y"}, {"decision": "send_back"},
                 {"body": "z"}, {"decision": "approve"}):
        (task,) = ready_manual_tasks(workflow)
        task.set_data(**data)
        task.run()
        workflow.do_engine_steps()
        yield workflow


def _library(workflow: LateBindingWorkflow, **kwargs: Any) -> list[Any]:
    return list(BpmnTaskIterator(workflow.task_tree, **kwargs))


def test_every_filter_the_runtime_asks_gets_the_librarys_tasks_in_the_librarys_order(specs: tuple[Any, Any]) -> None:
    steps = 0
    for workflow in _review_rounds(specs):
        steps += 1
        for kwargs in FILTERS:
            assert workflow.get_tasks(**kwargs) == _library(workflow, **kwargs), kwargs
        assert list(tasks_in_order(workflow.task_tree, state=TaskState.WAITING)) == \
            list(TaskIterator(workflow.task_tree, state=TaskState.WAITING))
    assert steps == 7 and workflow.completed


def test_a_walk_from_a_task_inside_the_tree_starts_there(specs: tuple[Any, Any]) -> None:
    workflow = next(_review_rounds(specs))
    inner = workflow.task_tree.children[0]
    for kwargs in FILTERS:
        assert workflow.get_tasks(inner, **kwargs) == list(BpmnTaskIterator(inner, **kwargs)), kwargs


def test_a_ready_task_below_the_librarys_depth_limit_stays_hidden_as_the_library_hides_it(
        specs: tuple[Any, Any]) -> None:
    """Compaction keeps trees far from the limit; were one to reach it, both walks must still agree."""
    workflow = next(_review_rounds(specs))
    (ready,) = ready_manual_tasks(workflow)
    node = ready.parent
    node._children.remove(ready.id)
    for _ in range(MAX_DEPTH + 5):
        node = node._add_child(ready.task_spec, TaskState.COMPLETED)
    hidden = node._add_child(ready.task_spec, TaskState.READY)
    for kwargs in FILTERS:
        assert workflow.get_tasks(**kwargs) == _library(workflow, **kwargs), kwargs
    assert hidden not in workflow.get_tasks(state=TaskState.READY)
    assert hidden in ready_manual_tasks(workflow)  # the task dict still holds it


def test_children_are_read_when_their_parent_is_reached_as_the_library_reads_them(specs: tuple[Any, Any]) -> None:
    """A walk that is consumed while tasks change (the library updates waiting tasks as it walks) sees a task's
    children as they were when the walk reached it."""
    workflow = next(_review_rounds(specs))
    (ready,) = ready_manual_tasks(workflow)
    walks = [tasks_in_order(workflow.task_tree), TaskIterator(workflow.task_tree)]
    seen: list[list[str]] = [[], []]
    for walk_, names in zip(walks, seen):
        added = None
        for task in walk_:
            names.append(task.task_spec.name)
            if task is ready.parent and added is None:
                added = ready.parent._add_child(ready.task_spec, TaskState.FUTURE)  # too late for this walk
        assert added is not None
        ready.parent._children.remove(added.id)
        del workflow.tasks[added.id]
    assert seen[0] == seen[1]


def test_a_subprocess_tree_is_walked_where_the_library_walks_it(specs: tuple[Any, Any]) -> None:
    """The library enters a called subprocess's tree before the calling task's children, whatever the
    calling task's state (a caller at each place of the tree in turn, predicted ones included)."""
    entered = 0
    for called_at in range(len(next(_review_rounds(specs)).get_tasks())):
        workflow = next(_review_rounds(specs))
        inner = next(_review_rounds(specs))
        caller = workflow.get_tasks()[called_at]
        workflow.subprocesses[caller.id] = inner
        assert not isinstance(workflow.get_tasks_iterator(), BpmnTaskIterator)
        for kwargs in FILTERS:
            assert workflow.get_tasks(**kwargs) == _library(workflow, **kwargs), (called_at, kwargs)
        entered += set(inner.get_tasks(state=TaskState.READY)) <= set(workflow.get_tasks(state=TaskState.READY))
    assert entered >= 6  # the callers the walk reaches (the rest sit below a predicted branch it skips)


def test_a_walk_across_workflows_as_large_as_the_depth_limit_is_the_librarys(specs: tuple[Any, Any]) -> None:
    """Across workflows the library's depth counter is not the depth: only its own iterator hides what it hides."""
    workflow = next(_review_rounds(specs))
    (ready,) = ready_manual_tasks(workflow)
    node = ready
    for _ in range(MAX_DEPTH + 5):
        node = node._add_child(ready.task_spec, TaskState.COMPLETED)
    workflow.subprocesses[ready.parent.id] = next(_review_rounds(specs))
    assert isinstance(workflow.get_tasks_iterator(state=TaskState.READY), BpmnTaskIterator)
    workflow.subprocesses.clear()
    assert not isinstance(workflow.get_tasks_iterator(state=TaskState.READY), BpmnTaskIterator)


def test_a_filter_this_walk_does_not_know_goes_to_the_library(specs: tuple[Any, Any]) -> None:
    workflow = next(_review_rounds(specs))
    assert isinstance(workflow.get_tasks_iterator(lane="clerks"), BpmnTaskIterator)
    assert not isinstance(workflow.get_tasks_iterator(state=TaskState.READY), BpmnTaskIterator)
