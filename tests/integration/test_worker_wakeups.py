"""Timers on time (issue 14, item 5): on PostgreSQL an idle worker sleeps until the next due job and is
woken by the NOTIFY its scheduling transaction sends; several sleeping workers still fire each job once."""
from __future__ import annotations

import json
import signal
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from sqlalchemy import func, select, text

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import SystemClock, isoformat
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.jobs.store import JOBS
from engine.jobs.wakeups import NotifyWakeups
from engine.jobs import worker as worker_module
from engine.jobs.worker import LONGEST_SLEEP_SECONDS, Worker
from engine.models import InstanceEvent, ProcessInstance
from tests.conftest import _empty_database
from tests.integration.test_worker_faults import worker_process

pytestmark = pytest.mark.postgres
TIMERS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "timers"
FAR = "2999-01-01T00:00:00Z"


@pytest.fixture
def pg_app(postgres_url: str) -> Iterator[Casedesk]:
    _empty_database(postgres_url)
    app = bootstrap(Settings(database_url=postgres_url), clock=SystemClock())
    app.definitions.deploy(collect_files(TIMERS), "owen")
    app.users.add_user("alice", "correct-horse-1", ["clerk"])
    yield app
    app.close()


def soon(seconds: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(seconds=seconds)


def fired(app: Casedesk) -> int:
    with app.db.unit_of_work(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(InstanceEvent)
                                  .where(InstanceEvent.type == "timer_fired")) or 0)


def listening(app: Casedesk) -> int:
    """Workers of this database asleep on its job channel (their last statement was the LISTEN)."""
    with app.db.engine.connect() as conn:
        return int(conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND query LIKE 'LISTEN %'")) or 0)


def wait_for(condition: "callable[[], bool]", seconds: float) -> bool:  # type: ignore[valid-type]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_sleeping_worker_is_woken_by_a_nearer_job_and_fires_it_on_time(pg_app: Casedesk) -> None:
    pg_app.runtime.start_instance("wait_until", {"due": FAR}, actor="alice")  # the worker sleeps towards this
    stop = threading.Event()
    worker = Worker(pg_app.jobs, "sleeper", poll_seconds=LONGEST_SLEEP_SECONDS, lease_seconds=60)
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        time.sleep(0.5)  # asleep now, with nothing due for a long time
        due = soon(0.5)
        nearer = pg_app.runtime.start_instance("wait_until", {"due": isoformat(due)}, actor="alice")
        assert wait_for(lambda: fired(pg_app) == 1, 10), "the worker slept through a nearer job"
        late = datetime.now(timezone.utc) - due
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive(), "a stop request must end the worker's long sleep"
    assert late < timedelta(seconds=1)
    assert pg_app.runtime.get_instance(nearer.id).status == "completed"
    assert worker.ran == 1


def test_a_worker_wakes_ahead_of_a_timer_scheduled_long_before_and_fires_it_from_a_step_computed_ahead(
        pg_app: Casedesk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "PREPARE_AHEAD", timedelta(seconds=1))
    due = soon(2.5)  # known to the worker before its preparing window opens
    started = pg_app.runtime.start_instance("wait_until", {"due": isoformat(due)}, actor="alice")
    stop = threading.Event()
    worker = Worker(pg_app.jobs, "early", poll_seconds=LONGEST_SLEEP_SECONDS, lease_seconds=60)
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        held = lambda: [j for j in pg_app.jobs.list_jobs() if j.lease_owner == "early"]  # noqa: E731
        assert wait_for(lambda: bool(held()), 3), "nothing claimed ahead"
        [job] = held()
        claimed_at = job.lease_expires_at - timedelta(seconds=60)  # the worker's clock when it claimed
        assert fired(pg_app) == 0  # claimed, computed, not stored
        assert wait_for(lambda: fired(pg_app) == 1, 10)
        late = datetime.now(timezone.utc) - due
    finally:
        stop.set()
        thread.join(timeout=10)
    assert due - timedelta(seconds=1.1) < claimed_at < due - timedelta(seconds=0.5)  # woke PREPARE_AHEAD before
    [event] = [e for e in pg_app.history.events(started.id) if e.type == "timer_fired"]
    assert json.loads(event.payload)["fired_at"] == isoformat(due)  # its step was computed ahead
    assert late < timedelta(seconds=1)
    assert pg_app.runtime.get_instance(started.id).status == "completed"
    assert pg_app.history.replay(started.id).verified


def test_wakeups_end_the_wait_for_a_sooner_committed_job_only(pg_app: Casedesk) -> None:
    wakeups = NotifyWakeups.for_engine(pg_app.db.engine)
    wakeups.listen()
    ended = threading.Event()
    planned = soon(30)

    def sleep() -> None:
        wakeups.wait(planned, 60)
        ended.set()

    thread = threading.Thread(target=sleep)
    thread.start()
    try:
        pg_app.runtime.start_instance("wait_until", {"due": isoformat(soon(120))}, actor="alice")
        assert not ended.wait(0.5), "a job due after the planned wake-up must not end the wait"
        try:
            with pg_app.db.transaction() as conn:
                conn.execute(JOBS.update().values(due_at=soon(1)))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert not ended.wait(0.5), "a rolled-back schedule must not wake anyone"
        with pg_app.db.transaction() as conn:
            conn.execute(JOBS.update().values(due_at=soon(1)))
        assert ended.wait(2), "a job moved before the planned wake-up must end the wait at its commit"
    finally:
        wakeups.interrupt()
        thread.join(timeout=5)
        wakeups.close()


def test_four_sleeping_workers_fire_timers_due_later_exactly_once(pg_app: Casedesk, postgres_url: str) -> None:
    count = 200
    ids = [pg_app.runtime.start_instance("wait_until", {"due": FAR, "n": n}, actor="alice").id
           for n in range(count)]
    workers = [worker_process(postgres_url, f"w{i}") for i in range(4)]
    try:
        # Every worker is up and asleep, planning to wake in the year 2999: a worker still starting when the
        # timers are all fired would be stopped before it can report.
        assert wait_for(lambda: listening(pg_app) >= 4, 60), "the workers did not all start"
        due = soon(0.5)
        with pg_app.db.transaction() as conn:
            conn.execute(JOBS.update().where(JOBS.c.instance_id.in_(ids)).values(due_at=due))
        assert wait_for(lambda: fired(pg_app) >= count, 60)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        outputs = [w.communicate(timeout=30)[0] for w in workers]
    ran = [int(out.split()[-1]) for out in outputs]

    assert sum(ran) == count
    with pg_app.db.unit_of_work(write=False) as session:
        per_instance = session.execute(select(InstanceEvent.instance_id, func.count())
                                       .where(InstanceEvent.type == "timer_fired")
                                       .group_by(InstanceEvent.instance_id)).all()
        statuses = dict(session.execute(select(ProcessInstance.status, func.count())
                                        .group_by(ProcessInstance.status)).all())
        left = session.scalar(select(func.count()).select_from(JOBS))
    assert len(per_instance) == count and {n for _, n in per_instance} == {1}
    assert statuses == {"completed": count} and left == 0
    print(f"\njobs per worker: {ran}")
