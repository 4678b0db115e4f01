"""Service-task handlers: results are recorded as events; a raising handler rolls the step back."""
from __future__ import annotations

import json
from typing import Any

import pytest

from engine.bootstrap import bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.errors import HandlerFailed
from handlers.context import HandlerContext
from handlers.registry import build_registry
from tests.conftest import DEMO_USERS, PASSWORD


def refuse_to_publish(ctx: HandlerContext, title: str) -> Any:
    raise ConnectionError("publishing service unreachable")


def test_every_operator_in_the_processes_has_a_registered_handler() -> None:
    assert "publish_document" in build_registry()


def test_failing_handler_rolls_the_whole_step_back_and_names_instance_task_and_operator(
    database_url: str, clock: FakeClock
) -> None:
    app = bootstrap(Settings(database_url=database_url), clock=clock,
                    handlers={"publish_document": refuse_to_publish})
    try:
        app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms"), "owen")
        for name, groups in DEMO_USERS.items():
            app.users.add_user(name, PASSWORD, groups)
        started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
        draft = app.runtime.list_tasks(instance_id=started.id)[0]
        app.runtime.complete_task(draft.id, {"body": "x"}, actor="alice")
        review = app.runtime.list_tasks(instance_id=started.id)[0]
        before = app.runtime.get_instance(started.id)

        with pytest.raises(HandlerFailed) as failed:
            app.runtime.complete_task(review.id, {"decision": "approve"}, actor="rita")

        message = str(failed.value)
        assert started.id in message and "publish" in message and "publish_document" in message
        assert "unreachable" in message
        after = app.runtime.get_instance(started.id)
        assert (after.status, after.events) == ("running", before.events)
        assert [t.id for t in after.ready_tasks] == [review.id]
        assert app.history.verify(started.id).ok
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
