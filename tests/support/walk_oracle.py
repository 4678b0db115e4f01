"""Every fast tree walk of casedesk's workflows checked against the library's own iterator, for the tests
that drive many diagrams (tests/bpmn, tests/acceptance): a walk that visits other tasks, or the same tasks
in another order, fails the test that caused it."""
from __future__ import annotations

from typing import Any

import pytest
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator, TaskState

from engine.runtime import walk
from engine.runtime.binding import LateBindingWorkflow


def check_walks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch the workflow class to compare each walk it answers itself with the library's."""
    fast_walk, fast_waiting = LateBindingWorkflow.get_tasks_iterator, LateBindingWorkflow.update_waiting_tasks

    def get_tasks_iterator(self: LateBindingWorkflow, first_task: Any = None, **kwargs: Any) -> Any:
        found = fast_walk(self, first_task, **kwargs)
        if isinstance(found, BpmnTaskIterator):
            return found  # not one of ours
        mine = list(fast_walk(self, first_task, **kwargs))
        library = list(BpmnTaskIterator(first_task or self.task_tree, **kwargs))
        assert mine == library, f"walk {kwargs} differs: {_names(mine)} against the library's {_names(library)}"
        return found

    def update_waiting_tasks(self: LateBindingWorkflow) -> None:
        mine = list(walk.tasks_in_order(self.task_tree, state=TaskState.WAITING))
        library = list(TaskIterator(self.task_tree, state=TaskState.WAITING))
        assert mine == library, f"waiting tasks differ: {_names(mine)} against the library's {_names(library)}"
        fast_waiting(self)

    monkeypatch.setattr(LateBindingWorkflow, "get_tasks_iterator", get_tasks_iterator)
    monkeypatch.setattr(LateBindingWorkflow, "update_waiting_tasks", update_waiting_tasks)


def _names(tasks: list[Any]) -> list[str]:
    return [f"{t.task_spec.name}:{TaskState.get_name(t.state)}" for t in tasks]
