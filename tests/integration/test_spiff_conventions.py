"""Diagrams written for SpiffWorkflow run as written: datetime/date/timedelta in scripts read the step's
recorded clock (so replay is exact), a failing script names its element and line, and a task's
instructionsForEndUser renders over the case data."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.errors import WorkflowFailed
from engine.jobs.runner import JOB_ATTEMPTS

CONVENTIONS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "conventions"


@pytest.fixture
def conventions(app: Casedesk) -> Casedesk:
    app.definitions.deploy(collect_files(CONVENTIONS), "owen")
    return app


def final_data(app: Casedesk, instance_id: str) -> dict:
    return json.loads(app.history.events(instance_id)[-1].payload)["data"]


@pytest.mark.parametrize("cold", [False, True], ids=["warm", "from-stored-state"])
def test_datetime_date_and_timedelta_read_the_step_clock_and_replay_exactly(
        conventions: Casedesk, clock: FakeClock, cold: bool) -> None:
    app = conventions
    started = app.runtime.start_instance("answer_request", {"customer": "Li Wei"}, actor="alice")
    clock.advance(timedelta(days=15, hours=5, minutes=7))
    if cold:
        app.runtime.warm.clear()  # the second step restores the instance from the database
    done = app.runtime.complete_task(started.ready_tasks[0].id, {}, actor="bob")

    assert done.status == "completed"
    data = final_data(app, done.id)
    assert data["received"] == "2026-01-05T09:00:00+00:00" and data["received_day"] == "2026-01-05"
    assert data["answer_by"] == "2026-01-19" and data["stamped_as_datetime"] is True
    assert data["closed"] == "2026-01-20T14:07:00+00:00" and data["closed_utc"] == "2026-01-20T14:07:00"
    assert data["waited_hours"] == 15 * 24 + 5 + 7 / 60 and data["late"] is False and data["days_left"] == -1
    # A date and a duration stay typed in the instance (the scripts computed with them across the user task
    # and a restore); the event log and the case data record them as ISO 8601 text.
    assert data["due"] == "2026-01-19" and data["grace"] == "P2D"

    clock.advance(timedelta(days=40, hours=3))  # a live run now would stamp other times
    report = app.history.replay(done.id)
    assert report.verified, report.as_dict()


def test_a_failing_script_names_its_element_and_line_and_changes_nothing(conventions: Casedesk) -> None:
    app = conventions
    started = app.runtime.start_instance("divide_fee", {"fee": 100}, actor="alice")
    task = started.ready_tasks[0]
    events_before = len(app.history.events(started.id))

    with pytest.raises(WorkflowFailed) as failed:
        app.runtime.complete_task(task.id, {"parts": 0}, actor="alice")

    message = str(failed.value)
    assert "divide (Divide the fee), line 2 `share = fee / parts`: ZeroDivisionError: division by zero" in message
    assert len(app.history.events(started.id)) == events_before
    assert [t.id for t in app.runtime.list_tasks(instance_id=started.id)] == [task.id]


def test_a_misspelt_name_in_a_script_suggests_the_data_it_meant(conventions: Casedesk) -> None:
    app = conventions
    started = app.runtime.start_instance("divide_fee", {"fee": 100}, actor="alice")
    with pytest.raises(WorkflowFailed) as failed:
        app.runtime.complete_task(started.ready_tasks[0].id, {"part": 4}, actor="alice")
    message = str(failed.value)
    assert "divide (Divide the fee), line 2" in message and "name 'parts' is not defined" in message
    assert "is not defined. Did you mean" in message and "'part'" in message


def test_a_script_failing_in_a_timer_job_opens_an_incident_naming_element_and_line(
        conventions: Casedesk, clock: FakeClock) -> None:
    app = conventions
    started = app.runtime.start_instance("late_fee", {"rates": {"gold": 0.01}, "customer_tier": "silver",
                                                      "amount": 500}, actor="alice")
    for _ in range(JOB_ATTEMPTS):
        clock.advance(timedelta(days=1))
        assert app.jobs.run_due("test") == 0  # the step fails and is rolled back each time

    [incident] = app.incidents.list(instance_id=started.id)
    assert incident.element == "grace"  # the job belongs to the timer whose step failed
    assert "charge (Charge the late fee), line 2 `fee = rates[customer_tier] * amount`: KeyError: 'silver'" \
        in incident.error
