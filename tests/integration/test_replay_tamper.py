"""Tampering with a recorded instance is detected by replay, and the report names the first divergence."""
from __future__ import annotations

import json

from sqlalchemy import select, update

from engine.bootstrap import Casedesk
from engine.definitions.service import content_hash
from engine.models import DefinitionFile, InstanceEvent, ProcessInstance
from tests.integration.test_replay import run_review


def event(app: Casedesk, instance_id: str, type_: str, task_spec: str | None = None, nth: int = 0) -> InstanceEvent:
    matches = [e for e in app.history.events(instance_id)
               if e.type == type_ and (task_spec is None or e.task_spec == task_spec)]
    return matches[nth]


def set_event(app: Casedesk, event_id: int, **values: object) -> None:
    with app.db.unit_of_work() as session:
        session.execute(update(InstanceEvent).where(InstanceEvent.id == event_id).values(**values))


def test_an_edited_effect_is_named_at_its_own_seq(app: Casedesk) -> None:
    view = run_review(app, rounds=2)
    done = event(app, view.id, "task_done", "prepare")
    payload = json.loads(done.payload)
    payload["delta"]["set"]["rounds"] = 7
    set_event(app, done.id, payload=json.dumps(payload))

    report = app.history.replay(view.id)
    assert not report.verified
    assert report.chain.problems == [f"seq {done.seq}: content does not match its hash (event edited)"]
    divergence = report.divergence
    assert divergence is not None
    assert (divergence.seq, divergence.kind) == (done.seq, "event differs")
    assert "payload.delta.set.rounds" in divergence.detail
    assert divergence.expected["payload"]["delta"]["set"]["rounds"] == 7
    assert divergence.got["payload"]["delta"]["set"]["rounds"] == 0


def test_an_edited_submission_shows_in_the_effects_that_follow_it(app: Casedesk) -> None:
    """Turning a 'send back' into an 'approve' makes the recorded path impossible to reproduce."""
    view = run_review(app, rounds=2)
    sent_back = event(app, view.id, "task_submitted", "review", nth=0)
    set_event(app, sent_back.id, payload=json.dumps({"data": {"decision": "approve"}, "claimed_now": True}))

    report = app.history.replay(view.id)
    assert report.chain.problems == [f"seq {sent_back.seq}: content does not match its hash (event edited)"]
    divergence = report.divergence
    assert divergence is not None and divergence.seq == sent_back.seq + 1
    assert divergence.kind == "event differs" and "payload.delta.set.decision" in divergence.detail


def test_a_deleted_event_is_named(app: Casedesk) -> None:
    view = run_review(app, rounds=2)
    gone = event(app, view.id, "task_done", "approved_gateway")
    with app.db.unit_of_work() as session:
        session.delete(session.get(InstanceEvent, gone.id))

    report = app.history.replay(view.id)
    assert report.chain.problems[0].startswith(f"seq {gone.seq + 1}: expected seq {gone.seq}")
    divergence = report.divergence
    assert divergence is not None
    assert (divergence.seq, divergence.kind) == (gone.seq, "event missing or out of order")
    assert divergence.got["type"] == "task_done" and divergence.got["task_spec"] == "approved_gateway"


def test_two_swapped_events_are_named(app: Casedesk) -> None:
    view = run_review(app, rounds=2)
    first = event(app, view.id, "task_done", "review")
    second = next(e for e in app.history.events(view.id) if e.seq == first.seq + 1)
    set_event(app, first.id, seq=-1)
    set_event(app, second.id, seq=first.seq)
    set_event(app, first.id, seq=second.seq)

    report = app.history.replay(view.id)
    assert not report.chain.ok
    divergence = report.divergence
    assert divergence is not None
    assert (divergence.seq, divergence.kind) == (first.seq, "event missing or out of order")
    assert divergence.expected["seq"] == second.seq


