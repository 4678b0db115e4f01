"""Replay re-executes an instance's recorded inputs on its pinned definition and reproduces every event."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.errors import InvalidInput
from engine.runtime.service import InstanceView

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn"


def run_review(app: Casedesk, rounds: int = 1, finish: bool = True, clock: FakeClock | None = None) -> InstanceView:
    """The document review demo: `rounds` drafts, each sent back but the last (approved when `finish`)."""
    view = app.runtime.start_instance("document_review", {"title": " Travel policy "}, actor="alice")
    for round_ in range(rounds):
        if clock is not None:
            clock.advance(timedelta(hours=3))
        draft = view.ready_tasks[0]
        app.runtime.claim_task(draft.id, actor="alice")
        view = app.runtime.complete_task(draft.id, {"body": f"text {round_}"}, actor="alice")
        last = round_ == rounds - 1
        if last and not finish:
            break
        decision = "approve" if last else "send_back"
        view = app.runtime.complete_task(view.ready_tasks[0].id, {"decision": decision}, actor="rita")
    return view


def test_a_published_document_replays_as_verified(app: Casedesk, clock: FakeClock) -> None:
    view = run_review(app, rounds=3, clock=clock)
    assert view.status == "completed"
    report = app.history.replay(view.id)
    assert report.verified, report.as_dict()
    assert report.events == view.events and report.chain.ok
    assert report.as_dict()["divergence"] is None


def test_the_service_handler_is_not_called_again_on_replay(app: Casedesk) -> None:
    """Replay feeds the recorded publication result back; the handler never runs (it would draw a new number)."""
    view = run_review(app)
    calls: list[str] = []
    app.handlers["publish_document"] = lambda ctx, **params: calls.append("called")  # type: ignore[index]
    assert app.history.replay(view.id).verified
    assert calls == []


def test_running_instances_with_claims_and_a_cancelled_one_replay_as_verified(app: Casedesk) -> None:
    running = run_review(app, rounds=2, finish=False)
    review = running.ready_tasks[0]
    app.runtime.claim_task(review.id, actor="rita")
    app.runtime.unclaim_task(review.id, actor="rita")
    app.runtime.claim_task(review.id, actor="rita")
    cancelled = app.runtime.start_instance("document_review", {"title": "Old"}, actor="alice")
    app.runtime.cancel_instance(cancelled.id, actor="root", reason="duplicate")
    for instance_id in (running.id, cancelled.id):
        report = app.history.replay(instance_id)
        assert report.verified, report.as_dict()


def test_a_script_reading_the_clock_replays_identically_days_later(app: Casedesk, clock: FakeClock) -> None:
    """Scripts read time only through now(), the step's recorded clock (design: Determinism)."""
    app.definitions.deploy(collect_files(FIXTURES / "replay"), "owen")
    started = app.runtime.start_instance("stamped", {}, actor="alice")
    clock.advance(timedelta(hours=5, minutes=7))
    done = app.runtime.complete_task(started.ready_tasks[0].id, {}, actor="bob")
    final = json.loads(app.history.events(done.id)[-1].payload)["data"]
    assert final["received_at"] == "2026-01-05T09:00:00+00:00" and final["morning"] is True
    assert final["closed_at"] == "2026-01-05T14:07:00+00:00"

    clock.advance(timedelta(days=9, hours=8))  # now an afternoon, days later: a live run would differ
    report = app.history.replay(done.id)
    assert report.verified, report.as_dict()


def test_replay_uses_the_pinned_version_after_processes_changed_on_disk(
        app: Casedesk, tmp_path: Path) -> None:
    """A new deployment with a changed script leaves old instances verifying against what ran."""
    view = run_review(app)
    changed = tmp_path / "processes"
    changed.mkdir()
    source = (PROJECT_ROOT / "processes" / "demo" / "document_review.bpmn").read_text(encoding="utf-8")
    edited = source.replace("rounds = 0", "rounds = 100")
    assert edited != source
    (changed / "document_review.bpmn").write_text(edited, encoding="utf-8")
    results = app.definitions.deploy(collect_files(changed, PROJECT_ROOT / "forms"), "owen")
    assert [r.version for r in results] == [2]
    newer = run_review(app)
    assert app.runtime.get_instance(newer.id).version == 2

    assert app.history.replay(view.id).verified
    assert app.history.replay(newer.id).verified


