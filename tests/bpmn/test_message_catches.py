"""Every element that waits for a message: receive task, message boundary events (interrupting or not), the
message branches of an event-based gateway, and a message end event that reaches one of them. Each test goes
through the stored state (cold restores) and replays verified, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from typing import Iterator

import pytest

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.errors import Conflict
from tests.bpmn.test_messages import assert_replays, cold, counts, only_task
from tests.conftest import DEMO_USERS, PASSWORD

CATCHES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "message_catches"


@pytest.fixture
def desk(database_url: str, clock: FakeClock) -> Iterator[Casedesk]:
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock)
    casedesk.definitions.deploy(collect_files(CATCHES), "owen")
    for name, groups in DEMO_USERS.items():
        casedesk.users.add_user(name, PASSWORD, groups)
    yield casedesk
    casedesk.close()


def ready(desk: Casedesk, instance_id: str) -> list[str]:
    return sorted(t.task_spec for t in desk.runtime.list_tasks(instance_id=instance_id))


def test_a_receive_task_waits_for_its_message(desk: Casedesk) -> None:
    started = desk.runtime.start_instance("receive_desk", {}, actor="alice")
    assert ready(desk, started.id) == []
    cold(desk)
    desk.messages.send("reply", {}, {"text": "yes"}, actor="alice")
    task = only_task(desk, started.id)
    assert task.task_spec == "read_reply"
    done = desk.runtime.complete_task(task.id, {}, actor="alice")
    assert done.status == "completed"
    assert_replays(desk, started.id, "message_received")


def test_an_uncorrelated_message_for_two_waiting_instances_is_refused_as_ambiguous(desk: Casedesk) -> None:
    for _ in range(2):
        desk.runtime.start_instance("receive_desk", {}, actor="alice")
    before = counts(desk)
    with pytest.raises(Conflict, match="'reply' is ambiguous: 2 instances wait for it"):
        desk.messages.send("reply", {}, {"text": "yes"}, actor="alice")
    assert counts(desk) == before


def test_a_message_end_event_reaches_the_waiting_instance(desk: Casedesk) -> None:
    waiting = desk.runtime.start_instance("receive_desk", {}, actor="alice")
    cold(desk)
    sender = desk.runtime.start_instance("reply_sender", {"text": "on my way"}, actor="bob")
    assert sender.status == "completed"
    assert only_task(desk, waiting.id).task_spec == "read_reply"
    received = [e for e in desk.history.events(waiting.id) if e.type == "message_received"]
    payload = json.loads(received[0].payload) if isinstance(received[0].payload, str) else received[0].payload
    assert payload["data"] == {"text": "on my way"}
    assert payload["from"] == {"instance": sender.id, "process": "reply_sender", "element": "replied"}
    assert_replays(desk, sender.id, "message_sent")
    assert_replays(desk, waiting.id, "message_received")


def test_an_interrupting_message_boundary_withdraws_the_task(desk: Casedesk) -> None:
    started = desk.runtime.start_instance("boundary_desk", {}, actor="alice")
    assert ready(desk, started.id) == ["work"]
    cold(desk)
    desk.messages.send("stop", {}, {}, actor="alice")
    assert ready(desk, started.id) == ["stopped"]
    with pytest.raises(Conflict, match="'note' reaches nobody"):  # the boundary went with its task
        desk.messages.send("note", {}, {}, actor="alice")
    desk.runtime.complete_task(only_task(desk, started.id).id, {}, actor="alice")
    assert desk.runtime.get_instance(started.id).status == "completed"
    assert_replays(desk, started.id, "message_received", "task_withdrawn")


def test_a_non_interrupting_message_boundary_adds_a_path(desk: Casedesk) -> None:
    started = desk.runtime.start_instance("boundary_desk", {}, actor="alice")
    cold(desk)
    desk.messages.send("note", {}, {"text": "hurry"}, actor="alice")
    assert ready(desk, started.id) == ["read_note", "work"]
    cold(desk)
    # SpiffWorkflow 3.2 fires a non-interrupting boundary once per activation of its task (BPMN would let it
    # fire again while the task runs): a second note reaches nobody and changes nothing.
    before = counts(desk)
    with pytest.raises(Conflict, match="'note' reaches nobody"):
        desk.messages.send("note", {}, {"text": "really"}, actor="alice")
    assert counts(desk) == before
    desk.messages.send("stop", {}, {}, actor="alice")  # the interrupting one still listens
    assert ready(desk, started.id) == ["read_note", "stopped"]
    for task in desk.runtime.list_tasks(instance_id=started.id):
        desk.runtime.complete_task(task.id, {}, actor="alice")
    assert desk.runtime.get_instance(started.id).status == "completed"
    assert_replays(desk, started.id, "message_received")


def test_the_first_message_of_an_event_based_gateway_wins(desk: Casedesk) -> None:
    started = desk.runtime.start_instance("gateway_desk", {}, actor="alice")
    cold(desk)
    desk.messages.send("approve", {}, {}, actor="alice")
    assert ready(desk, started.id) == ["approved"]
    before = counts(desk)
    with pytest.raises(Conflict, match="'reject' reaches nobody"):  # the other branch was withdrawn
        desk.messages.send("reject", {}, {}, actor="alice")
    assert counts(desk) == before
    assert_replays(desk, started.id, "message_received")


def test_a_cancelled_instance_no_longer_receives_its_message(desk: Casedesk) -> None:
    started = desk.runtime.start_instance("receive_desk", {}, actor="alice")
    desk.runtime.cancel_instance(started.id, actor="root")
    before = counts(desk)
    with pytest.raises(Conflict, match="'reply' reaches nobody"):
        desk.messages.send("reply", {}, {"text": "too late"}, actor="alice")
    assert counts(desk) == before and before[2] == 0  # its subscription went with it
    assert_replays(desk, started.id, "instance_cancelled")