def test_a_changed_stored_state_is_named_though_the_chain_is_intact(app: Casedesk) -> None:
    view = run_review(app, rounds=1, finish=False)
    with app.db.unit_of_work() as session:
        row = session.get(ProcessInstance, view.id)
        assert row is not None
        state = json.loads(row.state)
        ready = next(t for t in state["tasks"].values() if t["task_spec"] == "review" and t["state"] == 16)
        ready["delta"]["updates"]["decision"] = "approve"
        row.state = json.dumps(state)

    report = app.history.replay(view.id)
    assert report.chain.ok and not report.verified
    divergence = report.divergence
    assert divergence is not None
    assert (divergence.seq, divergence.kind) == (view.events, "final state differs")
    assert "review" in divergence.detail and "decision" in divergence.detail


def test_a_changed_status_is_named(app: Casedesk) -> None:
    view = run_review(app, rounds=1, finish=False)
    with app.db.unit_of_work() as session:
        session.execute(update(ProcessInstance).where(ProcessInstance.id == view.id).values(status="completed"))
    divergence = app.history.replay(view.id).divergence
    assert divergence is not None and divergence.kind == "final state differs"
    assert divergence.detail == "instance status differs"
    assert (divergence.expected, divergence.got) == ("completed", "running")


def _edit_pinned_bpmn(app: Casedesk, view_id: str, rehash: bool) -> None:
    with app.db.unit_of_work() as session:
        instance = session.get(ProcessInstance, view_id)
        assert instance is not None
        definition = instance.definition
        bpmn = session.scalar(select(DefinitionFile).where(DefinitionFile.definition_id == definition.id,
                                                            DefinitionFile.name.like("%.bpmn")))
        assert bpmn is not None
        bpmn.content = bpmn.content.replace(b"rounds = 0", b"rounds = 5")
        session.flush()
        if rehash:
            files = {f.name: f.content for f in definition.files}
            definition.content_hash = content_hash(files)


def test_an_edited_pinned_definition_is_named(app: Casedesk) -> None:
    view = run_review(app)
    _edit_pinned_bpmn(app, view.id, rehash=False)
    report = app.history.replay(view.id)
    assert report.chain.ok and not report.verified
    assert report.divergence is not None and report.divergence.kind == "pinned definition changed"


def test_an_edited_and_rehashed_pinned_definition_still_fails_replay(app: Casedesk) -> None:
    """Even with its hash forged, the edited script produces other effects than were recorded."""
    view = run_review(app)
    _edit_pinned_bpmn(app, view.id, rehash=True)
    report = app.history.replay(view.id)
    divergence = report.divergence
    assert divergence is not None
    prepare = event(app, view.id, "task_done", "prepare")
    assert (divergence.seq, divergence.kind) == (prepare.seq, "event differs")
    assert divergence.got["payload"]["delta"]["set"]["rounds"] == 5


def test_an_event_appended_to_the_log_is_named(app: Casedesk) -> None:
    """An effect the inputs do not produce (here a forged extra completion) cannot be replayed."""
    view = run_review(app, rounds=1, finish=False)
    last = app.history.events(view.id)[-1]
    with app.db.unit_of_work() as session:
        session.add(InstanceEvent(
            instance_id=view.id, seq=last.seq + 1, at=last.at, actor=None, category="effect", type="task_done",
            task_id=last.task_id, task_spec="review", payload=json.dumps({"element": "review"}),
            prev_hash=last.hash, hash="f" * 64))
    divergence = app.history.replay(view.id).divergence
    assert divergence is not None
    assert (divergence.seq, divergence.kind) == (last.seq + 1, "event not produced by replay")


def test_a_pinned_definition_edited_into_garbage_is_named_not_raised(app: Casedesk) -> None:
    view = run_review(app)
    with app.db.unit_of_work() as session:
        session.execute(update(DefinitionFile).where(DefinitionFile.name.like("%.bpmn"))
                        .values(content=b"<bpmn:definitions"))
    report = app.history.replay(view.id)
    assert report.divergence is not None and report.divergence.kind == "pinned definition changed"
    assert "cannot be parsed" in report.divergence.detail and "content hash" in report.divergence.detail
