"""Runtime services on SQLite and PostgreSQL: the document review demo from start to end."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.bootstrap import Casedesk
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound, WorkflowFailed
from engine.models import HumanTask, ProcessInstance
from engine.runtime.state import StateCodec
from engine.runtime.tasktree import ready_manual_tasks


def only_task(app: Casedesk, instance_id: str):  # type: ignore[no-untyped-def]
    tasks = app.runtime.list_tasks(instance_id=instance_id)
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_document_is_drafted_reviewed_and_published(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "  Travel policy "}, actor="alice")
    draft = only_task(app, started.id)
    assert (draft.title, draft.candidate_group) == ("Draft the document", "clerk")

    app.runtime.complete_task(draft.id, {"body": "Policy text"}, actor="alice")
    review = only_task(app, started.id)
    assert review.candidate_group == "reviewer"
    done = app.runtime.complete_task(review.id, {"decision": "approve"}, actor="rita")

    assert done.status == "completed" and done.ready_tasks == []
    events = app.history.events(started.id)
    result = next(e for e in events if e.type == "service_result")
    assert json.loads(result.payload)["result"]["reference"].startswith("DOC-20260105-")
    assert events[-1].type == "instance_completed"
    assert json.loads(events[-1].payload)["data"]["title"] == "Travel policy"
    assert app.history.verify(started.id).ok


def test_sent_back_document_returns_to_the_clerk(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    app.runtime.complete_task(only_task(app, started.id).id, {"body": "v1"}, actor="alice")
    app.runtime.complete_task(only_task(app, started.id).id, {"decision": "send_back"}, actor="rita")
    again = only_task(app, started.id)
    assert again.task_spec == "draft" and again.candidate_group == "clerk"


def test_inbox_shows_only_the_tasks_of_my_groups(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    assert [t.instance_id for t in app.runtime.list_tasks(user="bob")] == [started.id]
    assert app.runtime.list_tasks(user="rita") == []


def test_a_user_outside_the_lane_group_cannot_complete_the_task(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    task = only_task(app, started.id)
    with pytest.raises(Forbidden):
        app.runtime.complete_task(task.id, {"body": "x"}, actor="rita")
    assert only_task(app, started.id).id == task.id
    assert app.history.verify(started.id).ok


def test_only_members_of_the_start_lane_may_start_the_process(app: Casedesk) -> None:
    with pytest.raises(Forbidden):
        app.runtime.start_instance("document_review", {"title": "t"}, actor="rita")
    assert app.history.instance_ids() == []


def test_claimed_task_is_worked_only_by_its_claimer(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    task = app.runtime.claim_task(only_task(app, started.id).id, actor="bob")
    assert task.assignee == "bob"
    assert app.runtime.list_tasks(user="alice") == []
    with pytest.raises(Forbidden):
        app.runtime.complete_task(task.id, {"body": "x"}, actor="alice")
    with pytest.raises(Conflict):
        app.runtime.claim_task(task.id, actor="alice")
    assert app.runtime.unclaim_task(task.id, actor="bob").assignee is None
    assert [t.id for t in app.runtime.list_tasks(user="alice")] == [task.id]
    types = [e.type for e in app.history.events(started.id)]
    assert "task_claimed" in types and "task_unclaimed" in types


def test_invalid_form_data_is_refused_with_field_messages_and_nothing_changes(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    task = only_task(app, started.id)
    before = app.runtime.get_instance(started.id).events
    with pytest.raises(InvalidInput) as refused:
        app.runtime.complete_task(task.id, {"body": 42, "extra": 1}, actor="alice")
    assert "body" in refused.value.field_errors
    assert app.runtime.get_instance(started.id).events == before
    assert only_task(app, started.id).id == task.id


def test_completing_a_task_twice_is_a_conflict_not_a_second_step(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    task = only_task(app, started.id)
    app.runtime.complete_task(task.id, {"body": "x"}, actor="alice")
    events = app.runtime.get_instance(started.id).events
    with pytest.raises(Conflict):
        app.runtime.complete_task(task.id, {"body": "y"}, actor="alice")
    assert app.runtime.get_instance(started.id).events == events


def test_unknown_process_task_and_user_are_reported(app: Casedesk) -> None:
    with pytest.raises(NotFound):
        app.runtime.start_instance("no_such_process", {}, actor="alice")
    with pytest.raises(NotFound):
        app.runtime.complete_task("00000000-0000-0000-0000-000000000000", {}, actor="alice")
    with pytest.raises(NotFound):
        app.runtime.start_instance("document_review", {}, actor="mallory")


def test_cancelled_instance_leaves_the_inbox_and_refuses_work(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    task = only_task(app, started.id)
    with pytest.raises(Forbidden):
        app.runtime.cancel_instance(started.id, actor="rita")
    assert app.runtime.cancel_instance(started.id, actor="root", reason="duplicate").status == "cancelled"
    assert app.runtime.list_tasks(instance_id=started.id) == []
    with pytest.raises((Conflict, NotFound)):
        app.runtime.complete_task(task.id, {"body": "x"}, actor="alice")
    assert [e.type for e in app.history.events(started.id)][-2:] == ["instance_cancelled", "task_withdrawn"]


def test_stored_state_round_trips_through_the_serializer(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    app.runtime.complete_task(only_task(app, started.id).id, {"body": "x"}, actor="alice")
    with app.db.unit_of_work(write=False) as session:
        row = session.get(ProcessInstance, started.id)
        definition = app.definitions.load(row.definition_id)
        codec = StateCodec()
        workflow = codec.load(row.state, definition.spec, definition.subprocess_specs)
        assert codec.dump(workflow) == row.state
        ready = [str(t.id) for t in ready_manual_tasks(workflow)]
        rows = session.scalars(select(HumanTask.id).where(HumanTask.instance_id == started.id)).all()
        assert ready == list(rows)


def test_review_loop_of_1000_rounds_keeps_its_ready_task(app: Casedesk) -> None:
    """SpiffWorkflow alone reports this instance completed after ~330 rounds (depth limit 1,000)."""
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    for round_ in range(1000):
        app.runtime.complete_task(only_task(app, started.id).id, {"body": f"v{round_}"}, actor="alice")
        review = only_task(app, started.id)
        decision = "approve" if round_ == 999 else "send_back"
        view = app.runtime.complete_task(review.id, {"decision": decision}, actor="rita")
        if round_ < 999:
            assert view.status == "running" and len(view.ready_tasks) == 1
    assert view.status == "completed"
    with app.db.unit_of_work(write=False) as session:
        assert len(session.get(ProcessInstance, started.id).state) < 20_000
    assert app.history.verify(started.id).ok


def test_a_script_error_refuses_the_start_and_stores_nothing(app: Casedesk) -> None:
    """The demo's `prepare` script reads `title`; without it the start fails as a whole."""
    with pytest.raises(WorkflowFailed) as failed:
        app.runtime.start_instance("document_review", {}, actor="alice")
    assert "title" in str(failed.value)
    assert app.runtime.list_instances() == []
    assert app.runtime.list_tasks() == []
