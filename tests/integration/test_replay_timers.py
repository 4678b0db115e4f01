"""Replay of timer firings, service retries and incidents: each fed back at its recorded time."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

import pytest

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock, isoformat
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from handlers.context import HandlerContext
from handlers.registry import build_registry
from tests.conftest import DEMO_USERS, PASSWORD

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn"


class FlakyGateway:
    def __init__(self) -> None:
        self.failures = 0
        self.calls = 0

    def send_notice(self, ctx: HandlerContext, to: str) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError(f"gateway down (call {self.calls})")
        return {"sent_to": to, "at": ctx.now.isoformat()}


@pytest.fixture
def gateway() -> FlakyGateway:
    return FlakyGateway()


@pytest.fixture
def desk(database_url: str, clock: FakeClock, gateway: FlakyGateway) -> Iterator[Casedesk]:
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock,
                         handlers={**build_registry(), "send_notice": gateway.send_notice})
    for folder in ("timers", "retries", "timer_start"):
        casedesk.definitions.deploy(collect_files(FIXTURES / folder), "owen")
    for name, groups in DEMO_USERS.items():
        casedesk.users.add_user(name, PASSWORD, groups)
    yield casedesk
    casedesk.close()


def assert_replays(desk: Casedesk, instance_id: str, *inputs: str) -> None:
    """Verified, and the history holds each of `inputs` (so the replay really fed them)."""
    report = desk.history.replay(instance_id)
    assert report.verified, report.as_dict()
    types = {e.type for e in desk.history.events(instance_id)}
    assert set(inputs) <= types, types


def test_reminders_and_an_interrupting_deadline_replay(desk: Casedesk, clock: FakeClock) -> None:
    started = desk.runtime.start_instance("reply_with_reminders", {"reply_within": "P2D", "reminders": 0},
                                          actor="alice")
    for _ in range(2):
        clock.advance(timedelta(days=1))
        desk.jobs.run_due("w1")
        assert_replays(desk, started.id)
    escalate = desk.runtime.list_tasks(instance_id=started.id)[0]
    assert escalate.task_spec == "escalate"
    desk.runtime.complete_task(escalate.id, {}, actor="alice")
    assert desk.runtime.get_instance(started.id).status == "completed"
    clock.advance(timedelta(days=30))
    assert_replays(desk, started.id, "timer_fired", "task_withdrawn")


def test_a_date_timer_fired_by_another_worker_replays(desk: Casedesk, clock: FakeClock) -> None:
    started = desk.runtime.start_instance("wait_until", {"due": isoformat(clock.now() + timedelta(hours=5))},
                                          actor="alice")
    clock.advance(timedelta(hours=6))
    worker = bootstrap(desk.settings, clock=clock, handlers=desk.handlers)
    try:
        assert worker.jobs.run_due("w2") == 1
    finally:
        worker.close()
    assert desk.runtime.get_instance(started.id).status == "completed"
    assert_replays(desk, started.id, "timer_fired")


def test_failed_calls_retries_an_incident_and_an_administrator_retry_replay(
        desk: Casedesk, clock: FakeClock, gateway: FlakyGateway) -> None:
    """service_failed is fed back as the same failure; the handler is never called on replay."""
    gateway.failures = 3
    started = desk.runtime.start_instance("notify_with_retries", {"customer": "c@example.com"}, actor="alice")
    for minutes in (1, 2):
        clock.advance(timedelta(minutes=minutes))
        desk.jobs.run_due("w1")
    desk.runtime.complete_task(desk.runtime.list_tasks(instance_id=started.id)[0].id, {}, actor="alice")
    assert_replays(desk, started.id, "service_failed", "service_retried", "incident_opened")  # parked
    [incident] = desk.incidents.list()
    desk.incidents.retry(incident.id, actor="root")
    assert desk.runtime.get_instance(started.id).status == "completed"
    calls = gateway.calls
    assert_replays(desk, started.id, "incident_retried", "incident_resolved", "service_result")
    assert gateway.calls == calls


def test_instances_started_by_a_timer_start_event_replay(desk: Casedesk, clock: FakeClock) -> None:
    clock.advance(timedelta(days=8))
    assert desk.jobs.run_due("w1") == 1
    [tick] = desk.runtime.list_instances(process_key="weekly_tick")
    assert tick.started_by == "timer"
    assert_replays(desk, tick.id, "timer_fired")
