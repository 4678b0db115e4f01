"""Service-task retries with backoff; an incident after the last attempt that an administrator retries."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Iterator

import pytest
from sqlalchemy import insert, select, text

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.errors import Forbidden
from engine.runtime.store import GROUPS
from handlers.context import HandlerContext
from handlers.registry import build_registry
from tests.conftest import DEMO_USERS, PASSWORD

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "retries"


class Gateway:
    """A notice gateway that is down for the first `failures` calls."""

    def __init__(self) -> None:
        self.failures = 0
        self.calls = 0

    def send_notice(self, ctx: HandlerContext, to: str) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError(f"gateway down (call {self.calls})")
        return {"sent_to": to, "at": ctx.now.isoformat()}


@pytest.fixture
def gateway() -> Gateway:
    return Gateway()


@pytest.fixture
def app(database_url: str, clock: FakeClock, gateway: Gateway) -> Iterator[Casedesk]:
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock,
                         handlers={**build_registry(), "send_notice": gateway.send_notice})
    casedesk.definitions.deploy(collect_files(FIXTURES), "owen")
    for name, groups in DEMO_USERS.items():
        casedesk.users.add_user(name, PASSWORD, groups)
    yield casedesk
    casedesk.close()


def events(app: Casedesk, instance_id: str, *types: str) -> list[tuple[str, dict[str, Any], str | None]]:
    return [(e.type, json.loads(e.payload), e.actor) for e in app.history.events(instance_id) if e.type in types]


def test_a_failing_service_waits_for_its_retry_while_the_rest_of_the_instance_goes_on(
        app: Casedesk, clock: FakeClock, gateway: Gateway) -> None:
    gateway.failures = 1
    started = app.runtime.start_instance("notify_with_retries", {"customer": "c@example.com"}, actor="alice")

    assert started.status == "running"
    [(_, failed, _)] = events(app, started.id, "service_failed")
    assert failed["attempt"] == 1 and "gateway down" in failed["error"]
    assert failed["retry_at"] == (clock.now() + timedelta(minutes=1)).isoformat(timespec="microseconds")
    note = app.runtime.list_tasks(instance_id=started.id)[0]
    app.runtime.complete_task(note.id, {}, actor="alice")  # the parallel branch is not blocked
    assert app.runtime.get_instance(started.id).status == "running"

    clock.advance(timedelta(seconds=59))
    assert app.jobs.run_due("test") == 0
    clock.advance(timedelta(seconds=2))
    assert app.jobs.run_due("test") == 1

    assert app.runtime.get_instance(started.id).status == "completed"
    assert [t for t, _, _ in events(app, started.id, "service_failed", "service_retried", "service_result")] == [
        "service_failed", "service_retried", "service_result"]
    assert app.incidents.list() == []
    assert app.history.verify(started.id).ok


def test_backoff_doubles_and_an_incident_opens_after_the_last_retry(
        app: Casedesk, clock: FakeClock, gateway: Gateway) -> None:
    gateway.failures = 10
    started = app.runtime.start_instance("notify_with_retries", {"customer": "c@example.com"}, actor="alice")
    clock.advance(timedelta(minutes=1))
    assert app.jobs.run_due("test") == 1  # retry 1 fails; retry 2 is due two minutes later
    clock.advance(timedelta(minutes=1))
    assert app.jobs.run_due("test") == 0
    clock.advance(timedelta(minutes=1))
    assert app.jobs.run_due("test") == 1  # retry 2 fails: no retries left

    attempts = [p["attempt"] for _, p, _ in events(app, started.id, "service_failed")]
    assert attempts == [1, 2, 3]
    [(_, opened, _)] = events(app, started.id, "incident_opened")
    assert opened["element"] == "send" and opened["attempts"] == 3 and "call 3" in opened["error"]
    [incident] = app.incidents.list()
    assert (incident.instance_id, incident.kind, incident.element, incident.status) == (
        started.id, "service", "send", "open")
    clock.advance(timedelta(days=1))
    assert app.jobs.run_due("test") == 0  # an incident waits for a person, not for the clock
    assert gateway.calls == 3


def test_an_administrator_retry_clears_the_incident_and_the_instance_completes(
        app: Casedesk, clock: FakeClock, gateway: Gateway) -> None:
    gateway.failures = 3
    started = app.runtime.start_instance("notify_with_retries", {"customer": "c@example.com"}, actor="alice")
    clock.advance(timedelta(minutes=1))
    app.jobs.run_due("test")
    clock.advance(timedelta(minutes=2))
    app.jobs.run_due("test")
    app.runtime.complete_task(app.runtime.list_tasks(instance_id=started.id)[0].id, {}, actor="alice")
    [incident] = app.incidents.list()

    with pytest.raises(Forbidden):
        app.incidents.retry(incident.id, actor="alice")
    app.runtime.warm.clear()  # a cold load: the incident lives in the stored state
    retried = app.incidents.retry(incident.id, actor="root")

    assert (retried.status, retried.resolved_by) == ("resolved", "root")
    assert app.incidents.list() == []
    assert app.runtime.get_instance(started.id).status == "completed"
    kinds = [(t, a) for t, _, a in events(app, started.id, "incident_retried", "incident_resolved", "service_result")]
    assert kinds == [("incident_retried", "root"), ("service_result", None), ("incident_resolved", "root")]


def test_a_retry_that_fails_again_keeps_the_incident_open(app: Casedesk, clock: FakeClock, gateway: Gateway) -> None:
    gateway.failures = 10
    started = app.runtime.start_instance("notify_with_retries", {"customer": "c@example.com"}, actor="alice")
    for minutes in (1, 2):
        clock.advance(timedelta(minutes=minutes))
        app.jobs.run_due("test")
    [incident] = app.incidents.list()

    again = app.incidents.retry(incident.id, actor="root")

    assert again.status == "open" and again.attempts == 4 and "call 4" in again.error
    assert [p["attempt"] for _, p, _ in events(app, started.id, "service_failed")] == [1, 2, 3, 4]
    assert app.runtime.get_instance(started.id).status == "running"


def test_a_failed_attempt_leaves_none_of_its_handler_writes_behind(
        database_url: str, clock: FakeClock) -> None:
    """The failure is committed with the step; what the handler wrote before failing is not (a savepoint)."""

    def half_writes_then_fails(ctx: HandlerContext, to: str) -> Any:
        ctx.connection.execute(insert(GROUPS).values(name=f"written-by-{ctx.task_id[:8]}"))
        ctx.connection.execute(text("SELECT * FROM no_such_table"))  # aborts the transaction on PostgreSQL

    app = bootstrap(Settings(database_url=database_url), clock=clock,
                    handlers={**build_registry(), "send_notice": half_writes_then_fails})
    try:
        app.definitions.deploy(collect_files(FIXTURES), "owen")
        app.users.add_user("alice", PASSWORD, ["clerk"])
        started = app.runtime.start_instance("notify_with_retries", {"customer": "c@example.com"}, actor="alice")

        assert [p["attempt"] for _, p, _ in events(app, started.id, "service_failed")] == [1]
        with app.db.engine.connect() as conn:
            assert conn.execute(select(GROUPS.c.name).where(GROUPS.c.name.like("written-by-%"))).all() == []
        assert app.runtime.get_instance(started.id).status == "running"
    finally:
        app.close()
