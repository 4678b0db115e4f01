"""Timers on time (issue 14, item 5): jobs claimed and loaded ahead of their moment — a timer's step even
computed ahead, in memory — and jobs of different instances fired together in one transaction, still fire
exactly once, never early, and fail one by one."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock, isoformat
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.jobs.runner import GROUP_SIZE, JOB_BACKOFF
from engine.jobs.store import JOBS
from handlers.registry import build_registry
from tests.support.endpoint import Endpoint

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn"
AHEAD = timedelta(seconds=2)


@pytest.fixture
def endpoint() -> Endpoint:
    return Endpoint()


@pytest.fixture
def desk(database_url: str, clock: FakeClock, endpoint: Endpoint) -> Iterator[Casedesk]:
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock,
                         handlers={**build_registry(), "pause_step": endpoint.pause_step})
    for folder in ("timers", "faults"):
        casedesk.definitions.deploy(collect_files(FIXTURES / folder), "owen")
    casedesk.users.add_user("alice", "correct-horse-1", ["clerk"])
    yield casedesk
    casedesk.close()


def worker_app(desk: Casedesk, clock: FakeClock) -> Casedesk:
    """Another process's view: nothing of the instances in memory."""
    return bootstrap(desk.settings, clock=clock, handlers=desk.runtime.handlers, run_migrations=False)


def fired(desk: Casedesk, instance_id: str) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in desk.history.events(instance_id) if e.type == "timer_fired"]


def assert_replays(desk: Casedesk, instance_id: str) -> None:
    report = desk.history.replay(instance_id)
    assert report.verified, report.as_dict()


def start_waiting(desk: Casedesk, count: int, due: Any) -> list[str]:
    return [desk.runtime.start_instance("wait_until", {"due": isoformat(due), "n": n}, actor="alice").id
            for n in range(count)]


def test_jobs_claimed_ahead_fire_at_their_due_time_not_before(desk: Casedesk, clock: FakeClock) -> None:
    due = clock.now() + timedelta(seconds=1)
    ids = start_waiting(desk, 3, due)
    worker = worker_app(desk, clock)
    try:
        assert worker.jobs.prepare("w1", AHEAD, 10) == 3
        assert worker.jobs.prepared() == (3, due)
        assert worker.jobs.next_due() == due  # the worker sleeps until then, not until its leases run out
        assert worker.jobs.run_due("w1") == 0  # claimed, loaded, but not due
        assert all(fired(desk, i) == [] for i in ids)

        clock.advance(timedelta(seconds=1))
        assert worker.jobs.run_due("w1") == 3
        assert worker.jobs.prepared() == (0, None)
    finally:
        worker.close()
    for instance_id in ids:
        [event] = fired(desk, instance_id)
        assert event["due"] == isoformat(due) and event["fired_at"] == isoformat(clock.now())
        assert desk.runtime.get_instance(instance_id).status == "completed"
        assert_replays(desk, instance_id)


def test_a_job_prepared_by_a_worker_that_went_silent_fires_once_elsewhere(desk: Casedesk, clock: FakeClock) -> None:
    [instance_id] = start_waiting(desk, 1, clock.now() + timedelta(seconds=1))
    silent, other = worker_app(desk, clock), worker_app(desk, clock)
    try:
        assert silent.jobs.prepare("w1", AHEAD, 10) == 1
        assert silent.jobs.computed_ahead() == 1  # its step is ready in w1's memory
        clock.advance(timedelta(seconds=1))
        assert other.jobs.run_due("w2") == 0  # w1 holds it
        clock.advance(silent.jobs.lease + timedelta(seconds=1))
        assert other.jobs.run_due("w2") == 1  # w1's lease ran out: w2 takes over
        assert silent.jobs.run_due("w1") == 0  # w1 wakes up with its loaded instance: nothing runs twice
    finally:
        silent.close()
        other.close()
    assert [event["worker"] for event in fired(desk, instance_id)] == ["w2"]
    assert desk.runtime.get_instance(instance_id).status == "completed"
    assert_replays(desk, instance_id)


def test_jobs_handed_back_by_a_stopping_worker_fire_elsewhere_without_waiting_out_the_lease(
        desk: Casedesk, clock: FakeClock) -> None:
    ids = start_waiting(desk, 2, clock.now() + timedelta(seconds=1))
    stopping, other = worker_app(desk, clock), worker_app(desk, clock)
    try:
        assert stopping.jobs.prepare("w1", AHEAD, 10) == 2
        stopping.jobs.release_prepared("w1")
        clock.advance(timedelta(seconds=1))
        assert other.jobs.run_due("w2") == 2
    finally:
        stopping.close()
        other.close()
    assert [[event["worker"] for event in fired(desk, i)] for i in ids] == [["w2"], ["w2"]]


