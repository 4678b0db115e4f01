"""Messages between instances: a throw event or send task in one instance reaches the instance waiting for it
(by correlation) or starts one through a message start event; both sides replay verified, on both databases."""
from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.history.eventlog import INPUT
from engine.messaging.store import SUBSCRIPTIONS
from engine.runtime.store import EVENTS, INSTANCES
from tests.bpmn.conftest import BothWays, Desk, Run
from tests.conftest import DEMO_USERS, PASSWORD

MESSAGES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "messages"


@pytest.fixture
def desk(database_url: str, clock: FakeClock) -> Iterator[Casedesk]:
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock)
    casedesk.definitions.deploy(collect_files(MESSAGES), "owen")
    for name, groups in {**DEMO_USERS, "owen": ["process_owner"]}.items():
        casedesk.users.add_user(name, PASSWORD, groups)
    yield casedesk
    casedesk.close()


def cold(desk: Casedesk) -> None:
    """Forget every warm workflow: the next step restores its instance from the stored state."""
    desk.runtime.warm = type(desk.runtime.warm)()


def assert_replays(desk: Casedesk, instance_id: str, *types: str) -> None:
    report = desk.history.replay(instance_id)
    assert report.verified, report.as_dict()
    assert set(types) <= {e.type for e in desk.history.events(instance_id)}


def counts(desk: Casedesk) -> tuple[int, int, int]:
    with desk.db.transaction() as conn:
        return tuple(conn.execute(select(func.count()).select_from(table)).scalar_one()
                     for table in (INSTANCES, EVENTS, SUBSCRIPTIONS))  # type: ignore[return-value]


def payload(event: Any) -> dict[str, Any]:
    return json.loads(event.payload) if isinstance(event.payload, str) else event.payload


def only_task(desk: Casedesk, instance_id: str):  # noqa: ANN201
    tasks = desk.runtime.list_tasks(instance_id=instance_id)
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_a_thrown_message_starts_the_packing_room_and_its_answer_reaches_the_waiting_order(desk: Casedesk) -> None:
    order = desk.runtime.start_instance("order_desk", {"order_id": "A1", "item": "book"}, actor="alice")
    assert order.ready_tasks == []  # it waits for the parcel
    packing = [i for i in desk.runtime.list_instances(process_key="packing_room")]
    assert len(packing) == 1 and packing[0].started_by == "alice"
    pack = only_task(desk, packing[0].id)
    assert pack.task_spec == "pack"
    cold(desk)
    desk.runtime.complete_task(pack.id, {"parcel": "P-7"}, actor="bob")
    assert desk.runtime.get_instance(packing[0].id).status == "completed"
    ship = only_task(desk, order.id)
    assert ship.task_spec == "ship"
    desk.runtime.complete_task(ship.id, {}, actor="alice")
    assert desk.runtime.get_instance(order.id).status == "completed"
    received = [e for e in desk.history.events(order.id) if e.type == "message_received"]
    assert [(e.category, payload(e)["data"], payload(e)["from"]["process"]) for e in received] == [
        (INPUT, {"order_id": "A1", "parcel": "P-7"}, "packing_room")]
    assert_replays(desk, order.id, "message_sent", "message_received")
    assert_replays(desk, packing[0].id, "message_received", "message_sent")
    assert counts(desk)[2] == 0  # nobody waits any more


def test_correlation_picks_the_one_order_among_several(desk: Casedesk) -> None:
    orders = {oid: desk.runtime.start_instance("order_desk", {"order_id": oid, "item": "pen"}, actor="alice")
              for oid in ("A1", "A2", "A3")}
    cold(desk)
    delivered = desk.messages.send("order_packed", {"order_id": "A2"}, {"order_id": "A2", "parcel": "by hand"},
                                   actor="root")
    assert [(d.instance_id, d.started) for d in delivered] == [(orders["A2"].id, False)]
    assert only_task(desk, orders["A2"].id).task_spec == "ship"
    for oid in ("A1", "A3"):
        assert desk.runtime.list_tasks(instance_id=orders[oid].id) == []
    assert_replays(desk, orders["A2"].id, "message_received")


def test_a_message_nobody_waits_for_is_refused_and_nothing_is_stored(desk: Casedesk) -> None:
    order = desk.runtime.start_instance("order_desk", {"order_id": "A1", "item": "pen"}, actor="alice")
    before = counts(desk)
    with pytest.raises(Conflict, match="'order_packed' with correlation {'order_id': 'Z9'} reaches nobody"):
        desk.messages.send("order_packed", {"order_id": "Z9"}, {}, actor="root")
    with pytest.raises(Conflict, match="'no_such_message' reaches nobody"):
        desk.messages.send("no_such_message", {}, {}, actor="root")
    with pytest.raises(InvalidInput, match="does not carry correlation property 'order_id'"):
        desk.messages.send("order_packed", {"order_id": "A1"}, {"parcel": "x"}, actor="root")
    with pytest.raises(InvalidInput, match="correlation order_id='A1' but the data says 'A2'"):
        desk.messages.send("order_packed", {"order_id": "A1"}, {"order_id": "A2"}, actor="root")
    assert counts(desk) == before
    parcel = {"order_id": "A1", "parcel": "x"}
    desk.messages.send("order_packed", {"order_id": "A1"}, parcel, actor="root")
    after_first = counts(desk)
    with pytest.raises(Conflict, match="reaches nobody"):  # the same message again: it no longer waits
        desk.messages.send("order_packed", {"order_id": "A1"}, parcel, actor="root")
    assert counts(desk) == after_first and after_first[:2] > before[:2]
    assert_replays(desk, order.id, "message_received")


def test_a_process_started_only_by_a_message_cannot_be_started_by_hand(desk: Casedesk) -> None:
    before = counts(desk)
    with pytest.raises(Conflict, match="starts when message 'order_placed' arrives"):
        desk.runtime.start_instance("packing_room", {}, actor="alice")
    assert counts(desk) == before


def test_only_starters_owners_and_admins_may_send(desk: Casedesk) -> None:
    desk.runtime.start_instance("order_desk", {"order_id": "A1", "item": "pen"}, actor="alice")
    before = counts(desk)
    with pytest.raises(Forbidden, match="audrey may not send message 'order_packed'"):
        desk.messages.send("order_packed", {"order_id": "A1"}, {"order_id": "A1"}, actor="audrey")
    assert counts(desk) == before
    assert desk.messages.send("order_packed", {"order_id": "A1"}, {"order_id": "A1"}, actor="owen")


def test_the_order_and_packing_exchange_records_the_same_history_warm_and_cold(both_ways: BothWays) -> None:
    def scenario(harness: Desk) -> Run:
        harness.deploy(*((MESSAGES / name).read_text() for name in ("order_desk.bpmn", "packing_room.bpmn")))
        order = harness.start("order_desk", {"order_id": "W1", "item": "kettle"})
        [packing] = [run for run in harness.instances("packing_room") if run.status == "running"]
        assert packing.ready() == ["pack"]
        packing.complete("pack", {"parcel": "P-1"}, actor="bob")
        assert (packing.status, order.ready()) == ("completed", ["ship"])
        order.complete("ship")
        assert order.status == "completed" and order.data["packed"] == {"order_id": "W1", "parcel": "P-1"}
        return order

    warm, cold = both_ways(scenario)
    assert {"message_sent", "message_received"} <= set(warm.types())
