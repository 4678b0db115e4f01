"""Service-task handlers: results are recorded as events; after a submission a raising handler waits as a retry,
without human input before it a raising handler rolls the step back."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from engine.bootstrap import bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.errors import HandlerFailed, HandlerRefused, InvalidInput
from handlers.context import HandlerContext
from handlers.registry import build_registry
from tests.conftest import DEMO_USERS, PASSWORD

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "service_at_start"


def refuse_to_publish(ctx: HandlerContext, title: str) -> Any:
    raise ConnectionError("publishing service unreachable")


def refuse_the_title(ctx: HandlerContext, title: str) -> Any:
    raise InvalidInput(f"a document called {title!r} is already published", {"title": ["already published"]})


def test_every_operator_in_the_processes_has_a_registered_handler() -> None:
    assert "publish_document" in build_registry()


class FlakyPublisher:
    """The publishing service: unreachable while `down`."""

    def __init__(self) -> None:
        self.down = True

    def publish(self, ctx: HandlerContext, title: str) -> Any:
        if self.down:
            raise ConnectionError("publishing service unreachable")
        return {"reference": "DOC-1", "title": title}


def test_a_submission_is_kept_when_the_next_service_fails_and_the_service_retries_then_opens_an_incident(
    database_url: str, clock: FakeClock
) -> None:
    publisher = FlakyPublisher()
    app = bootstrap(Settings(database_url=database_url), clock=clock, handlers={"publish_document": publisher.publish})
    try:
        app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms"), "owen")
        for name, groups in DEMO_USERS.items():
            app.users.add_user(name, PASSWORD, groups)
        started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
        draft = app.runtime.list_tasks(instance_id=started.id)[0]
        app.runtime.complete_task(draft.id, {"body": "x"}, actor="alice")
        review = app.runtime.list_tasks(instance_id=started.id)[0]

        view = app.runtime.complete_task(review.id, {"decision": "approve"}, actor="rita")

        assert view.waiting_services == ("Publish with a reference number",)
        assert app.runtime.list_tasks(instance_id=started.id) == []  # the review is done, not back in the inbox
        submitted = [json.loads(e.payload) for e in app.history.events(started.id) if e.type == "task_submitted"]
        assert submitted[-1]["data"] == {"decision": "approve"}
        [failed] = [json.loads(e.payload) for e in app.history.events(started.id) if e.type == "service_failed"]
        assert "unreachable" in failed["error"] and failed["retry_at"] is not None
        for minutes in (1, 2, 4):  # the default policy after human input: R3/PT1M, doubling
            clock.advance(timedelta(minutes=minutes))
            assert app.jobs.run_due("test") == 1
        [incident] = app.incidents.list()
        assert incident.instance_id == started.id and "unreachable" in incident.error
        app.runtime.warm.clear()  # the default policy lives in the stored state, not in memory
        publisher.down = False
        app.incidents.retry(incident.id, actor="root")
        assert app.runtime.get_instance(started.id).status == "completed"
        assert app.history.verify(started.id).ok
        assert app.history.replay(started.id).verified
    finally:
        app.close()


def test_a_failing_handler_without_human_input_before_it_rolls_the_step_back_naming_instance_task_and_operator(
    database_url: str, clock: FakeClock
) -> None:
    app = bootstrap(Settings(database_url=database_url), clock=clock,
                    handlers={"publish_document": refuse_to_publish})
    try:
        app.definitions.deploy(collect_files(FIXTURES), "owen")
        for name, groups in DEMO_USERS.items():
            app.users.add_user(name, PASSWORD, groups)
        with pytest.raises(HandlerFailed) as failed:
            app.runtime.start_instance("publish_at_once", {"title": "t"}, actor="alice")
        message = str(failed.value)
        assert "publish" in message and "publish_document" in message and "unreachable" in message
        assert app.runtime.list_instances() == []
    finally:
        app.close()


def test_handler_result_is_recorded_with_its_parameters(app: Any) -> None:
    started = app.runtime.start_instance("document_review", {"title": "Budget"}, actor="alice")
    app.runtime.complete_task(app.runtime.list_tasks(instance_id=started.id)[0].id, {"body": "x"}, actor="alice")
    app.runtime.complete_task(app.runtime.list_tasks(instance_id=started.id)[0].id, {"decision": "approve"},
                              actor="rita")
    recorded = [json.loads(e.payload) for e in app.history.events(started.id) if e.type == "service_result"]
    assert recorded == [{
        "operator": "publish_document",
        "params": {"title": "Budget"},
        "result": {"reference": f"DOC-20260105-{started.id[:8].upper()}", "title": "Budget",
                   "published_at": "2026-01-05T09:00:00+00:00"},
    }]


def test_a_handler_refusing_a_submission_answers_with_its_field_errors_and_keeps_the_task_ready(
    database_url: str, clock: FakeClock
) -> None:
    app = bootstrap(Settings(database_url=database_url), clock=clock, handlers={"publish_document": refuse_the_title})
    try:
        app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms"), "owen")
        for name, groups in DEMO_USERS.items():
            app.users.add_user(name, PASSWORD, groups)
        started = app.runtime.start_instance("document_review", {"title": "Budget"}, actor="alice")
        app.runtime.complete_task(app.runtime.list_tasks(instance_id=started.id)[0].id, {"body": "x"}, actor="alice")
        review = app.runtime.list_tasks(instance_id=started.id)[0]
        events_before = len(app.history.events(started.id))
        app.runtime.warm.clear()  # the refusal comes from the stored state as well as from memory

        with pytest.raises(HandlerRefused) as refused:
            app.runtime.complete_task(review.id, {"decision": "approve"}, actor="rita")

        error = refused.value
        assert isinstance(error, InvalidInput) and error.field_errors == {"title": ["already published"]}
        assert error.reason == "a document called 'Budget' is already published"
        assert error.operator == "publish_document" and "nothing was saved" in str(error)
        assert len(app.history.events(started.id)) == events_before  # no submission, no service result
        assert [t.id for t in app.runtime.list_tasks(instance_id=started.id)] == [review.id]
        assert app.incidents.list() == [] and app.jobs.run_due("test") == 0  # nothing waits for a retry
        assert app.history.replay(started.id).verified
    finally:
        app.close()
