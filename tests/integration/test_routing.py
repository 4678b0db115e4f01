"""Tasks routed by their data (R-2.2.1): group, assignee and due date from expressions; the
business key from a task property; the flows taken recorded for coverage; gap-free numbers."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.history.coverage import FlowCoverage, sequence_flows, taken_transitions
from engine.definitions.service import collect_files
from engine.errors import Forbidden, WorkflowFailed
from casework.numbering import next_number
from tests.conftest import PASSWORD

ROUTING = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "routing"


@pytest.fixture
def routed(app: Casedesk) -> Casedesk:
    app.definitions.deploy(collect_files(ROUTING), "owen")
    app.users.add_user("ivy", PASSWORD, ["intake"])
    app.users.add_user("fay", PASSWORD, ["finance"])
    app.users.add_user("sam", PASSWORD, ["sales"])
    return app


def start(app: Casedesk, **data: object) -> object:
    values = {"department": "finance", "deadline": "P3D", "handler": "", "serial": 7, **data}
    return app.runtime.start_instance("routed", values, actor="ivy")


def handle_task(app: Casedesk, instance_id: str) -> object:
    return next(t for t in app.runtime.list_tasks(instance_id=instance_id) if t.task_spec == "handle")


def test_r_2_2_1_task_goes_to_the_group_its_data_names_with_a_due_date(routed: Casedesk, clock: FakeClock) -> None:
    view = start(routed)
    routed.runtime.warm.clear()
    task = handle_task(routed, view.id)
    assert task.candidate_group == "finance"  # not the lane ("sales")
    assert task.due_at == clock.now() + timedelta(days=3)
    assert [t.task_spec for t in routed.runtime.list_tasks(user="fay")] == ["handle"]
    assert routed.runtime.list_tasks(user="sam") == []
    with pytest.raises(Forbidden):
        routed.runtime.claim_task(task.id, actor="sam")
    routed.runtime.claim_task(task.id, actor="fay")


def test_a_due_date_can_be_a_date_time_or_a_date(routed: Casedesk) -> None:
    view = start(routed, deadline="2026-02-01T10:00:00+08:00")
    assert handle_task(routed, view.id).due_at == datetime(2026, 2, 1, 2, 0, tzinfo=timezone.utc)
    view = start(routed, deadline="2026-02-01")
    assert handle_task(routed, view.id).due_at == datetime(2026, 2, 1, 23, 59, 59, tzinfo=timezone.utc)


def test_a_task_named_for_one_user_is_in_that_users_inbox_only(routed: Casedesk) -> None:
    view = start(routed, handler="fay")
    task = handle_task(routed, view.id)
    assert task.assignee == "fay"
    assert [t.task_spec for t in routed.runtime.list_tasks(user="fay")] == ["handle"]
    routed.users.add_user("fin", PASSWORD, ["finance"])
    assert routed.runtime.list_tasks(user="fin") == []


def test_a_bad_routing_value_refuses_the_step_and_saves_nothing(routed: Casedesk) -> None:
    with pytest.raises(WorkflowFailed, match="dueAt"):
        start(routed, deadline="next tuesday")
    with pytest.raises(WorkflowFailed, match="candidateGroups"):
        start(routed, department=["sales", "finance"])
    assert routed.runtime.list_instances(process_key="routed") == []


def test_the_business_key_comes_from_the_task_that_names_it(routed: Casedesk) -> None:
    view = start(routed, serial=42)
    with routed.db.unit_of_work(write=False) as session:
        from engine.models import ProcessInstance
        assert session.get(ProcessInstance, view.id).business_key == "RT-42"
    types = [e.type for e in routed.history.events(view.id)]
    assert "business_key_set" in types


def test_every_flow_taken_is_recorded_including_both_branches_into_a_join(routed: Casedesk) -> None:
    view = start(routed)
    for spec in ("note", "handle"):
        task = next(t for t in routed.runtime.list_tasks(instance_id=view.id) if t.task_spec == spec)
        routed.runtime.warm.clear()  # each step from stored state: the flows survive the serializer
        routed.runtime.complete_task(task.id, {}, actor="ivy" if spec == "note" else "fay")
    events = [(e.type, e.task_id, json.loads(e.payload)) for e in routed.history.events(view.id)]
    coverage = FlowCoverage(sequence_flows(collect_files(ROUTING)), set(taken_transitions(events)))
    assert coverage.missing() == [], coverage.report()
    assert routed.runtime.get_instance(view.id).status == "completed"


def test_number_series_are_gap_free_and_separate_per_series_and_period(app: Casedesk) -> None:
    with app.db.transaction() as conn:
        assert [next_number(conn, "XS", "20260105") for _ in range(3)] == [1, 2, 3]
        assert next_number(conn, "CG", "20260105") == 1
        assert next_number(conn, "XS", "20260106") == 1
    with pytest.raises(RuntimeError):
        with app.db.transaction() as conn:
            assert next_number(conn, "XS", "20260105") == 4
            raise RuntimeError("the step failed")
    with app.db.transaction() as conn:
        assert next_number(conn, "XS", "20260105") == 4  # the rolled-back number is handed out again
