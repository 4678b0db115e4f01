"""Multi-instance activities beyond the plain cases: a collection without an output collection (each
instance's item stays its own, so a sequential one reaches its second item), embedded subprocesses as
the multi-instance body, and an error boundary on the whole multi-instance activity — a business error
of one instance interrupts all of them at once, before any other instance runs."""
from __future__ import annotations

from typing import Any

import pytest

from engine.errors import WorkflowFailed
from handlers.context import BpmnError, HandlerContext, HandlerRegistry
from tests.bpmn.conftest import BothWays, Desk, Run, diagram

CHECK = "check [child]"  # SpiffWorkflow's task spec name of a multi-instance body (see test_multi_instance.py)


def _over_items(sequential: bool) -> str:
    return (f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">'
            '<bpmn:loopDataInputRef>items</bpmn:loopDataInputRef><bpmn:inputDataItem id="item" name="item" />'
            '</bpmn:multiInstanceLoopCharacteristics>')


def checks_process(sequential: bool) -> str:
    """Each item is checked by a person; no output collection, so each check's answer merges into the case."""
    return diagram("checks", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:userTask id="check" name="Check the item">
      <bpmn:extensionElements><spiffworkflow:instructionsForEndUser>Check {{{{ item }}}}</spiffworkflow:instructionsForEndUser></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      {_over_items(sequential)}</bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="sum_up" />
    <bpmn:userTask id="sum_up" name="Sum up"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="sum_up" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_multi_instance_over_a_collection_without_output_collection_reaches_every_item(
        desk: Desk, sequential: bool) -> None:
    desk.deploy(checks_process(sequential))
    run = desk.start("checks", {"items": ["pen", "ink", "paper"]})
    seen = []
    for left in (3, 2, 1):
        tasks = run.tasks(CHECK)
        assert len(tasks) == (1 if sequential else left)
        seen.append(tasks[0].instructions)
        run.complete(CHECK, {"checked": len(seen)})
    assert run.ready() == ["sum_up"]
    assert seen == ["Check pen", "Check ink", "Check paper"]
    assert run.data["checked"] == 3
    run.complete("sum_up", {})
    assert run.status == "completed"


def test_a_sequential_multi_instance_over_a_collection_records_the_same_history_warm_and_cold(
        both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(checks_process(True))
        run = desk.start("checks", {"items": ["pen", "ink"]})
        run.complete(CHECK, {"ok": True})
        run.complete(CHECK, {"ok": False})
        run.complete("sum_up", {})
        return run

    warm, _ = both_ways(scenario)
    assert warm.status == "completed" and warm.data["ok"] is False


def packing_process(sequential: bool) -> str:
    """An embedded subprocess per item: someone packs it, then someone labels it."""
    return diagram("packing", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each" />
    <bpmn:subProcess id="each" name="Each item"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      {_over_items(sequential)}
      <bpmn:startEvent id="each_start"><bpmn:outgoing>e1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="e1" sourceRef="each_start" targetRef="pack" />
      <bpmn:userTask id="pack" name="Pack"><bpmn:extensionElements><spiffworkflow:instructionsForEndUser>Pack {{{{ item }}}}</spiffworkflow:instructionsForEndUser></bpmn:extensionElements><bpmn:incoming>e1</bpmn:incoming><bpmn:outgoing>e2</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="e2" sourceRef="pack" targetRef="label" />
      <bpmn:userTask id="label" name="Label"><bpmn:incoming>e2</bpmn:incoming><bpmn:outgoing>e3</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="e3" sourceRef="label" targetRef="each_end" />
      <bpmn:endEvent id="each_end"><bpmn:incoming>e3</bpmn:incoming></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="ship" />
    <bpmn:userTask id="ship" name="Ship"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="ship" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
def test_a_multi_instance_embedded_subprocess_runs_its_steps_once_per_item(desk: Desk, sequential: bool) -> None:
    desk.deploy(packing_process(sequential))
    run = desk.start("packing", {"items": ["pen", "ink"]})
    assert run.ready() == (["pack"] if sequential else ["pack", "pack"])
    packed = []
    for _ in range(2):
        task = run.tasks("pack")[0]
        packed.append(task.instructions)
        run.complete("pack", {})
        run.complete("label", {})
    assert sorted(packed) == ["Pack ink", "Pack pen"]
    assert run.ready() == ["ship"]
    run.complete("ship", {})
    assert run.status == "completed"


OUT_OF_STOCK = '  <bpmn:error id="out_of_stock" name="Out of stock" errorCode="E1" />\n'
RESERVE = """<bpmn:serviceTask id="reserve" name="Reserve">
      <bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="reserve_stock" resultVariable="reservation">
        <spiffworkflow:parameters><spiffworkflow:parameter id="item" type="str" value="item" /></spiffworkflow:parameters>
      </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>{inside}</bpmn:serviceTask>"""
APOLOGY = """
    <bpmn:boundaryEvent id="no_stock" name="No stock" attachedToRef="{attached}">
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:errorEventDefinition errorRef="out_of_stock" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="no_stock" targetRef="apologise" />
    <bpmn:userTask id="apologise" name="Apologise"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="apologise" targetRef="cancelled" />
    <bpmn:endEvent id="cancelled"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>"""


def reserving(body: str, attached: str) -> str:
    return diagram("reserving", f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{attached}" />
    {body}
    <bpmn:sequenceFlow id="f2" sourceRef="{attached}" targetRef="ship" />
    <bpmn:userTask id="ship" name="Ship"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="ship" targetRef="shipped" />
    <bpmn:endEvent id="shipped"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    {APOLOGY.format(attached=attached)}""", extra=OUT_OF_STOCK)


# The boundary sits on a parallel multi-instance service task.
ON_SERVICE_TASK = reserving(RESERVE.format(inside=_over_items(False)), "reserve")
# The boundary sits on a sequential multi-instance subprocess whose service task raises.
ON_SUBPROCESS = reserving(f"""
    <bpmn:subProcess id="each" name="Each item">{_over_items(True)}
      <bpmn:startEvent id="each_start" />
      {RESERVE.format(inside="")}
      <bpmn:endEvent id="each_end" />
      <bpmn:sequenceFlow id="e1" sourceRef="each_start" targetRef="reserve" />
      <bpmn:sequenceFlow id="e2" sourceRef="reserve" targetRef="each_end" />
    </bpmn:subProcess>""", "each")


class Stock:
    """Reserves any item but "glue", which is out of stock (a business error); records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def reserve(self, ctx: HandlerContext, item: str) -> dict[str, Any]:
        self.asked.append(item)
        if item == "glue":
            raise BpmnError("E1", f"no {item} left")
        return {"item": item}


@pytest.fixture
def stock() -> Stock:
    return Stock()


@pytest.fixture
def handlers(stock: Stock) -> HandlerRegistry:
    return {"reserve_stock": stock.reserve}


@pytest.mark.parametrize("process", [ON_SERVICE_TASK, ON_SUBPROCESS], ids=["service_task", "subprocess"])
def test_a_business_error_of_one_instance_takes_the_boundary_of_the_multi_instance_activity(
        desk: Desk, stock: Stock, process: str) -> None:
    desk.deploy(process)
    run = desk.start("reserving", {"items": ["pen", "glue", "ink"]})
    assert run.status == "running"
    assert run.ready() == ["apologise"]
    # Interrupted at once: the item after the error is never reserved.
    assert stock.asked == ["pen", "glue"]
    run.complete("apologise", {})
    assert run.status == "completed"


@pytest.mark.parametrize("process", [ON_SERVICE_TASK, ON_SUBPROCESS], ids=["service_task", "subprocess"])
def test_a_multi_instance_activity_without_errors_leaves_its_boundary_untouched(
        desk: Desk, stock: Stock, process: str) -> None:
    desk.deploy(process)
    run = desk.start("reserving", {"items": ["pen", "ink"]})
    assert run.ready() == ["ship"]
    assert stock.asked == ["pen", "ink"]


def test_a_business_error_inside_a_multi_instance_subprocess_records_the_same_history_warm_and_cold(
        both_ways: BothWays) -> None:
    def scenario(desk: Desk) -> Run:
        desk.deploy(ON_SUBPROCESS)
        run = desk.start("reserving", {"items": ["pen", "glue", "ink"]})
        run.complete("apologise", {})
        return run

    warm, _ = both_ways(scenario)
    assert warm.status == "completed"
    assert warm.types().count("service_result") == 2


@pytest.mark.parametrize("sequential", [False, True], ids=["parallel", "sequential"])
@pytest.mark.parametrize(("data", "said"), [
    ({"items": 5}, "check: 'items' in the case data is not a list, so this activity cannot go through it item by item"),
    ({}, "check: the case data has no 'items', the collection this activity goes through item by item"),
], ids=["not_a_list", "missing"])
def test_a_collection_that_is_missing_or_not_a_list_refuses_the_start_in_words_and_stores_nothing(
        desk: Desk, sequential: bool, data: dict[str, Any], said: str) -> None:
    desk.deploy(checks_process(sequential))
    with pytest.raises(WorkflowFailed) as refused:
        desk.start("checks", data)
    assert str(refused.value).endswith(said)
    assert "TypeError" not in str(refused.value) and "iterable" not in str(refused.value)
    assert desk.instances("checks") == []