def test_a_failing_job_leaves_the_rest_of_its_group_fired_and_counts_its_own_failure(
        desk: Casedesk, clock: FakeClock, endpoint: Endpoint) -> None:
    """The fault fixture's service has no retry policy: its failure rolls back its own step only."""
    due = clock.now()
    waiting = start_waiting(desk, GROUP_SIZE - 1, due)
    failing = desk.runtime.start_instance("timer_then_service", {"due": isoformat(due), "label": "x"},
                                          actor="alice").id
    clock.advance(timedelta(seconds=1))

    assert desk.jobs.run_due("w1") == GROUP_SIZE - 1
    for instance_id in waiting:
        assert desk.runtime.get_instance(instance_id).status == "completed"
        assert len(fired(desk, instance_id)) == 1
        assert_replays(desk, instance_id)
    assert fired(desk, failing) == []  # its step rolled back to its savepoint, event and all
    assert desk.runtime.get_instance(failing).status == "running"
    with desk.db.engine.connect() as conn:
        job = conn.execute(select(JOBS).where(JOBS.c.instance_id == failing)).one()
    assert job.attempts == 1 and "endpoint does not answer" in job.last_error
    assert job.lease_owner is None and job.due_at == clock.now() + JOB_BACKOFF

    endpoint.up = True
    clock.advance(JOB_BACKOFF)
    assert desk.jobs.run_due("w1") == 1
    assert desk.runtime.get_instance(failing).status == "completed"
    assert_replays(desk, failing)


def events_of(desk: Casedesk, instance_id: str) -> list[str]:
    return [e.type for e in desk.history.events(instance_id)]


def test_a_timer_step_computed_ahead_is_stored_at_its_due_time_and_not_before(
        desk: Casedesk, clock: FakeClock) -> None:
    due = clock.now() + timedelta(seconds=1)
    count = GROUP_SIZE + 2  # computed steps go in larger groups than the others
    ids = start_waiting(desk, count, due)
    before = {i: events_of(desk, i) for i in ids}
    worker = worker_app(desk, clock)
    try:
        assert worker.jobs.prepare("w1", AHEAD, count) == count
        assert worker.jobs.computed_ahead() == count
        clock.advance(timedelta(milliseconds=999))
        assert worker.jobs.run_due("w1") == 0  # a millisecond early: nothing is written
        for instance_id in ids:
            assert events_of(desk, instance_id) == before[instance_id]
            assert desk.runtime.get_instance(instance_id).status == "running"

        clock.advance(timedelta(milliseconds=501))  # the worker comes half a second late
        assert worker.jobs.run_due("w1") == count
        assert worker.jobs.computed_ahead() == 0
    finally:
        worker.close()
    for instance_id in ids:
        [event] = fired(desk, instance_id)
        # The step ran on a clock set to the due time: that is what it records (and what replay repeats).
        assert event["due"] == event["fired_at"] == isoformat(due)
        assert desk.runtime.get_instance(instance_id).status == "completed"
        assert_replays(desk, instance_id)
    with desk.db.engine.connect() as conn:
        assert conn.execute(select(JOBS.c.id)).all() == []  # each fired job's row went with its step


def test_a_change_to_the_instance_voids_the_step_computed_ahead_and_the_timer_fires_from_the_stored_state(
        desk: Casedesk, clock: FakeClock) -> None:
    """The reminder (a non-interrupting cycle on the reply task) was computed ahead; then alice claimed the
    task. The computed step started from the row before the claim: it is dropped, the timer fires as usual."""
    started = desk.runtime.start_instance("reply_with_reminders", {"reply_within": "P2D", "reminders": 0},
                                          actor="alice")
    clock.advance(timedelta(days=1) - timedelta(seconds=1))
    worker = worker_app(desk, clock)
    try:
        assert worker.jobs.prepare("w1", AHEAD, 10) == 1
        assert worker.jobs.computed_ahead() == 1
        reply = desk.runtime.list_tasks(instance_id=started.id)[0]
        desk.runtime.claim_task(reply.id, actor="alice")
        clock.advance(timedelta(seconds=2))
        assert worker.jobs.run_due("w1") == 1
    finally:
        worker.close()
    [event] = fired(desk, started.id)
    assert event["fired_at"] == isoformat(clock.now())  # fired now, not the computed step of the due time
    assert events_of(desk, started.id).index("task_claimed") < events_of(desk, started.id).index("timer_fired")
    [task] = desk.runtime.list_tasks(instance_id=started.id)
    assert task.id == reply.id and task.assignee == "alice"  # the claim stays
    with desk.db.engine.connect() as conn:
        reminders = conn.execute(select(JOBS.c.element, JOBS.c.due_at).where(JOBS.c.instance_id == started.id)
                                 .order_by(JOBS.c.element)).all()
    assert [element for element, _ in reminders] == ["deadline", "reminder"]  # the cycle's second reminder waits
    assert_replays(desk, started.id)


def test_a_timer_followed_by_a_service_call_is_not_computed_ahead_and_calls_only_when_due(
        desk: Casedesk, clock: FakeClock, endpoint: Endpoint) -> None:
    endpoint.up = True
    calls: list[Any] = []
    endpoint.on_call = lambda: calls.append(clock.now())
    due = clock.now() + timedelta(seconds=1)
    started = desk.runtime.start_instance("timer_then_service", {"due": isoformat(due), "label": "x"},
                                          actor="alice")
    worker = worker_app(desk, clock)
    try:
        assert worker.jobs.prepare("w1", AHEAD, 10) == 1
        assert worker.jobs.computed_ahead() == 0  # a handler is a side effect: it waits for the due time
        assert calls == []
        clock.advance(timedelta(seconds=1))
        assert worker.jobs.run_due("w1") == 1
    finally:
        worker.close()
    assert calls == [due]
    assert desk.runtime.get_instance(started.id).status == "completed"
    assert_replays(desk, started.id)
