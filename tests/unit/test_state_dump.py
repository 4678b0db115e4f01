"""The stored state is the library's own JSON, text for text, though casedesk writes the task part itself."""
from __future__ import annotations

import json
import math
from itertools import islice
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.util.task import TaskState

from engine.runtime.state import PinnedSpecWorkflowConverter, StateCodec
from engine.runtime.tasktree import compact, ready_manual_tasks
from tests.support.review_specs import FixedReferencePublisher, document_review_specs


@pytest.fixture(scope="module")
def specs() -> tuple[Any, Any]:
    return document_review_specs()


def _library_dump(codec: StateCodec, workflow: BpmnWorkflow, monkeypatch: pytest.MonkeyPatch) -> str:
    """What SpiffWorkflow's own serialize_json and WorkflowConverter.to_dict make of the workflow."""
    with monkeypatch.context() as patched:
        patched.setattr(PinnedSpecWorkflowConverter, "_workflow_to_json_dict",
                        lambda converter, wf: WorkflowConverter.to_dict(converter, wf))
        return codec.serializer.serialize_json(workflow)


def _steps(specs: tuple[Any, Any]) -> Iterator[BpmnWorkflow]:
    """The document review at each point a step ends: started, drafted, sent back, drafted, approved (one
    workflow, yielded as each step leaves it)."""
    workflow = BpmnWorkflow(specs[0], specs[1], script_engine=FixedReferencePublisher())
    for task in workflow.get_tasks(state=TaskState.READY):
        task.set_data(title="审核 \"quoted\"", due=date(2026, 12, 24), at=datetime(2026, 12, 1, tzinfo=timezone.utc))
    workflow.do_engine_steps()
    yield workflow
    for data in ({"body": "x", "wait": timedelta(days=3), "ratio": math.pi},
                 {"decision": "send_back", "tags": {"b", "a"} - {"b"}},
                 {"body": "y", "nested": {"list": [1, None, True], "when": datetime(2027, 1, 2, 3, 4, 5)}},
                 {"decision": "approve"}):
        (task,) = ready_manual_tasks(workflow)
        task.internal_data["casedesk_from"] = "draft"
        task.internal_data["dropped"] = len  # callables are left out of the state, as the library does
        task.set_data(**data)
        task.run()
        workflow.do_engine_steps()
        compact(workflow)
        yield workflow


def test_each_steps_state_is_the_librarys_json_text_for_text(specs: tuple[Any, Any],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    codec = StateCodec()
    for workflow in _steps(specs):
        ours = codec.dump(workflow)
        assert ours == _library_dump(codec, workflow, monkeypatch)
        assert codec.dump(workflow) == ours  # the remembered id texts change nothing on a second dump


def test_a_state_written_this_way_loads_and_runs_on(specs: tuple[Any, Any]) -> None:
    codec = StateCodec()
    *_, last = _steps(specs)
    restored = codec.load(codec.dump(last), specs[0], specs[1])
    assert restored.is_completed()
    assert codec.dump(restored) == codec.dump(last)


def _library_load(codec: StateCodec, text: str, specs: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """What SpiffWorkflow's own TaskConverter.from_dict makes of the stored tasks."""
    with monkeypatch.context() as patched:
        patched.setattr("engine.runtime.state.read_tasks",
                        lambda converter, stored, workflow: converter.mapping_from_dict(stored, UUID, workflow=workflow))
        return codec.load(text, specs[0], specs[1])


def _tasks_as_seen(workflow: Any) -> list[tuple[Any, ...]]:
    return [(task_id, type(task_id), task.id, task._parent, task._children, task._state, task.task_spec.name,
             task.last_state_change, task.triggered, task.internal_data, task.data,
             [type(value) for value in task.data.values()])
            for task_id, task in workflow.tasks.items()]


def test_a_loaded_state_has_the_tasks_and_data_the_librarys_loader_gives(specs: tuple[Any, Any],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    codec = StateCodec()
    for workflow in _steps(specs):
        text = codec.dump(workflow)
        ours, theirs = codec.load(text, specs[0], specs[1]), _library_load(codec, text, specs, monkeypatch)
        assert _tasks_as_seen(ours) == _tasks_as_seen(theirs)
        assert ours.task_tree.id == theirs.task_tree.id and ours.data == theirs.data
        assert [t.id for t in ours.get_tasks()] == [t.id for t in theirs.get_tasks()]
        # Typed values come back typed, and no two tasks share a mutable value the library would have copied.
        assert codec.dump(ours) == codec.dump(theirs) == text


def test_a_loaded_task_can_change_its_data_without_touching_its_parents(specs: tuple[Any, Any]) -> None:
    codec = StateCodec()
    workflow = next(islice(_steps(specs), 3, None))  # sent back, drafted again: the review is ready
    restored = codec.load(codec.dump(workflow), specs[0], specs[1])
    (task,) = ready_manual_tasks(restored)
    parent = restored.tasks[task._parent]
    nested_before = json.dumps(parent.data, default=str, sort_keys=True)
    task.data.setdefault("nested", {})["list"] = ["changed"]
    task.data["body"] = "changed"
    assert json.dumps(parent.data, default=str, sort_keys=True) == nested_before
