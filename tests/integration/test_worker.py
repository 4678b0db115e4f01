"""The worker from the operator's side: a job that keeps failing becomes an incident; the CLI lists and retries it."""
from __future__ import annotations

import json
from datetime import timedelta
import threading
from typing import Iterator

import pytest

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock, isoformat
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.jobs.runner import JOB_ATTEMPTS, JOB_BACKOFF
from engine.jobs.store import JOBS
from handlers.registry import build_registry
from tests.support.endpoint import Endpoint
from cli.main import main

FAULTS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "faults"
PASSWORD = "correct-horse-1"


@pytest.fixture
def endpoint() -> Endpoint:
    return Endpoint()


@pytest.fixture
def app(database_url: str, clock: FakeClock, endpoint: Endpoint) -> Iterator[Casedesk]:
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock,
                         handlers={**build_registry(), "pause_step": endpoint.pause_step})
    casedesk.definitions.deploy(collect_files(FAULTS), "owen")
    casedesk.users.add_user("alice", PASSWORD, ["clerk"])
    casedesk.users.add_user("root", PASSWORD, ["admin"])
    yield casedesk
    casedesk.close()


def test_a_job_that_keeps_failing_backs_off_then_opens_an_incident_that_a_retry_requeues(
        app: Casedesk, clock: FakeClock, endpoint: Endpoint) -> None:
    """The service has no retry policy: the timer's whole step fails and rolls back, the job counts it."""
    started = app.runtime.start_instance("timer_then_service", {"due": isoformat(clock.now()), "label": "x"},
                                         actor="alice")
    for attempt in range(JOB_ATTEMPTS):
        clock.advance(JOB_BACKOFF * (2 ** attempt) + timedelta(seconds=1))
        assert app.jobs.run_due("test") == 0
        assert app.runtime.get_instance(started.id).status == "running"

    [incident] = app.incidents.list()
    assert (incident.kind, incident.element, incident.attempts) == ("job", "until", JOB_ATTEMPTS)
    assert "endpoint does not answer" in incident.error
    types = [e.type for e in app.history.events(started.id)]
    assert "timer_fired" not in types and types[-1] == "incident_opened"  # the failed steps left nothing
    clock.advance(timedelta(days=1))
    assert app.jobs.run_due("test") == 0  # held for a person

    endpoint.up = True
    assert app.incidents.retry(incident.id, actor="root").status == "resolved"
    assert app.jobs.run_due("test") == 1
    assert app.runtime.get_instance(started.id).status == "completed"
    retried = [e for e in app.history.events(started.id) if e.type == "incident_retried"]
    assert [(e.actor, json.loads(e.payload)["incident"]) for e in retried] == [("root", incident.id)]
    assert app.history.verify(started.id).ok


def test_worker_incidents_and_retry_from_the_command_line(
        app: Casedesk, database_url: str, endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CASEDESK_DATABASE_URL", database_url)
    # The CLI runs on the system clock and the registry's handlers: a timer long due and a handler
    # missing from the CLI's registry make its job fail for real.
    started = app.runtime.start_instance("timer_then_service", {"due": "2020-01-01T12:00:00Z", "label": "x"},
                                         actor="alice")
    capsys.readouterr()
    assert main(["jobs"]) == 0
    assert "timer until  pending  due 2020-01-01" in capsys.readouterr().out
    assert main(["worker", "--once", "--name", "cli-worker"]) == 0
    assert "stopped after 0 job(s)" in capsys.readouterr().out
    assert main(["jobs"]) == 0
    assert "attempts 1, last error: HandlerFailed" in capsys.readouterr().out
    assert main(["incidents"]) == 0
    assert "no open incidents" in capsys.readouterr().out

    with app.db.transaction() as conn:  # fast-forward the backoff: three failures make an incident
        conn.execute(JOBS.update().values(attempts=JOB_ATTEMPTS - 1, due_at=app.clock.now() - timedelta(days=1)))
    assert main(["worker", "--once"]) == 0
    capsys.readouterr()
    assert main(["incidents"]) == 0
    listing = capsys.readouterr().out
    assert f"instance {started.id}  job until" in listing and "no handler registered" in listing
    incident_id = app.incidents.list()[0].id

    assert main(["retry", str(incident_id), "--user", "alice"]) == 1
    assert "only an administrator" in capsys.readouterr().err
    assert main(["retry", str(incident_id), "--user", "root"]) == 0
    assert f"incident {incident_id} resolved by root" in capsys.readouterr().out
    assert main(["incidents", "--all"]) == 0
    assert "resolved by root" in capsys.readouterr().out


def test_a_worker_renewing_its_lease_keeps_the_job_past_the_first_expiry(
        app: Casedesk, clock: FakeClock, endpoint: Endpoint) -> None:
    endpoint.up = True
    started = app.runtime.start_instance("timer_then_service", {"due": isoformat(clock.now()), "label": "x"},
                                         actor="alice")
    clock.advance(timedelta(seconds=1))
    [job] = app.jobs.claim("w1", limit=10)
    first_expiry = clock.now() + app.jobs.lease

    clock.advance(app.jobs.lease / 2)
    assert app.jobs.renew_leases("w1") == 1  # what the worker's heartbeat thread does every third of the lease
    clock.set(first_expiry + timedelta(seconds=1))
    assert app.jobs.run_due("w2") == 0  # still w1's
    assert app.jobs.renew_leases("w2") == 0  # w2 holds nothing to renew

    assert app.jobs.run_claimed(job, "w1") == 1
    assert app.runtime.get_instance(started.id).status == "completed"
    assert app.jobs.renew_leases("w1") == 0  # done: nothing held any more


def test_a_stopping_worker_finishes_the_job_in_hand_and_hands_back_the_rest(
        app: Casedesk, clock: FakeClock, endpoint: Endpoint) -> None:
    stop = threading.Event()
    endpoint.up, endpoint.on_call = True, stop.set  # SIGTERM arrives while the first job runs
    for label in "abc":
        app.runtime.start_instance("timer_then_service", {"due": isoformat(clock.now()), "label": label},
                                   actor="alice")
    clock.advance(timedelta(seconds=1))

    assert app.jobs.run_due("w1", stop=stop) == 1
    assert app.jobs.run_due("w2") == 2  # at once: no lease left to wait out
