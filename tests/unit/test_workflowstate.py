"""State codec and task-tree compaction on the review-loop diagram, without a database."""
from __future__ import annotations

import json
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.config import PROJECT_ROOT
from engine.errors import WorkflowFailed
from engine.runtime.state import StateCodec
from engine.runtime.tasktree import MAX_SAFE_DEPTH, compact, ready_manual_tasks, unfinished_tasks


class FixedReferencePublisher(PythonScriptEngine):
    def call_service(self, task: Any, operation_name: str = "", operation_params: Any = None, **_: Any) -> str:
        return json.dumps({"reference": "DOC-1"})


@pytest.fixture(scope="module")
def specs() -> tuple[Any, Any]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(PROJECT_ROOT / "processes" / "demo" / "document_review.bpmn"))
    return parser.get_spec("document_review"), parser.get_subprocess_specs("document_review")


def new_workflow(specs: tuple[Any, Any]) -> BpmnWorkflow:
    workflow = BpmnWorkflow(specs[0], specs[1], script_engine=FixedReferencePublisher())
    for task in workflow.get_tasks(state=TaskState.READY):
        task.set_data(title="t")
    workflow.do_engine_steps()
    return workflow


def send_back_once(workflow: BpmnWorkflow) -> None:
    for data in ({"body": "x"}, {"decision": "send_back"}):
        (task,) = ready_manual_tasks(workflow)
        task.set_data(**data)
        task.run()
        workflow.do_engine_steps()


def test_raw_spiffworkflow_loses_the_ready_task_of_a_long_loop(specs: tuple[Any, Any]) -> None:
    """The failure casedesk guards against: ~333 rounds in, the library's iterator hides the work."""
    workflow = new_workflow(specs)
    rounds = 0
    while ready_manual_tasks(workflow) and rounds < 400:
        send_back_once(workflow)
        rounds += 1
    assert 300 < rounds < 400
    assert workflow.is_completed()
    assert workflow.get_tasks(state=TaskState.READY) == []
    assert unfinished_tasks(workflow)  # the gateway is still READY, out of the iterator's reach


def test_compaction_keeps_a_1000_round_loop_shallow_and_working(specs: tuple[Any, Any]) -> None:
    workflow, codec = new_workflow(specs), StateCodec()
    sizes = []
    for _ in range(1000):
        send_back_once(workflow)
        compact(workflow)
        text = codec.dump(workflow)
        sizes.append(len(text))
        workflow = codec.load(text, *specs)
        workflow.script_engine = FixedReferencePublisher()
    assert not workflow.is_completed()
    assert [t.task_spec.name for t in workflow.get_tasks(state=TaskState.READY, manual=True)] == ["draft"]
    assert max(sizes[-100:]) <= max(sizes[:10]) + 200  # state does not grow with age
    assert len(workflow.tasks) < 30


def test_state_round_trips_exactly_and_leaves_the_spec_out(specs: tuple[Any, Any]) -> None:
    workflow, codec = new_workflow(specs), StateCodec()
    send_back_once(workflow)
    text = codec.dump(workflow)
    assert "task_specs" not in text
    restored = codec.load(text, *specs)
    assert codec.dump(restored) == text
    assert [t.task_spec.name for t in ready_manual_tasks(restored)] == ["draft"]


def test_a_state_too_deep_to_walk_is_refused_rather_than_saved(specs: tuple[Any, Any]) -> None:
    workflow = new_workflow(specs)
    for _ in range(MAX_SAFE_DEPTH // 3 + 5):
        send_back_once(workflow)
    (ready,) = ready_manual_tasks(workflow)
    # A pathological tree: every task of the history unfinished, so nothing may be cut or spliced.
    for task in list(workflow.tasks.values()):
        if task.state == TaskState.COMPLETED:
            task._set_state(TaskState.WAITING)
    with pytest.raises(WorkflowFailed):
        compact(workflow)
    assert ready.state == TaskState.READY
