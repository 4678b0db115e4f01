"""Timer events become jobs when an instance reaches them and fire only when the injected clock says so."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock, isoformat
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.jobs.store import JOBS

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "timers"


@pytest.fixture
def timers(app: Casedesk) -> Casedesk:
    app.definitions.deploy(collect_files(FIXTURES), "owen")
    return app


def events(app: Casedesk, instance_id: str, type_: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    rows = [(e.type, json.loads(e.payload)) for e in app.history.events(instance_id)]
    return [r for r in rows if type_ is None or r[0] == type_]


def jobs_of(app: Casedesk, instance_id: str) -> list[tuple[str, str]]:
    with app.db.engine.connect() as conn:
        rows = conn.execute(select(JOBS.c.kind, JOBS.c.element).where(JOBS.c.instance_id == instance_id))
        return sorted((r.kind, r.element) for r in rows)


def test_intermediate_date_timer_waits_for_the_clock_then_fires_once(timers: Casedesk, clock: FakeClock) -> None:
    due = clock.now() + timedelta(days=3)
    started = timers.runtime.start_instance("wait_until", {"due": isoformat(due)}, actor="alice")
    assert jobs_of(timers, started.id) == [("timer", "until")]

    clock.advance(timedelta(days=2))
    assert timers.jobs.run_due("test") == 0
    assert timers.runtime.get_instance(started.id).status == "running"

    clock.advance(timedelta(days=1, seconds=1))
    worker = bootstrap(timers.settings, clock=clock)  # loads the stored state, as a worker process would
    try:
        assert worker.jobs.run_due("test") == 1
        assert worker.jobs.run_due("test") == 0
    finally:
        worker.close()

    assert timers.runtime.get_instance(started.id).status == "completed"
    [(_, fired)] = events(timers, started.id, "timer_fired")
    assert fired["element"] == "until" and fired["due"] == isoformat(due)
    assert fired["fired_at"] == isoformat(clock.now())
    assert jobs_of(timers, started.id) == []
    assert timers.history.verify(started.id).ok


def test_a_timer_never_reads_the_wall_clock(app: Casedesk, clock: FakeClock) -> None:
    """The fake clock lies years in the past: a due time long gone by the wall clock still waits."""
    clock.set(clock.now().replace(year=2020))
    app.definitions.deploy(collect_files(FIXTURES), "owen")
    started = app.runtime.start_instance("wait_until", {"due": "2020-01-10T00:00:00Z"}, actor="alice")
    app.runtime.start_instance("wait_until", {"due": "2020-01-11T00:00:00Z"}, actor="alice")  # another step runs

    assert app.runtime.get_instance(started.id).status == "running"
    assert app.jobs.run_due("test") == 0
    assert events(app, started.id, "timer_fired") == []


def test_reminder_cycle_repeats_and_the_deadline_interrupts_the_reply(timers: Casedesk, clock: FakeClock) -> None:
    """Shape of R-2.1.1: reminders while the reply is open, escalation when its deadline passes."""
    started = timers.runtime.start_instance("reply_with_reminders", {"reply_within": "P2D", "reminders": 0},
                                            actor="alice")
    reply = timers.runtime.list_tasks(instance_id=started.id)[0]
    assert jobs_of(timers, started.id) == [("timer", "deadline"), ("timer", "reminder")]

    clock.advance(timedelta(days=1))
    assert timers.jobs.run_due("test") == 1
    assert [t.id for t in timers.runtime.list_tasks(instance_id=started.id)] == [reply.id]
    [(_, reminder)] = events(timers, started.id, "timer_fired")
    assert reminder["element"] == "reminder"

    clock.advance(timedelta(days=1))
    assert timers.jobs.run_due("test") == 2  # the second (last) reminder and the deadline
    tasks = timers.runtime.list_tasks(instance_id=started.id)
    assert [t.task_spec for t in tasks] == ["escalate"]
    assert [p["element"] for _, p in events(timers, started.id, "timer_fired")] == ["reminder", "reminder",
                                                                                      "deadline"]
    assert events(timers, started.id, "task_withdrawn") == [("task_withdrawn", {"element": "reply"})]
    assert jobs_of(timers, started.id) == []


def test_completing_the_task_takes_its_timers_out_of_the_job_table(timers: Casedesk, clock: FakeClock) -> None:
    started = timers.runtime.start_instance("reply_with_reminders", {"reply_within": "P2D", "reminders": 0},
                                            actor="alice")
    timers.runtime.complete_task(timers.runtime.list_tasks(instance_id=started.id)[0].id, {}, actor="alice")

    assert jobs_of(timers, started.id) == []
    clock.advance(timedelta(days=30))
    assert timers.jobs.run_due("test") == 0
    assert timers.runtime.get_instance(started.id).status == "completed"


def test_cancelling_an_instance_removes_its_jobs(timers: Casedesk, clock: FakeClock) -> None:
    started = timers.runtime.start_instance("wait_until", {"due": isoformat(clock.now() + timedelta(hours=1))},
                                            actor="alice")
    timers.runtime.cancel_instance(started.id, actor="root", reason="duplicate")

    assert jobs_of(timers, started.id) == []
    clock.advance(timedelta(days=1))
    assert timers.jobs.run_due("test") == 0


def test_a_held_lease_keeps_other_workers_off_until_it_expires(timers: Casedesk, clock: FakeClock) -> None:
    started = timers.runtime.start_instance("wait_until", {"due": isoformat(clock.now())}, actor="alice")
    clock.advance(timedelta(seconds=1))
    [claimed] = timers.jobs.claim("w1", limit=10)

    assert timers.jobs.run_due("w2") == 0  # w1 holds it
    clock.advance(timers.jobs.lease + timedelta(seconds=1))
    assert timers.jobs.run_due("w2") == 1  # w1 went silent: w2 takes over
    assert timers.jobs.run_claimed(claimed, "w1") == 0  # w1 wakes up: its lease is gone, nothing runs twice

    assert [p["worker"] for _, p in events(timers, started.id, "timer_fired")] == ["w2"]
    assert timers.runtime.get_instance(started.id).status == "completed"


def test_timer_start_event_starts_one_instance_per_occurrence(timers: Casedesk, clock: FakeClock) -> None:
    """Periodic processes (R-2.2.3 weekly report, R-6.3 monthly inventory) hang off timer start events."""
    timers.definitions.deploy(collect_files(FIXTURES.parent / "timer_start"), "owen")
    clock.advance(timedelta(hours=1))
    assert timers.jobs.run_due("test") == 0  # deployed Monday 09:00: the first tick is next Monday
    assert timers.runtime.list_instances(process_key="weekly_tick") == []

    clock.advance(timedelta(days=7))
    assert timers.jobs.run_due("test") == 1
    clock.advance(timedelta(days=14))
    assert timers.jobs.run_due("test") == 2  # two missed weeks: one instance each, none lost

    ticks = timers.runtime.list_instances(process_key="weekly_tick")
    assert [t.status for t in ticks] == ["completed"] * 3
    assert {t.started_by for t in ticks} == {"timer"}
    dues = sorted(p["due"] for t in ticks for _, p in events(timers, t.id, "timer_fired"))
    assert dues == [isoformat(clock.now().replace(hour=9, minute=0) - timedelta(days=d)) for d in (14, 7, 0)]
