"""A service task with a retry policy of its own, right after a person's form: its handler's InvalidInput refuses
what the person typed (422 per field, nothing stored, the task still theirs), exactly as without a policy; only a
technical failure (its service down) keeps the submission and waits for a retry."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.errors import HandlerRefused, InvalidInput, N_
from handlers.context import HandlerContext
from tests.conftest import PASSWORD
from web.app import create_app

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "refusal_after_form" / "checked_after_form.bpmn"


class Ledger:
    """The booking service: refuses an amount that is not above 0; unreachable while `down`."""

    def __init__(self) -> None:
        self.down = False
        self.booked: list[int] = []

    def book(self, ctx: HandlerContext, amount: int) -> Any:
        if amount <= 0:
            raise InvalidInput(N_("%(field)s must be an amount above 0"), {"amount": ["above 0"]}, field="amount")
        if self.down:
            raise ConnectionError("ledger unreachable")
        self.booked.append(amount)
        return {"booked": amount}


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
def checked(database_url: str, clock: FakeClock, ledger: Ledger) -> Iterator[Casedesk]:
    app = bootstrap(Settings(database_url=database_url), clock=clock, handlers={"book_amount": ledger.book})
    try:
        app.definitions.deploy({FIXTURE.name: FIXTURE.read_bytes()}, "owen")
        app.users.add_user("ann", PASSWORD, ["clerk"])
        yield app
    finally:
        app.close()


def _types(app: Casedesk, instance_id: str) -> list[str]:
    return [e.type for e in app.history.events(instance_id)]


def test_a_refused_amount_is_not_stored_or_retried_though_the_service_has_a_retry_policy(
        checked: Casedesk, ledger: Ledger) -> None:
    started = checked.runtime.start_instance("checked_after_form", {}, actor="ann")
    (enter,) = started.ready_tasks
    before = _types(checked, started.id)
    checked.runtime.warm.clear()  # from the stored state as well as from memory

    with pytest.raises(HandlerRefused) as refused:
        checked.runtime.complete_task(enter.id, {"amount": -5}, actor="ann")

    assert refused.value.field_errors == {"amount": ["above 0"]}
    assert refused.value.reason == "amount must be an amount above 0"
    assert _types(checked, started.id) == before  # no submission, no service_failed
    assert [t.id for t in checked.runtime.list_tasks(instance_id=started.id)] == [enter.id]
    assert checked.jobs.run_due("test") == 0 and checked.incidents.list() == []
    done = checked.runtime.complete_task(enter.id, {"amount": 40}, actor="ann")
    assert checked.runtime.get_instance(done.id).status == "completed" and ledger.booked == [40]
    assert checked.history.replay(started.id).verified


def test_the_service_down_still_keeps_the_submission_and_retries_under_its_own_policy(
        checked: Casedesk, ledger: Ledger, clock: FakeClock) -> None:
    started = checked.runtime.start_instance("checked_after_form", {}, actor="ann")
    ledger.down = True
    view = checked.runtime.complete_task(started.ready_tasks[0].id, {"amount": 40}, actor="ann")
    assert view.waiting_services == ("Book the amount",)
    [failed] = [json.loads(e.payload) for e in checked.history.events(started.id) if e.type == "service_failed"]
    assert "unreachable" in failed["error"] and failed["retry_at"] is not None
    ledger.down = False
    clock.advance(timedelta(minutes=1))  # R2/PT1M: the task's own policy, not the default R3/PT1M
    assert checked.jobs.run_due("test") == 1
    assert checked.runtime.get_instance(started.id).status == "completed" and ledger.booked == [40]
    assert checked.history.replay(started.id).verified


def test_the_api_answers_the_refusal_422_per_field_in_the_callers_language(checked: Casedesk) -> None:
    client: FlaskClient = create_app({"CASEDESK": checked, "TESTING": True, "SECRET_KEY": "test"}).test_client()
    token = client.post("/api/v1/auth/tokens", json={"username": "ann", "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
    started = client.post("/api/v1/processes/checked_after_form/instances", headers=headers, json={"data": {}}).json
    task_id = started["ready_tasks"][0]["id"]
    events = client.get(f"/api/v1/instances/{started['id']}", headers=headers).json["events"]

    response = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json={"data": {"amount": 0}})

    assert response.status_code == 422, response.json
    assert response.json["error"]["fields"] == {"amount": ["请输入大于 0 的金额。"]}
    assert response.json["error"]["message"].endswith("amount 必须是大于 0 的金额")
    after = client.get(f"/api/v1/instances/{started['id']}", headers=headers).json
    assert after["events"] == events and [t["id"] for t in after["ready_tasks"]] == [task_id]
