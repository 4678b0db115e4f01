"""Signals: a thrown signal reaches every instance waiting for it (intermediate catch, boundary) and
starts the processes whose start event catches it — recorded on both sides, each side replayable."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from engine.errors import Conflict
from tests.bpmn.conftest import BothWays, Desk, Run, diagram

RECALL = '  <bpmn:signal id="recall_signal" name="Product recall" />\n'

ANNOUNCER = diagram("announcer", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:userTask id="decide" name="Decide on the recall"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="announce" />
    <bpmn:intermediateThrowEvent id="announce" name="Announce the recall"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:signalEventDefinition signalRef="recall_signal" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="announce" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
""", extra=RECALL)

# A shop waits for the recall at an intermediate catch event.
SHOP = diagram("shop", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_for_recall" />
    <bpmn:intermediateCatchEvent id="wait_for_recall" name="Recall announced"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:signalEventDefinition signalRef="recall_signal" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait_for_recall" targetRef="clear_shelves" />
    <bpmn:userTask id="clear_shelves" name="Clear the shelves"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="clear_shelves" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
""", extra=RECALL)

# A sale in progress is interrupted by the recall (boundary on the user task).
SALE = diagram("sale", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sell" />
    <bpmn:userTask id="sell" name="Sell"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="sell" targetRef="sold" />
    <bpmn:endEvent id="sold"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="recalled" name="Recalled" attachedToRef="sell">
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:signalEventDefinition signalRef="recall_signal" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="recalled" targetRef="refund" />
    <bpmn:userTask id="refund" name="Refund"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="refund" targetRef="refunded" />
    <bpmn:endEvent id="refunded"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
""", extra=RECALL)

# A recall report starts whenever the recall is signalled.
REPORT = diagram("recall_report", """
    <bpmn:startEvent id="on_recall" name="Recall announced"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:signalEventDefinition signalRef="recall_signal" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="on_recall" targetRef="write_report" />
    <bpmn:userTask id="write_report" name="Write the recall report"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="write_report" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
""", extra=RECALL)

# Within one instance: one branch throws, the other branch's task is interrupted.
IN_ONE_INSTANCE = diagram("campaign", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="advertise" />
    <bpmn:userTask id="advertise" name="Advertise"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="advertise" targetRef="advertised" />
    <bpmn:endEvent id="advertised"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="stop_ads" name="Stop the ads" attachedToRef="advertise">
      <bpmn:outgoing>f5</bpmn:outgoing><bpmn:signalEventDefinition signalRef="recall_signal" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="stop_ads" targetRef="stopped" />
    <bpmn:endEvent id="stopped"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="inspect" />
    <bpmn:userTask id="inspect" name="Inspect"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f6" sourceRef="inspect" targetRef="recall_it" />
    <bpmn:endEvent id="recall_it" name="Recall it"><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:signalEventDefinition signalRef="recall_signal" /></bpmn:endEvent>
""", extra=RECALL)


def payloads(run: Run, type_: str) -> list[dict]:
    return [json.loads(e.payload) for e in run.events() if e.type == type_]


def test_a_signal_reaches_every_waiting_instance_and_starts_its_start_event_processes(desk: Desk) -> None:
    desk.deploy(ANNOUNCER, SHOP, SALE, REPORT)
    shops = [desk.start("shop"), desk.start("shop")]
    sale = desk.start("sale")
    announcer = desk.start("announcer")
    assert [s.ready() for s in shops] == [[], []] and sale.ready() == ["sell"]
    assert desk.instances("recall_report") == []

    announcer.complete("decide")

    assert announcer.status == "completed"
    [thrown] = payloads(announcer, "signal_thrown")
    assert thrown["name"] == "Product recall" and thrown["element"] == "announce"
    assert [s.ready() for s in shops] == [["clear_shelves"], ["clear_shelves"]]
    assert sale.ready() == ["refund"]
    assert "task_withdrawn" in sale.types()
    for receiver in (*shops, sale):
        [received] = payloads(receiver, "signal_received")
        assert received["from"] == {"instance": announcer.id, "process": "announcer", "element": "announce"}
    [report] = desk.instances("recall_report")
    assert report.ready() == ["write_report"]
    assert payloads(report, "instance_started")[0]["signal"] == "Product recall"


def test_a_signal_is_taken_once_and_later_instances_do_not_see_it(desk: Desk) -> None:
    desk.deploy(ANNOUNCER, SHOP)
    shop = desk.start("shop")
    desk.start("announcer").complete("decide")
    shop.complete("clear_shelves")
    late = desk.start("shop")

    assert shop.status == "completed"
    assert late.ready() == [] and late.status == "running"
    assert len(payloads(shop, "signal_received")) == 1


def test_a_signal_thrown_in_an_instance_reaches_its_own_waiting_boundary(desk: Desk) -> None:
    desk.deploy(IN_ONE_INSTANCE)
    run = desk.start("campaign")
    assert sorted(run.ready()) == ["advertise", "inspect"]

    run.complete("inspect")
    assert run.ready() == []
    assert run.status == "completed"


def test_a_process_started_only_by_a_signal_cannot_be_started_by_hand(desk: Desk) -> None:
    desk.deploy(REPORT)
    with pytest.raises(Conflict, match="Product recall"):
        desk.start("recall_report")


def test_signals_record_the_same_history_warm_and_cold(both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(ANNOUNCER, SHOP, SALE)
        shop = desk.start("shop")
        desk.start("sale")
        desk.start("announcer").complete("decide")
        shop.complete("clear_shelves")
        return shop

    warm, cold = both_ways(scenario)
    assert warm.status == cold.status == "completed"


# An event-based gateway waits for the recall or a week, whichever comes first.
RECALL_OR_A_WEEK = diagram("stocktake", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first_of" />
    <bpmn:eventBasedGateway id="first_of"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:sequenceFlow id="f2" sourceRef="first_of" targetRef="recall_heard" />
    <bpmn:intermediateCatchEvent id="recall_heard" name="Recall heard"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:signalEventDefinition signalRef="recall_signal" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="recall_heard" targetRef="pull_stock" />
    <bpmn:userTask id="pull_stock" name="Pull the stock"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f6" sourceRef="pull_stock" targetRef="pulled" />
    <bpmn:endEvent id="pulled"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="first_of" targetRef="a_week" />
    <bpmn:intermediateCatchEvent id="a_week" name="A week"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P7D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="a_week" targetRef="count" />
    <bpmn:userTask id="count" name="Count the stock"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f7" sourceRef="count" targetRef="counted" />
    <bpmn:endEvent id="counted"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
""", extra=RECALL)


def test_a_signal_wins_an_event_based_gateway_and_its_timer_is_withdrawn(desk: Desk) -> None:
    desk.deploy(ANNOUNCER, RECALL_OR_A_WEEK)
    stocktake = desk.start("stocktake")
    assert stocktake.ready() == []

    desk.start("announcer").complete("decide")
    assert stocktake.ready() == ["pull_stock"]
    assert desk.advance(timedelta(days=8)) == 0  # the week's timer went with the other branch
    assert stocktake.ready() == ["pull_stock"]
    stocktake.complete("pull_stock")
    assert stocktake.status == "completed"
