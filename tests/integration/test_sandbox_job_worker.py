"""Issue #12: a timer-fired script over the OS limits fails its job naming the element, becomes an incident,
and the job worker goes on with other jobs; replaying such a history stops at the limit instead of hanging."""
from __future__ import annotations

import json
import os
import threading
import time
from datetime import timedelta
from typing import Iterator

import pytest
from sqlalchemy import update

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock, isoformat
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.jobs.runner import JOB_ATTEMPTS, JOB_BACKOFF
from engine.jobs.worker import Worker
from engine.models import InstanceEvent
from engine.sandbox import isolation
from tests.conftest import PASSWORD

LIMITS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "limits"
ELEMENT = "costly (Compute the figure)"
# One single operation each: a C call that runs for minutes, or memory growth through a builtin.
COSTLY_KINDS = ["round", "repeat", "to_bytes", "join", "replace", "translate", "comprehension"]


@pytest.fixture
def app(database_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Casedesk]:
    monkeypatch.setattr(isolation, "CPU_SECONDS", 1)  # the production limits, only quicker to reach
    monkeypatch.setattr(isolation, "MEMORY_BYTES", 256 * 2**20)
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock)
    casedesk.definitions.deploy(collect_files(LIMITS), "owen")
    casedesk.users.add_user("alice", PASSWORD, ["clerk"])
    yield casedesk
    casedesk.close()


def start(app: Casedesk, clock: FakeClock, kind: str) -> str:
    data = {"kind": kind, "amount": 1234, "due": isoformat(clock.now() + timedelta(minutes=5))}
    return app.runtime.start_instance("timed_script", data, actor="alice").id


def run_worker_until(app: Casedesk, jobs_that_succeed: int) -> int:
    """The real worker loop (with its lease heartbeat thread), stopped once enough jobs have run."""
    worker = Worker(app.jobs, "test-worker", poll_seconds=0.05, lease_seconds=60)
    stop = threading.Event()
    timer = threading.Timer(60, stop.set)  # a hung worker fails the test instead of the suite
    timer.start()
    try:
        return worker.run(stop, max_jobs=jobs_that_succeed)
    finally:
        timer.cancel()


@pytest.mark.parametrize("kind", COSTLY_KINDS)
def test_a_timer_fired_script_over_the_limits_fails_its_job_naming_the_element_and_the_worker_goes_on(
        app: Casedesk, clock: FakeClock, kind: str) -> None:
    costly, ordinary = start(app, clock, kind), start(app, clock, "ordinary")
    clock.advance(timedelta(minutes=6))
    started, pid = time.monotonic(), os.getpid()

    assert run_worker_until(app, jobs_that_succeed=1) == 1

    assert time.monotonic() - started < 30 and os.getpid() == pid
    assert app.runtime.get_instance(ordinary).status == "completed"  # the other instance's timer fired
    assert app.runtime.get_instance(costly).status == "running"
    [job] = [job for job in app.jobs.list_jobs() if job.instance_id == costly]
    assert job.attempts == 1 and job.last_error is not None
    assert ELEMENT in job.last_error and "ScriptRejected" in job.last_error
    assert not [e for e in app.history.events(costly) if e.type == "timer_fired"]  # the failed step left nothing


def test_a_script_that_keeps_hitting_the_cpu_limit_becomes_a_visible_incident(
        app: Casedesk, clock: FakeClock) -> None:
    costly = start(app, clock, "round")
    clock.advance(timedelta(minutes=6))
    for attempt in range(JOB_ATTEMPTS):
        assert app.jobs.run_due("test") == 0
        clock.advance(JOB_BACKOFF * (2 ** attempt) + timedelta(seconds=1))

    [incident] = app.incidents.list(instance_id=costly)
    assert (incident.kind, incident.element, incident.attempts) == ("job", "until", JOB_ATTEMPTS)
    assert ELEMENT in incident.error and "CPU time" in incident.error
    assert app.history.events(costly)[-1].type == "incident_opened"
    later = start(app, clock, "ordinary")
    clock.advance(timedelta(minutes=6))
    assert app.jobs.run_due("test") == 1  # held for a person; the worker runs the next instance's timer
    assert app.runtime.get_instance(later).status == "completed"
    assert app.history.verify(costly).ok


@pytest.mark.parametrize("kind", ["round", "join"])
def test_replaying_a_history_whose_script_is_over_the_limits_stops_at_the_limit(
        app: Casedesk, clock: FakeClock, kind: str) -> None:
    """The recorded start data is edited so that replay's rerun of the script is a slow C call or a huge join."""
    done = start(app, clock, "ordinary")
    clock.advance(timedelta(minutes=6))
    assert app.jobs.run_due("test") == 1
    [started_event] = [e for e in app.history.events(done) if e.type == "instance_started"]
    payload = json.loads(started_event.payload)
    payload["data"]["kind"] = kind
    with app.db.unit_of_work() as session:
        session.execute(update(InstanceEvent).where(InstanceEvent.id == started_event.id)
                        .values(payload=json.dumps(payload)))

    began = time.monotonic()
    report = app.history.replay(done)

    assert time.monotonic() - began < 30
    assert not report.verified and report.divergence is not None
    assert report.divergence.kind == "replay failed"
    assert ELEMENT in report.divergence.detail and "ScriptRejected" in report.divergence.detail
    assert app.runtime.get_instance(done).status == "completed"
