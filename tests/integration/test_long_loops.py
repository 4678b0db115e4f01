"""Instances that loop for a long time stay correct: nothing hides behind SpiffWorkflow's depth limit."""
from __future__ import annotations

import json

from sqlalchemy import select

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.models import ProcessInstance

LONG_LOOPS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "long_loops"


def deploy_long_loops(app: Casedesk) -> None:
    app.definitions.deploy(collect_files(LONG_LOOPS), "owen")


def state_size(app: Casedesk, instance_id: str) -> int:
    with app.db.unit_of_work(write=False) as session:
        return len(session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == instance_id)))


def test_a_script_loop_of_600_rounds_in_one_step_reaches_its_user_task(app: Casedesk) -> None:
    """1,800 engine tasks in a single step: raw SpiffWorkflow would lose the loop at depth 1,000."""
    deploy_long_loops(app)
    started = app.runtime.start_instance("script_loop", {"counter": 0, "limit": 600}, actor="alice")
    assert [t.task_spec for t in started.ready_tasks] == ["confirm"]
    done = app.runtime.complete_task(started.ready_tasks[0].id, {}, actor="alice")
    assert done.status == "completed"
    final = json.loads(app.history.events(started.id)[-1].payload)
    assert final["data"]["counter"] == 600
    assert app.history.verify(started.id).ok


def test_a_called_parallel_round_repeated_400_times_keeps_both_parts_in_the_inbox(app: Casedesk) -> None:
    """Call activity + parallel split/join in a loop: subprocesses of finished rounds are dropped."""
    deploy_long_loops(app)
    view = app.runtime.start_instance("call_loop", {"finished": False}, actor="alice")
    sizes = []
    for round_ in range(400):
        assert sorted(t.task_spec for t in view.ready_tasks) == ["part_a", "part_b"], round_
        part_a, part_b = sorted(view.ready_tasks, key=lambda t: t.task_spec)
        app.runtime.claim_task(part_b.id, actor="bob")
        view = app.runtime.complete_task(part_a.id, {}, actor="alice")
        assert [t.task_spec for t in view.ready_tasks] == ["part_b"]
        assert view.ready_tasks[0].assignee == "bob"  # a claim survives the other branch's step
        view = app.runtime.complete_task(part_b.id, {"finished": round_ == 399}, actor="bob")
        sizes.append(state_size(app, view.id))
    assert view.status == "completed"
    assert max(sizes[-50:]) <= max(sizes[:10]) * 1.2  # state size does not grow round after round
    assert app.history.verify(view.id).ok


def test_a_branch_looping_400_rounds_beside_a_waiting_branch_keeps_both(app: Casedesk) -> None:
    """The waiting branch pins the split, so history can only be cut inside the looping branch."""
    deploy_long_loops(app)
    view = app.runtime.start_instance("parallel_wait", {"rounds": 0, "finished": False}, actor="alice")
    sign_off = next(t for t in view.ready_tasks if t.task_spec == "sign_off")
    for round_ in range(400):
        work = next(t for t in view.ready_tasks if t.task_spec == "work")
        view = app.runtime.complete_task(work.id, {"finished": round_ == 399}, actor="alice")
        assert sign_off.id in [t.id for t in view.ready_tasks], round_
    assert [t.task_spec for t in view.ready_tasks] == ["sign_off"]
    done = app.runtime.complete_task(sign_off.id, {}, actor="alice")
    assert done.status == "completed"
    tallies = [json.loads(e.payload) for e in app.history.events(done.id)
               if e.type == "task_done" and e.task_spec == "tally"]
    assert [t["delta"]["set"]["rounds"] for t in tallies] == list(range(1, 401))
    assert state_size(app, done.id) < 50_000
    assert app.history.verify(done.id).ok