def test_long_loops_with_call_activities_and_parallel_branches_replay(app: Casedesk) -> None:
    """Subprocesses, joins and engine-only loops (compacted mid-step) replay to the same state."""
    app.definitions.deploy(collect_files(FIXTURES / "long_loops"), "owen")
    loop = app.runtime.start_instance("script_loop", {"counter": 0, "limit": 200}, actor="alice")
    loop = app.runtime.complete_task(loop.ready_tasks[0].id, {}, actor="alice")
    called = app.runtime.start_instance("call_loop", {"finished": False}, actor="alice")
    for round_ in range(5):
        part_a, part_b = sorted(called.ready_tasks, key=lambda t: t.task_spec)
        app.runtime.claim_task(part_b.id, actor="bob")
        app.runtime.complete_task(part_a.id, {}, actor="alice")
        called = app.runtime.complete_task(part_b.id, {"finished": round_ == 4}, actor="bob")
    waiting = app.runtime.start_instance("parallel_wait", {"rounds": 0, "finished": False}, actor="alice")
    for round_ in range(3):
        work = next(t for t in waiting.ready_tasks if t.task_spec == "work")
        waiting = app.runtime.complete_task(work.id, {"finished": False}, actor="alice")
    assert (loop.status, called.status, waiting.status) == ("completed", "completed", "running")
    for view in (loop, called, waiting):
        report = app.history.replay(view.id)
        assert report.verified, report.as_dict()


def test_state_at_shows_tokens_completed_elements_data_and_actors(app: Casedesk) -> None:
    view = run_review(app, rounds=2, finish=False)
    events = app.history.events(view.id)
    sent_back = next(e for e in events if e.type == "task_submitted" and e.task_spec == "review")
    redraft = next(e for e in events if e.seq > sent_back.seq and e.type == "task_ready")

    at_submit = app.history.state_at(view.id, sent_back.seq)
    assert [(t["element"], t["state"]) for t in at_submit.tokens] == [("review", "READY")]
    assert at_submit.tokens[0]["task_id"] == sent_back.task_id  # recorded ids, not the replay's own
    assert at_submit.data["body"] == "text 0" and "decision" not in at_submit.data
    assert at_submit.completed == {"start": 1, "prepare": 1, "draft": 1}

    at_redraft = app.history.state_at(view.id, redraft.seq)
    assert [(t["element"], t["task_id"]) for t in at_redraft.tokens] == [("draft", redraft.task_id)]
    assert at_redraft.completed["review"] == 1 and at_redraft.completed["approved_gateway"] == 1
    assert at_redraft.data["decision"] == "send_back"
    assert [(a["actor"], a["type"], a["element"]) for a in at_redraft.actors] == [
        ("alice", "instance_started", None), ("alice", "task_claimed", "draft"),
        ("alice", "task_submitted", "draft"), ("rita", "task_submitted", "review")]
    assert at_redraft.event["type"] == "task_ready"
    assert at_redraft.flows == {"flow_start_prepare": 1, "flow_prepare_draft": 1, "flow_draft_review": 1,
                                "flow_review_gateway": 1, "flow_rejected": 1}


def test_state_at_a_claim_shows_the_assignee(app: Casedesk) -> None:
    view = run_review(app, rounds=1, finish=False)
    claim = app.history.events(view.id)[-1]
    assert claim.type != "task_claimed"
    review = view.ready_tasks[0]
    app.runtime.claim_task(review.id, actor="rita")
    claim = app.history.events(view.id)[-1]
    state = app.history.state_at(view.id, claim.seq)
    assert state.assignees == {review.id: "rita"}


def test_state_at_refuses_a_seq_outside_the_log(app: Casedesk) -> None:
    view = run_review(app, finish=False)
    for seq in (0, view.events + 1):
        with pytest.raises(InvalidInput):
            app.history.state_at(view.id, seq)


def test_routed_tasks_due_dates_and_the_business_key_replay(app: Casedesk, clock: FakeClock) -> None:
    """R-2.2.1 routing (group, assignee, due date counted from the recorded step time) and the
    business key are reproduced; the stored inbox rows must match the replayed ones."""
    app.definitions.deploy(collect_files(FIXTURES / "routing"), "owen")
    app.users.add_user("ivy", "correct-horse-1", ["intake"])
    app.users.add_user("fay", "correct-horse-1", ["finance"])
    values = {"department": "finance", "deadline": "P3D", "handler": "fay", "serial": 42}
    view = app.runtime.start_instance("routed", values, actor="ivy")
    clock.advance(timedelta(hours=2))
    note = next(t for t in view.ready_tasks if t.task_spec == "note")
    view = app.runtime.complete_task(note.id, {}, actor="ivy")
    running = app.history.replay(view.id)
    assert running.verified, running.as_dict()
    clock.advance(timedelta(days=5))
    handle = next(t for t in view.ready_tasks if t.task_spec == "handle")
    done = app.runtime.complete_task(handle.id, {}, actor="fay")
    assert done.status == "completed"
    report = app.history.replay(done.id)
    assert report.verified, report.as_dict()
